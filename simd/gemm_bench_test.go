package simd

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmBenchShapes are the seed example's MLP layers (batch 10,000): forward x·Wᵀ and the
// backward products G·W and Gᵀ·X.
var gemmBenchShapes = []struct {
	name           string
	transA, transB bool
	m, n, k        int
}{
	{"10000x128*128x1281", false, false, 10000, 1281, 128},
	{"10000x7*7x128", false, false, 10000, 128, 7},
	{"10000x4*4x128", false, false, 10000, 128, 4},
	{"10000x128*128x128", false, false, 10000, 128, 128},
	{"256x128*128x1281", false, false, 256, 1281, 128},
	{"10000x128*(1281x128)T", false, true, 10000, 1281, 128},   // forward Linear: x·Wᵀ
	{"(10000x128)T*10000x1281", true, false, 128, 1281, 10000}, // weight gradient Xᵀ·G
	{"10000x1281*1281x128", false, false, 10000, 128, 1281},    // input gradient G·W
}

// BenchmarkDgemm reports GFLOP/s of C = A·B (alpha = 1, beta = 0) for every kernel this CPU
// runs and for gonum's blas64.Gemm. testdata/numpy_gemm.py measures numpy on the same shapes.
func BenchmarkDgemm(b *testing.B) {
	for _, s := range gemmBenchShapes {
		g := gemmCase{transA: s.transA, transB: s.transB, m: s.m, n: s.n, k: s.k, alpha: 1}
		a, lda, bm, ldb, c, ldc := g.operands(func() float64 { return 0.5 })
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		report := func(b *testing.B) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		for _, kern := range gemmKernels() {
			b.Run(fmt.Sprintf("%s/%s", levelOf(kern), s.name), func(b *testing.B) {
				withGemm(kern, func() {
					for b.Loop() {
						Dgemm(s.transA, s.transB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, ldc)
					}
				})
				report(b)
			})
		}
		b.Run("gonum/"+s.name, func(b *testing.B) {
			ta, tb := blas.NoTrans, blas.NoTrans
			ra, ca, rb, cb := s.m, s.k, s.k, s.n
			if s.transA {
				ta, ra, ca = blas.Trans, ca, ra
			}
			if s.transB {
				tb, rb, cb = blas.Trans, cb, rb
			}
			A := blas64.General{Rows: ra, Cols: ca, Stride: lda, Data: a}
			B := blas64.General{Rows: rb, Cols: cb, Stride: ldb, Data: bm}
			C := blas64.General{Rows: s.m, Cols: s.n, Stride: ldc, Data: c}
			for b.Loop() {
				blas64.Gemm(ta, tb, 1, A, B, 0, C)
			}
			report(b)
		})
	}
}

// levelOf names the level whose kernel kern is.
func levelOf(kern *gemmKernel) level {
	for l := levelGeneric; l < numLevels; l++ {
		if levelKernels(l).gemm == kern {
			return l
		}
	}
	panic("unregistered kernel " + kern.name)
}
