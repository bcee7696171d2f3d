package root

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

// cubic is x³ + x and its derivative at x, counting the points evaluated.
func cubic(points *int) func(x []float64, _ []int) ([]float64, []float64) {
	return func(x []float64, _ []int) ([]float64, []float64) {
		*points += len(x)
		f, df := make([]float64, len(x)), make([]float64, len(x))
		for i, v := range x {
			f[i], df[i] = v*v*v+v, 3*v*v+1
		}
		return f, df
	}
}

// TestIncreasing solves x³ + x = target on [-10, 10] to rounding, keeps NaN targets NaN and ends
// at the bracket for targets beyond it, with and without the shared function's table; the table
// needs fewer evaluations.
func TestIncreasing(t *testing.T) {
	target := []float64{-30, -2, 0, 1e-12, 0.5, 10, math.NaN(), 2000, -1e4}
	for i := 0; i < 200; i++ {
		target = append(target, float64(i)*4.9-490)
	}
	var plain, shared int
	solutions := map[string][]float64{
		"Increasing":       Increasing(target, -10, 10, cubic(&plain)),
		"IncreasingShared": IncreasingShared(target, -10, 10, 64, cubic(&shared)),
	}
	for name, x := range solutions {
		for i, want := range target {
			switch {
			case i == 6:
				if !math.IsNaN(x[i]) {
					t.Errorf("%s: NaN target gave %g", name, x[i])
				}
			case i == 7 || i == 8:
				if end := math.Copysign(10, want); math.Abs(x[i]-end) > 1e-12 {
					t.Errorf("%s: target %g beyond the bracket gave %g, want the bracket end %g", name, want, x[i], end)
				}
			default:
				if got := x[i]*x[i]*x[i] + x[i]; math.Abs(got-want) > 1e-14*(1+math.Abs(want)) {
					t.Errorf("%s: target %g: f(x) = %.17g", name, want, got)
				}
			}
		}
	}
	if shared*2 > plain {
		t.Errorf("the table saved too little: %d points evaluated with it, %d without", shared, plain)
	}
}

// TestBracketStep checks the three ways a step ends a search and the bisection fallback.
func TestBracketStep(t *testing.T) {
	b := Bracket{Lo: 0, Hi: 1}
	if next, done := b.Step(0.5, 0, 0, 1e-15); next != 0.5 || !done {
		t.Errorf("exact root: got %g, %v", next, done)
	}
	if next, done := b.Step(0.5, math.NaN(), 0, 1e-15); !math.IsNaN(next) || !done {
		t.Errorf("NaN residual: got %g, %v", next, done)
	}
	if next, done := b.Step(0.5, 0.1, 2, 1e-15); next != 0.25 || done || b.Hi != 0.5 {
		t.Errorf("step leaving the bracket: got %g, %v, bracket %+v; want the bisection 0.25", next, done, b)
	}
	if next, done := b.Step(0.25, -1e-17, -1e-17, 1e-15); next != 0.25+1e-17 || !done || b.Lo != 0.25 {
		t.Errorf("converged step: got %g, %v, bracket %+v", next, done, b)
	}
}

// TestImplicitRootGradients checks the implicit-function gradients of a root found numerically,
// for d = 1 (f(x) = x + p₀ sin x + p₁) and d = 2 (a coupled map), shared and per-row parameters.
func TestImplicitRootGradients(t *testing.T) {
	f1 := func(x, p *ad.Node) *ad.Node {
		return ad.Add(ad.Add(x, ad.Mul(ad.Cols(p, 0, 1), ad.Sin(x))), ad.Cols(p, 1, 1))
	}
	solve1 := func(y, p *ad.Node) *ad.Node {
		sol := Increasing(y.Val, -10, 10, func(x []float64, rows []int) ([]float64, []float64) {
			tp := ad.NewTape(false)
			xn := tp.Const(len(x), 1, x)
			pn := ad.GatherRows(tp, p, rows)
			fx := f1(xn, pn)
			df := ad.AddScalar(ad.Mul(ad.Cols(pn, 0, 1), ad.Cos(xn)), 1)
			return fx.Val, df.Val
		})
		return Implicit(sol, y, p, f1)
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
		sol := make([]float64, len(y.Val))
		for i := 0; i < y.R; i++ {
			pr := p.Val[(i%p.R)*2 : (i%p.R)*2+2]
			a, b := y.Val[2*i], y.Val[2*i+1]
			for it := 0; it < 50; it++ {
				r0, r1 := a+pr[0]*b*b-y.Val[2*i], b+pr[1]*math.Sin(a)-y.Val[2*i+1]
				j00, j01, j10, j11 := 1.0, 2*pr[0]*b, pr[1]*math.Cos(a), 1.0
				det := j00*j11 - j01*j10
				a, b = a-(j11*r0-j01*r1)/det, b-(-j10*r0+j00*r1)/det
			}
			sol[2*i], sol[2*i+1] = a, b
		}
		return Implicit(sol, y, p, f2)
	}
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return solve2(in[0], in[1]) },
		[]adtest.Input{{R: 2, C: 2, Val: []float64{0.3, -0.2, 1, 0.5}}, {R: 1, C: 2, Val: []float64{0.2, 0.4}}}, 1e-6, 1e-6)
}
