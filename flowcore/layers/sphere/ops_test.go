package sphere

import (
	"fmt"
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

// TestOpGradients checks the hand-written derivatives of the package's elementwise and custom ops
// against finite differences, including the series branches.
func TestOpGradients(t *testing.T) {
	in := func(r, c int, v ...float64) adtest.Input { return adtest.Input{R: r, C: c, Val: v} }
	w := in(6, 1, -0.99, -0.5, 0, 0.3, 0.8, 0.999)
	for _, k := range []float64{3e-5, 0.02, 1, 7, 60} {
		kappa := in(1, 1, k)
		for name, op := range map[string]func(a, b *ad.Node) *ad.Node{
			"vmfLeave+": func(a, b *ad.Node) *ad.Node { return ad.Concat(vmfLeave(a, b, 1)) },
			"vmfLeave-": func(a, b *ad.Node) *ad.Node { return ad.Concat(vmfLeave(a, b, -1)) },
			"vmfEnter+": func(a, b *ad.Node) *ad.Node { return ad.Concat(vmfEnter(ad.Acos(a), b, 1)) },
			"vmfEnter-": func(a, b *ad.Node) *ad.Node { return ad.Concat(vmfEnter(ad.Acos(a), b, -1)) },
			"vmfExit":   func(a, _ *ad.Node) *ad.Node { return ad.Concat(vmfExit(a)) },
		} {
			t.Run(fmt.Sprintf("%s κ=%g", name, k), func(t *testing.T) {
				adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return op(x[0], x[1]) },
					[]adtest.Input{w, kappa}, 1e-6, 2e-5)
			})
		}
	}
	// Per-row κ, both sides of smallKappa.
	perRow := in(6, 1, 3e-5, 0.02, 1, 7, 60, 0.5)
	for _, sign := range []float64{1, -1} {
		adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return ad.Concat(vmfLeave(x[0], x[1], sign)) },
			[]adtest.Input{w, perRow}, 1e-6, 2e-5)
	}
	u := in(5, 1, -3, -1, 0.2, 2, 3.1)
	raw := []float64{0.3, -1, 2, 0.5, -0.7, 0.2, -3, 1, 1, 1, 0, -0.4}
	for _, rows := range []int{1, 5} {
		p := in(rows, 12)
		for i := 0; i < rows; i++ {
			for j, v := range raw {
				p.Val = append(p.Val, v+0.1*float64(i*j%7))
			}
		}
		adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
			h, dh := moebiusEval(x[0], moebius{bases: 3}.coefs(x[1]))
			return ad.Concat(h, dh)
		}, []adtest.Input{u, p}, 1e-6, 1e-6)
	}
	pts := in(3, 2, 0.4, 1, 2, 5.5, 2.9, 3)
	mat := []float64{0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6}
	for _, rows := range []int{1, 3} {
		m := in(rows, 9)
		for i := 0; i < rows; i++ {
			for j, v := range mat {
				m.Val = append(m.Val, v+0.05*float64((i+j)%3))
			}
		}
		adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return ad.Concat(rotateS2(x[0], x[1])) },
			[]adtest.Input{pts, m}, 1e-6, 1e-6)
		for _, k := range []float64{3e-5, 0.7, 20} {
			for _, sign := range []float64{1, -1} {
				kappa := in(1, 1, k)
				adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
					return ad.Concat(rotateVMF(x[0], x[1], x[2], sign))
				}, []adtest.Input{pts, m, kappa}, 1e-6, 2e-5)
				// rotateVMF is rotateS2, vmfEnter and vmfExit in one op.
				tp := ad.NewTape(false)
				xn, mn, kn := tp.Const(pts.R, 2, pts.Val), tp.Const(rows, 9, m.Val), tp.Const(1, 1, kappa.Val)
				y, ld := rotateVMF(xn, mn, kn, sign)
				r, ld1 := rotateS2(xn, mn)
				c, ld2 := vmfEnter(ad.Cols(r, 0, 1), kn, sign)
				th, ld3 := vmfExit(c)
				want := ad.Concat(th, ad.Cols(r, 1, 1), ad.Add(ad.Add(ld1, ld2), ld3))
				got := ad.Concat(y, ld)
				for i, w := range want.Val {
					if math.Abs(got.Val[i]-w) > 1e-9*math.Max(1, math.Abs(w)) {
						t.Errorf("rotateVMF κ=%g s=%g: entry %d = %.15g, want %.15g", k, sign, i, got.Val[i], w)
					}
				}
				// vmfRotate is vmfLeave and rotateS2 in one op, per-row κ included.
				for _, kap := range []adtest.Input{kappa, in(3, 1, k, 2*k, 0.5*k)} {
					adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
						return ad.Concat(vmfRotate(x[0], x[1], x[2], sign))
					}, []adtest.Input{pts, m, kap}, 1e-6, 2e-5)
				}
				y, ld = vmfRotate(xn, mn, kn, sign)
				th, ld3 = vmfLeave(ad.Cos(ad.Cols(xn, 0, 1)), kn, sign)
				r, ld1 = rotateS2(ad.Concat(th, ad.Cols(xn, 1, 1)), mn)
				want = ad.Concat(r, ad.Add(ad.Add(logSin(ad.Cols(xn, 0, 1)), ld3), ld1))
				got = ad.Concat(y, ld)
				for i, w := range want.Val {
					if math.Abs(got.Val[i]-w) > 1e-9*math.Max(1, math.Abs(w)) {
						t.Errorf("vmfRotate κ=%g s=%g: entry %d = %.15g, want %.15g", k, sign, i, got.Val[i], w)
					}
				}
			}
		}
	}
	// rotateS1 with a shared and with per-row 2x2 matrices (a rotation, a reflection, a general map).
	phis := in(3, 1, 0.4, 3, 5.9)
	for _, m := range []adtest.Input{in(1, 4, 0.6, -0.8, 0.8, 0.6), in(3, 4, 0.6, -0.8, 0.8, 0.6, 0, 1, 1, 0, 1.2, 0.3, -0.4, 0.9)} {
		adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return ad.Concat(rotateS1(x[0], x[1])) },
			[]adtest.Input{phis, m}, 1e-6, 1e-6)
	}
	// dotVec3 and mul with broadcasting: per-row columns (R x 1), shared rows (1 x C), full R x C.
	col, shared, full := in(2, 1, 0.3, -1.2), in(1, 3, 0.5, 2, -0.7), in(2, 3, 1, -2, 0.4, 0.9, 1.5, -0.3)
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
		return ad.Concat(dotVec3(vec3{x[0], x[1], x[2]}, vec3{x[1], x[2], x[0]}), mul(x[0], x[1]), mul(x[2], x[0]),
			mul(x[2], ad.Scale(x[2], 2)), mul(x[2], x[3]), mul(x[3], x[2]),
			dotVec3(vec3{x[2], ad.Neg(x[2]), x[2]}, vec3{ad.Scale(x[2], 2), x[2], ad.Exp(x[2])}))
	}, []adtest.Input{col, shared, full, in(1, 1, 0.7)}, 1e-6, 1e-8)
	q := in(6, 1, 0, 1e-5, 5e-4, 2e-3, 0.3, 1.5)
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
		return ad.Concat(sincFuncs(x[0]))
	}, []adtest.Input{{R: 5, C: 1, Val: q.Val[1:]}}, 1e-7, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return fade(x[0]) },
		[]adtest.Input{w}, 1e-6, 1e-6)
	pick := []bool{true, false, true}
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return selectRows(pick, x[0], x[1]) },
		[]adtest.Input{in(3, 2, 1, 2, 3, 4, 5, 6), in(1, 2, 7, 8)}, 1e-6, 1e-8)
}

