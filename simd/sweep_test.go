package simd

import (
	"fmt"
	"os"
	"testing"
)

func BenchmarkSweep(b *testing.B) {
	var kc, mc, nc int
	fmt.Sscanf(os.Getenv("SWEEP"), "%d,%d,%d", &kc, &mc, &nc)
	for _, l := range []level{levelAVX2} {
		k := *levelKernels(l).gemm
		k.kc, k.mc, k.nc = kc, mc, nc
		for _, s := range gemmBenchShapes {
			if s.name != "10000x1281*1281x128" && s.name != "(10000x128)T*10000x1281" && s.name != "10000x128*128x1281" {
				continue
			}
			g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
			a, lda, bm, ldb, c, ldc := g.operands(func() float64 { return 0.5 })
			b.Run(fmt.Sprintf("%v/%s", l, s.name), func(b *testing.B) {
				withGemm(&k, func() {
					for b.Loop() {
						Dgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, ldc)
					}
				})
				b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
