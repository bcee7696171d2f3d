package sphere

import (
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// benchCases are the sphere flows of the benchmark table (docs/benchmarks.md).
var benchCases = []layerCase{
	{name: "s1 m", pdf: "s1", flow: "m"},
	{name: "s1 o", pdf: "s1", flow: "o"},
	{name: "s2 f", pdf: "s2", flow: "f"},
	{name: "s2 f recommended x15", pdf: "s2", flow: "fffffffffffffff", opts: map[string]map[string]any{"f": RecommendedF}},
	{name: "s2 v", pdf: "s2", flow: "v"},
	{name: "s2 n", pdf: "s2", flow: "n"},
}

// BenchmarkDensity is log p of 10,000 points (layers and projection, no gradients).
func BenchmarkDensity(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			fl := c.build(&testing.T{})
			const n = 10000
			x := interiorPoints(rand.New(rand.NewPCG(1, 1)), fl.m.Dim(), n)
			tp := ad.NewTape(false)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tp.Reset()
				flowLogPDF(fl.m, fl.ls, tp.Const(n, fl.m.Dim(), x), tp.Const(1, len(fl.params), fl.params))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkSample maps 10,000 base points to the manifold with their log p.
func BenchmarkSample(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			fl := c.build(&testing.T{})
			const n = 10000
			z := normals(rand.New(rand.NewPCG(2, 2)), n*fl.m.BaseDim())
			tp := ad.NewTape(false)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tp.Reset()
				flowSample(fl.m, fl.ls, tp.Const(n, fl.m.BaseDim(), z), tp.Const(1, len(fl.params), fl.params))
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