// TestImplicitRootGradients checks the implicit-function gradients of a root found numerically,
// for d = 1 (f(x) = x + p₀ sin x + p₁) and d = 2 (a coupled map), shared and per-row parameters.
func TestImplicitRootGradients(t *testing.T) {
	f1 := func(x, p *ad.Node) *ad.Node {
		return ad.Add(ad.Add(x, ad.Mul(ad.Cols(p, 0, 1), ad.Sin(x))), ad.Cols(p, 1, 1))
	}
	solve1 := func(y, p *ad.Node) *ad.Node {
		root := solveIncreasing(y.Val, -10, 10, func(x []float64, rows []int) ([]float64, []float64) {
			tp := ad.NewTape(false)
			xn := tp.Const(len(x), 1, x)
			pn := gatherRows(tp, p, rows)
			fx := f1(xn, pn)
			df := ad.AddScalar(ad.Mul(ad.Cols(pn, 0, 1), ad.Cos(xn)), 1)
			return fx.Val, df.Val
		})
		return implicitRoot(root, y, p, f1)
	}
	y := adtest.Input{R: 3, C: 1, Val: []float64{-1, 0.5, 2}}
	for _, p := range []adtest.Input{{R: 1, C: 2, Val: []float64{0.5, 0.2}}, {R: 3, C: 2, Val: []float64{0.5, 0.2, -0.3, 1, 0.7, -0.4}}} {
		adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return solve1(in[0], in[1]) },
			[]adtest.Input{y, p}, 1e-6, 1e-6)
	}
	// d = 2: f(x) = (x₀ + p₀ x₁², x₁ + p₁ sin x₀), solved by a few Newton steps on plain values.
	f2 := func(x, p *ad.Node) *ad.Node {
		x0, x1 := ad.Cols(x, 0, 1), ad.Cols(x, 1, 1)
		return ad.Concat(ad.Add(x0, ad.Mul(ad.Cols(p, 0, 1), ad.Square(x1))), ad.Add(x1, ad.Mul(ad.Cols(p, 1, 1), ad.Sin(x0))))
	}
	solve2 := func(y, p *ad.Node) *ad.Node {
		root := make([]float64, len(y.Val))
		for i := 0; i < y.R; i++ {
			pr := p.Val[(i%p.R)*2 : (i%p.R)*2+2]
			a, b := y.Val[2*i], y.Val[2*i+1]
			for it := 0; it < 50; it++ {
				r0, r1 := a+pr[0]*b*b-y.Val[2*i], b+pr[1]*math.Sin(a)-y.Val[2*i+1]
				j00, j01, j10, j11 := 1.0, 2*pr[0]*b, pr[1]*math.Cos(a), 1.0
				det := j00*j11 - j01*j10
				a, b = a-(j11*r0-j01*r1)/det, b-(-j10*r0+j00*r1)/det
			}
			root[2*i], root[2*i+1] = a, b
		}
		return implicitRoot(root, y, p, f2)
	}
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return solve2(in[0], in[1]) },
		[]adtest.Input{{R: 2, C: 2, Val: []float64{0.3, -0.2, 1, 0.5}}, {R: 1, C: 2, Val: []float64{0.2, 0.4}}}, 1e-6, 1e-6)
}
