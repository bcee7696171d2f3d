package geom

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

func in(r, c int, v ...float64) adtest.Input { return adtest.Input{R: r, C: c, Val: v} }

// TestOpGradients checks the hand-written derivatives of the rotations and the fused dot product
// against finite differences, with shared and per-row operands.
func TestOpGradients(t *testing.T) {
	pts := in(3, 2, 0.4, 1, 2, 5.5, 2.9, 3)
	mat := []float64{0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6}
	for _, rows := range []int{1, 3} {
		m := in(rows, 9)
		for i := 0; i < rows; i++ {
			for j, v := range mat {
				m.Val = append(m.Val, v+0.05*float64((i+j)%3))
			}
		}
		adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return ad.Concat(RotateS2(x[0], x[1])) },
			[]adtest.Input{pts, m}, 1e-6, 1e-6)
	}
	// RotateS1 with a shared and with per-row 2x2 matrices (a rotation, a reflection, a general map).
	phis := in(3, 1, 0.4, 3, 5.9)
	for _, m := range []adtest.Input{in(1, 4, 0.6, -0.8, 0.8, 0.6), in(3, 4, 0.6, -0.8, 0.8, 0.6, 0, 1, 1, 0, 1.2, 0.3, -0.4, 0.9)} {
		adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return ad.Concat(RotateS1(x[0], x[1])) },
			[]adtest.Input{phis, m}, 1e-6, 1e-6)
	}
	// Vec3.Dot and ad.Mul with broadcasting: per-row columns (R x 1), shared rows (1 x C), full R x C.
	col, shared, full := in(2, 1, 0.3, -1.2), in(1, 3, 0.5, 2, -0.7), in(2, 3, 1, -2, 0.4, 0.9, 1.5, -0.3)
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
		return ad.Concat(Vec3{x[0], x[1], x[2]}.Dot(Vec3{x[1], x[2], x[0]}), ad.Mul(x[0], x[1]), ad.Mul(x[2], x[0]),
			ad.Mul(x[2], ad.Scale(x[2], 2)), ad.Mul(x[2], x[3]), ad.Mul(x[3], x[2]),
			Vec3{x[2], ad.Neg(x[2]), x[2]}.Dot(Vec3{ad.Scale(x[2], 2), x[2], ad.Exp(x[2])}))
	}, []adtest.Input{col, shared, full, in(1, 1, 0.7)}, 1e-6, 1e-8)
}

// TestRotateS1ByAngle checks the value-only paths of a shared rotation (φ + α modulo 2π) and a
// shared reflection (β − φ modulo 2π) against the polar angle of the mapped embedding, including
// angles at and near 0 and 2π.
func TestRotateS1ByAngle(t *testing.T) {
	phis := []float64{0, 1e-17, 0.3, math.Pi, 4, 2*math.Pi - 1e-15, 2 * math.Pi}
	for _, alpha := range []float64{0, 0.7, -0.7, math.Pi, -math.Pi + 1e-12, 3.1} {
		c, s := math.Cos(alpha), math.Sin(alpha)
		tp := ad.NewTape(false)
		y, _ := RotateS1(tp.Const(len(phis), 1, phis), tp.Const(1, 4, []float64{c, -s, s, c}))
		for i, phi := range phis {
			want := PolarAngle(c*math.Cos(phi)-s*math.Sin(phi), s*math.Cos(phi)+c*math.Sin(phi))
			d := math.Abs(y.Val[i] - want)
			if d > 1e-14 && math.Abs(d-2*math.Pi) > 1e-14 || y.Val[i] < 0 || y.Val[i] >= 2*math.Pi {
				t.Errorf("α=%g φ=%g: %.17g, polar angle %.17g", alpha, phi, y.Val[i], want)
			}
		}
		r, _ := RotateS1(tp.Const(len(phis), 1, phis), tp.Const(1, 4, []float64{c, s, s, -c}))
		for i, phi := range phis {
			want := PolarAngle(c*math.Cos(phi)+s*math.Sin(phi), s*math.Cos(phi)-c*math.Sin(phi))
			d := math.Abs(r.Val[i] - want)
			if d > 1e-14 && math.Abs(d-2*math.Pi) > 1e-14 || r.Val[i] < 0 || r.Val[i] >= 2*math.Pi {
				t.Errorf("reflection β=%g φ=%g: %.17g, polar angle %.17g", alpha, phi, r.Val[i], want)
			}
		}
	}
}

// TestIfNegative checks the branch-free selection on both signs, signed zeros and infinities.
func TestIfNegative(t *testing.T) {
	for _, c := range []struct{ p, want float64 }{
		{-1, 5}, {-1e-300, 5}, {math.Inf(-1), 5}, {1, 0}, {0, 0}, {math.Copysign(0, -1), 0}, {math.Inf(1), 0},
	} {
		if got := IfNegative(c.p, 5); got != c.want {
			t.Errorf("IfNegative(%g, 5) = %g, want %g", c.p, got, c.want)
		}
	}
	if got := PolarAngle(1, math.Copysign(0, -1)); got != 0 || math.Signbit(got) {
		t.Errorf("PolarAngle(1, -0) = %g, want +0", got)
	}
}
