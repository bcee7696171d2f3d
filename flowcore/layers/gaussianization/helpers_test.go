package gaussianization

import (
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// build returns a g layer on e<d> with the given option overrides.
func build(t testing.TB, d int, offset bool, over map[string]any) *Layer {
	t.Helper()
	opts := Entry.Schema.Defaults()
	for k, v := range over {
		if err := Entry.Schema.Set(opts, k, v); err != nil {
			t.Fatal(err)
		}
	}
	ctx := layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Euclidean, Dim: d}, Count: 1, ModelOffset: offset}
	l, err := Entry.New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return l.(*Layer)
}

// randParams returns rows parameter rows: the default initial values plus noise of the given size.
func randParams(l *Layer, rng *rand.Rand, rows int, noise float64) []float64 {
	var p []float64
	for r := 0; r < rows; r++ {
		for _, v := range l.InitialParams(rng) {
			p = append(p, v+noise*rng.NormFloat64())
		}
	}
	return p
}

// randPoints returns n x d standard-normal values scaled by s.
func randPoints(rng *rand.Rand, n, d int, s float64) []float64 {
	v := make([]float64, n*d)
	for i := range v {
		v[i] = s * rng.NormFloat64()
	}
	return v
}

// input wraps values as a gradient-check input.
func input(r, c int, v []float64) adtest.Input { return adtest.Input{R: r, C: c, Val: v} }
