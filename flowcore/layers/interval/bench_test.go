package interval

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// benchPoints returns n points of [0, 1].
func benchPoints(n int) []float64 {
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()
	}
	return x
}

// BenchmarkRInverse is the density direction of a default r layer with broadcast parameters on the
// no-gradient path.
func BenchmarkRInverse(b *testing.B) {
	for _, n := range []int{1, 100, 10000} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			l := build(b, 0, 1, nil)
			params := randomParams(rand.New(rand.NewPCG(8, 8)), l.NumParams())
			x := benchPoints(n)
			tape := ad.NewTape(false)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tape.Reset()
				l.Inverse(tape.Const(n, 1, x), tape.Const(1, len(params), params))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkRDensity is the whole log-density of "i1" with "r" on the no-gradient path: the layer's
// inverse, the interval → Gaussian projection and the base log-density.
func BenchmarkRDensity(b *testing.B) {
	const n = 10000
	l := build(b, 0, 1, nil)
	m, err := manifold.New(spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: 0, High: 1})
	if err != nil {
		b.Fatal(err)
	}
	params := randomParams(rand.New(rand.NewPCG(8, 8)), l.NumParams())
	x := benchPoints(n)
	tape := ad.NewTape(false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tape.Reset()
		y, ld := l.Inverse(tape.Const(n, 1, x), tape.Const(1, len(params), params))
		z, ld2 := m.ToBase(y)
		ad.Add(ad.Add(ld, ld2), ad.AddScalar(ad.Scale(ad.Square(z), -0.5), -0.9189385332046727))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
