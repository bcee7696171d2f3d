package ode

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

// rotation is y' = (−(1+t)·y1 + a·y0, (1+t)·y0 + a·y1) with the exact solution
// e^{a(t−t0)}·R(θ(t) − θ(t0))·y0, θ(t) = t + t²/2; a = params[0] (R x 1 or 1 x 1).
func rotation(a *ad.Node) Func {
	return func(t, y *ad.Node) *ad.Node {
		w := ad.AddScalar(t, 1)
		y0, y1 := ad.Cols(y, 0, 1), ad.Cols(y, 1, 1)
		return ad.Concat(ad.Add(ad.Neg(ad.Mul(w, y1)), ad.Mul(a, y0)), ad.Add(ad.Mul(w, y0), ad.Mul(a, y1)))
	}
}

func exactRotation(y []float64, a, t0, t1 float64) []float64 {
	th := (t1 + t1*t1/2) - (t0 + t0*t0/2)
	g := math.Exp(a * (t1 - t0))
	return []float64{g * (math.Cos(th)*y[0] - math.Sin(th)*y[1]), g * (math.Sin(th)*y[0] + math.Cos(th)*y[1])}
}

// TestAccuracy: every method reaches the exact solution within its expected error, forwards and
// backwards in time.
func TestAccuracy(t *testing.T) {
	y0 := []float64{1, 0.5, -0.3, 2}
	for _, c := range []struct {
		o   Options
		tol float64
	}{
		{Options{Method: "euler", StepSize: 1e-4}, 2e-3},
		{Options{Method: "midpoint", StepSize: 1e-3}, 1e-5},
		{Options{Method: "rk4", StepSize: 1.0 / 32}, 2e-6},
		{Options{Method: "rk4", StepSize: 0.3}, 5e-2}, // a grid with a shorter last step
		{Options{Method: "dopri5", RTol: 1e-10, ATol: 1e-10}, 1e-8},
		{Options{Method: "dopri8", RTol: 1e-12, ATol: 1e-12}, 1e-10},
		{Options{Method: "bosh3", RTol: 1e-8, ATol: 1e-8}, 1e-6},
		{Options{Method: "fehlberg2", RTol: 1e-7, ATol: 1e-7}, 1e-4},
		{Options{Method: "adaptive_heun", RTol: 1e-7, ATol: 1e-7}, 1e-5},
	} {
		if err := c.o.Check(); err != nil {
			t.Fatal(err)
		}
		for _, span := range [][2]float64{{0, 1}, {1, 0.25}} {
			tp := ad.NewTape(false)
			got := Integrate(rotation(tp.Scalar(-0.4)), tp.Const(2, 2, y0), span[0], span[1], c.o)
			for r := 0; r < 2; r++ {
				want := exactRotation(y0[2*r:2*r+2], -0.4, span[0], span[1])
				for j := range want {
					if e := math.Abs(got.Val[2*r+j] - want[j]); e > c.tol {
						t.Errorf("%s %v: row %d error %.3g > %.g", c.o.Method, span, r, e, c.tol)
					}
				}
			}
		}
	}
}

// TestRowsIndependent: a row's solution does not depend on the other rows of the batch (each row
// has its own step sizes), bit for bit.
func TestRowsIndependent(t *testing.T) {
	o := Options{Method: "dopri5", RTol: 1e-7, ATol: 1e-7}
	tp := ad.NewTape(false)
	a := tp.Const(3, 1, []float64{-0.4, 3, 0.1})
	all := Integrate(rotation(a), tp.Const(3, 2, []float64{1, 0.5, 40, -20, 0.01, 0.02}), 0, 1, o)
	one := Integrate(rotation(tp.Scalar(-0.4)), tp.Const(1, 2, []float64{1, 0.5}), 0, 1, o)
	if all.Val[0] != one.Val[0] || all.Val[1] != one.Val[1] {
		t.Errorf("row 0 alone %v, in a batch %v", one.Val, all.Val[:2])
	}
}

// TestFailedRows: a row whose right-hand side turns NaN ends as NaN; the others are unaffected.
func TestFailedRows(t *testing.T) {
	o := Options{Method: "dopri5", RTol: 1e-7, ATol: 1e-7}
	tp := ad.NewTape(false)
	f := func(tt, y *ad.Node) *ad.Node {
		return ad.Unary(y, func(v float64) float64 {
			if v > 5 {
				return math.NaN()
			}
			return v
		}, func(float64, float64) float64 { return 1 })
	}
	got := Integrate(f, tp.Const(2, 1, []float64{1, 3}), 0, 1, o)
	if math.Abs(got.Val[0]-math.E) > 1e-6 || !math.IsNaN(got.Val[1]) {
		t.Errorf("got %v, want [e NaN]", got.Val)
	}
}

// TestGradients: the gradient of the discrete solution with respect to the initial state and a
// parameter matches finite differences, for a fixed grid and an adaptive method (whose step
// sizes move with the perturbations of the check by amounts that change the solution only at
// the level of the tolerance, 1e-9 here).
func TestGradients(t *testing.T) {
	for _, o := range []Options{{Method: "rk4", StepSize: 0.1}, {Method: "dopri5", RTol: 1e-9, ATol: 1e-9}} {
		adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node {
			return Integrate(rotation(in[1]), in[0], 0, 0.7, o)
		}, []adtest.Input{{R: 2, C: 2, Val: []float64{1, 0.5, -0.3, 2}}, {R: 2, C: 1, Val: []float64{-0.4, 0.2}}}, 1e-7, 1e-6)
	}
}

func TestCheck(t *testing.T) {
	for _, o := range []Options{{Method: "dopri9", RTol: 1e-7, ATol: 1e-7}, {Method: "rk4"}, {Method: "dopri5", RTol: 0, ATol: 1e-7}} {
		if o.Check() == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// TestOrders: the local error of one step shrinks by 2^(p+1) when the step is halved, p the order
// of the propagated solution (which checks the tableaus' coefficients).
func TestOrders(t *testing.T) {
	for method, p := range map[string]int{"euler": 1, "midpoint": 2, "rk4": 4, "dopri5": 5, "dopri8": 8, "bosh3": 3, "adaptive_heun": 2} {
		tb := tableaus[method]
		errAt := func(h float64) float64 {
			tp := ad.NewTape(false)
			y0 := []float64{1, 0.5}
			got, _ := rkStep(rotation(tp.Scalar(-0.4)), tb, tp.Const(1, 2, y0), []float64{0.2}, []float64{h})
			want := exactRotation(y0, -0.4, 0.2, 0.2+h)
			return math.Hypot(got.Val[0]-want[0], got.Val[1]-want[1])
		}
		h := 0.1
		if p >= 8 {
			h = 0.3 // larger steps keep the error above rounding
		}
		ratio := errAt(h) / errAt(h/2)
		if want := math.Pow(2, float64(p+1)); ratio < want/1.5 || ratio > want*1.5 {
			t.Errorf("%s: error ratio %.3g on halving the step, want about %g (order %d)", method, ratio, want, p)
		}
	}
}
