package simplex

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func simplexDef(d int) spec.ManifoldDef {
	return spec.ManifoldDef{Kind: spec.Simplex, Dim: d, Text: "a"}
}

// perturbed returns a layer's initial parameters plus N(0, s²) noise.
func perturbed(l layers.Layer, s float64, rng *rand.Rand) []float64 {
	p := l.InitialParams(rng)
	for i := range p {
		p[i] += s * rng.NormFloat64()
	}
	return p
}

// interior draws n points of the open d-simplex (Dirichlet(1.5, …)).
func interior(n, d int, rng *rand.Rand) []float64 {
	out := make([]float64, 0, n*d)
	for i := 0; i < n; i++ {
		g := make([]float64, d+1)
		s := 0.0
		for j := range g {
			// Gamma(1.5) as the sum of an Exp(1) and half a squared normal.
			v := rng.NormFloat64()
			g[j] = rng.ExpFloat64() + 0.5*v*v
			s += g[j]
		}
		for j := 0; j < d; j++ {
			out = append(out, g[j]/s)
		}
	}
	return out
}

// checkLayer: Forward inverts Inverse (points <= 1e-10, log-dets cancel), the log-determinant
// equals log|det| of the finite-difference Jacobian, and gradients with respect to the points (and
// the parameters if gradParams) match finite differences in both directions.
func checkLayer(t *testing.T, name string, l layers.Layer, d int, params []float64, gradParams bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	const n, h = 6, 1e-6
	x := interior(n, d, rng)
	tp := ad.NewTape(false)
	pn := tp.Const(1, len(params), params)
	y, ld := l.Inverse(tp.Const(n, d, x), pn)
	back, bld := l.Forward(tp.Const(n, d, y.Val), pn)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			if math.Abs(back.Val[i*d+j]-x[i*d+j]) > 1e-10 {
				t.Fatalf("%s: round trip %v -> %v", name, x[i*d:(i+1)*d], back.Val[i*d:(i+1)*d])
			}
		}
		if math.Abs(ld.Val[i]+bld.Val[i]) > 1e-9*math.Max(1, math.Abs(ld.Val[i])) {
			t.Errorf("%s row %d: log-dets %g and %g do not cancel", name, i, ld.Val[i], bld.Val[i])
		}
		jac := make([]float64, d*d)
		for j := 0; j < d; j++ {
			xp, xm := append([]float64(nil), x[i*d:(i+1)*d]...), append([]float64(nil), x[i*d:(i+1)*d]...)
			xp[j] += h
			xm[j] -= h
			yp, _ := l.Inverse(tp.Const(1, d, xp), pn)
			ym, _ := l.Inverse(tp.Const(1, d, xm), pn)
			for k := 0; k < d; k++ {
				jac[k*d+j] = (yp.Val[k] - ym.Val[k]) / (2 * h)
			}
		}
		if want := logAbsDet(jac, d); math.Abs(ld.Val[i]-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%s row %d: log-det %.10g, finite-difference Jacobian %.10g", name, i, ld.Val[i], want)
		}
	}
	inputs := []adtest.Input{{R: n, C: d, Val: x}}
	p := func(tp *ad.Tape, in []*ad.Node) *ad.Node { return tp.Const(1, len(params), params) }
	if gradParams {
		inputs = append(inputs, adtest.Input{R: 1, C: len(params), Val: params})
		p = func(_ *ad.Tape, in []*ad.Node) *ad.Node { return in[1] }
	}
	both := func(a, b *ad.Node) *ad.Node { return ad.Concat(a, b) }
	adtest.CheckGradients(t, func(tp *ad.Tape, in []*ad.Node) *ad.Node { return both(l.Inverse(in[0], p(tp, in))) }, inputs, 1e-6, 1e-5)
	adtest.CheckGradients(t, func(tp *ad.Tape, in []*ad.Node) *ad.Node { return both(l.Forward(in[0], p(tp, in))) }, inputs, 1e-6, 1e-5)
}

func TestW(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for d, want := range map[int]int{1: 62, 2: 8316, 3: 16698} {
		l, err := newW(d)
		if err != nil {
			t.Fatal(err)
		}
		if l.NumParams() != want {
			t.Errorf("a%d w: %d parameters, jammy_flows has %d", d, l.NumParams(), want)
		}
		checkLayer(t, "w", l, d, perturbed(l, 0.05, rng), false)
	}
}

func TestU(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for d := 1; d <= 3; d++ {
		l, err := newU(simplexDef(d))
		if err != nil {
			t.Fatal(err)
		}
		if l.NumParams() != d+2 {
			t.Errorf("a%d u: %d parameters, want %d", d, l.NumParams(), d+2)
		}
		checkLayer(t, "u", l, d, perturbed(l, 0.2, rng), true)
	}
}

// TestGumbelNormal: the normal ↔ Gumbel maps invert each other from the far lower tail to the far
// upper tail (where 1 − F is subnormal or below), log Φ is continuous where it changes formulas, and the slope matches finite
// differences.
func TestGumbelNormal(t *testing.T) {
	for _, z := range []float64{-1e5, -60, -38, -37.0000001, -20, -3, -0.1, 0, 0.7, 5, 9, 30, 37, 37.5, 38, 45, 60} {
		g := -logNegLogPhi(z)
		if back := gumbelToNormal(g); math.Abs(back-z) > 1e-12*math.Max(1, math.Abs(z)) {
			t.Errorf("z=%g: g=%g maps back to %.17g", z, g, back)
		}
		const h = 1e-5
		fd := (logNegLogPhi(z-h) - logNegLogPhi(z+h)) / (2 * h)
		if s := expSlope(z); math.Abs(s-fd) > 1e-6*math.Max(1, s) {
			t.Errorf("z=%g: slope %.12g, finite difference %.12g", z, s, fd)
		}
	}
	a, b := logNormalCDF(asymptoticBelow), logNormalCDF(math.Nextafter(asymptoticBelow, -100))
	if math.Abs(a-b) > 1e-13*math.Abs(a) {
		t.Errorf("log Φ jumps at %d: %.17g vs %.17g", asymptoticBelow, a, b)
	}
}

// logAbsDet is log|det A| of the n x n row-major matrix a.
func logAbsDet(a []float64, n int) float64 {
	v, _ := mat.LogDet(mat.NewDense(n, n, a))
	return v
}
