package gaussianization

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// correlated returns n points of a shifted, correlated 2-d Gaussian.
func correlated(rng *rand.Rand, n int) []float64 {
	x := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		x[2*i], x[2*i+1] = 3+2*a, -1+1.5*a+0.3*b
	}
	return x
}

func TestInitFromData(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n = 2000
	x := correlated(rng, n)
	for _, iter := range []int{-1, 4, 1} {
		l := build(t, 2, true, map[string]any{optHouseholder: iter})
		var di layers.DataInitializer = l
		p, mapped, err := di.InitFromData(x, n, rng)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != l.NumParams() || len(mapped) != len(x) {
			t.Fatalf("%d params (want %d), %d mapped values", len(p), l.NumParams(), len(mapped))
		}
		// The offset is the mean; the mapping is the layer's own.
		tp := ad.NewTape(false)
		z, _ := l.Inverse(tp.Const(n, 2, x), tp.Const(1, len(p), p))
		for i := range mapped {
			if mapped[i] != z.Val[i] {
				t.Fatalf("mapped point %d differs from the layer's inverse", i)
			}
		}
		if math.Abs(p[0]-3) > 0.2 || math.Abs(p[1]+1) > 0.2 {
			t.Errorf("offset %v", p[:2])
		}
		// The rotated points are decorrelated (in 2-d one reflection suffices for det −1 axes).
		rot := l.rot.Matrix(p[2 : 2+l.rot.NumParams()])
		cur := append([]float64(nil), x...)
		for i := 0; i < n; i++ {
			cur[2*i] -= p[0]
			cur[2*i+1] -= p[1]
		}
		rotate(rot, cur, n, 2)
		cov := 0.0
		for i := 0; i < n; i++ {
			cov += cur[2*i] * cur[2*i+1]
		}
		if math.Abs(cov/n) > 1e-9 {
			t.Errorf("num_householder_iter %d: rotated points still correlated (%g)", iter, cov/n)
		}
		// Means are percentiles of the rotated points; widths 1.5 × the smallest gap.
		col := make([]float64, n)
		for i := range col {
			col[i] = cur[2*i+1]
		}
		sort.Float64s(col)
		off := 2 + l.rot.NumParams()
		if p[off+1] != col[0] || math.Abs(p[off+19]-col[n-1]) > 1e-12 {
			t.Errorf("means of dimension 1: first %g (min %g), last %g (max %g)", p[off+1], col[0], p[off+19], col[n-1])
		}
		gap := math.Inf(1)
		for k := 1; k < 10; k++ {
			gap = math.Min(gap, p[off+2*k+1]-p[off+2*(k-1)+1])
		}
		if math.Abs(p[off+21]-math.Log(1.5*gap)) > 1e-12 {
			t.Errorf("raw log-width %g, want %g", p[off+21], math.Log(1.5*gap))
		}
	}
}

func TestInitFromDataVariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	x := correlated(rng, 300)
	for _, opts := range []map[string]any{
		{optCenterMean: 1, optSkewness: 1}, {optRotation: "angles"}, {optRotation: "triangular_combination"},
		{optRotation: "none", optFitNorm: 0}, {optNumKDE: 1},
	} {
		l := build(t, 2, false, opts)
		p, mapped, err := l.InitFromData(x, 300, rng)
		if err != nil || len(p) != l.NumParams() {
			t.Fatalf("%v: %v, %d params", opts, err, len(p))
		}
		for _, v := range mapped {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%v: mapped value %g", opts, v)
			}
		}
	}
	// Not the layer next to the data: random reflections.
	opts := Entry.Schema.Defaults()
	l, _ := Entry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Euclidean, Dim: 2}, Index: 0, Count: 2}, opts)
	if _, _, err := l.(*Layer).InitFromData(x, 300, rng); err != nil {
		t.Fatal(err)
	}
	rq := build(t, 2, false, map[string]any{optStretch: "rq_splines"})
	if _, _, err := rq.InitFromData(x, 300, rng); err == nil {
		t.Error("rq_splines data initialization: no error")
	}
	if _, _, err := build(t, 2, false, nil).InitFromData(x[:5], 3, rng); err == nil {
		t.Error("inconsistent point count: no error")
	}
}
