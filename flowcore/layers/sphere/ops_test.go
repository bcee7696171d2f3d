package sphere

import (
	"fmt"
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/geom"
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
		for _, k := range []float64{3e-5, 0.7, 20} {
			for _, sign := range []float64{1, -1} {
				kappa := in(1, 1, k)
				adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
					return ad.Concat(rotateVMF(x[0], x[1], x[2], sign))
				}, []adtest.Input{pts, m, kappa}, 1e-6, 2e-5)
				// rotateVMF is geom.RotateS2, vmfEnter and vmfExit in one op.
				tp := ad.NewTape(false)
				xn, mn, kn := tp.Const(pts.R, 2, pts.Val), tp.Const(rows, 9, m.Val), tp.Const(1, 1, kappa.Val)
				y, ld := rotateVMF(xn, mn, kn, sign)
				r, ld1 := geom.RotateS2(xn, mn)
				c, ld2 := vmfEnter(ad.Cols(r, 0, 1), kn, sign)
				th, ld3 := vmfExit(c)
				want := ad.Concat(th, ad.Cols(r, 1, 1), ad.Add(ad.Add(ld1, ld2), ld3))
				got := ad.Concat(y, ld)
				for i, w := range want.Val {
					if math.Abs(got.Val[i]-w) > 1e-9*math.Max(1, math.Abs(w)) {
						t.Errorf("rotateVMF κ=%g s=%g: entry %d = %.15g, want %.15g", k, sign, i, got.Val[i], w)
					}
				}
				// vmfRotate is vmfLeave and geom.RotateS2 in one op, per-row κ included.
				for _, kap := range []adtest.Input{kappa, in(3, 1, k, 2*k, 0.5*k)} {
					adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
						return ad.Concat(vmfRotate(x[0], x[1], x[2], sign))
					}, []adtest.Input{pts, m, kap}, 1e-6, 2e-5)
				}
				y, ld = vmfRotate(xn, mn, kn, sign)
				th, ld3 = vmfLeave(ad.Cos(ad.Cols(xn, 0, 1)), kn, sign)
				r, ld1 = geom.RotateS2(ad.Concat(th, ad.Cols(xn, 1, 1)), mn)
				want = ad.Concat(r, ad.Add(ad.Add(geom.LogSinTheta(ad.Cols(xn, 0, 1)), ld3), ld1))
				got = ad.Concat(y, ld)
				for i, w := range want.Val {
					if math.Abs(got.Val[i]-w) > 1e-9*math.Max(1, math.Abs(w)) {
						t.Errorf("vmfRotate κ=%g s=%g: entry %d = %.15g, want %.15g", k, sign, i, got.Val[i], w)
					}
				}
			}
		}
	}
	q := in(6, 1, 0, 1e-5, 5e-4, 2e-3, 0.3, 1.5)
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node {
		return ad.Concat(sincFuncs(x[0]))
	}, []adtest.Input{{R: 5, C: 1, Val: q.Val[1:]}}, 1e-7, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return fade(x[0]) },
		[]adtest.Input{w}, 1e-6, 1e-6)
}
