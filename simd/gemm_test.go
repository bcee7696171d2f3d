package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmKernels returns the GEMM micro-kernels this build and CPU can run, lowest level first.
func gemmKernels() []*gemmKernel {
	var out []*gemmKernel
	for l := levelGeneric; l < numLevels; l++ {
		if k := levelKernels(l).gemm; k != nil && cpuSupports(l) {
			out = append(out, k)
		}
	}
	return out
}

// withGemm runs f with kern as Dgemm's micro-kernel.
func withGemm(kern *gemmKernel, f func()) {
	saved := gemmUse
	gemmUse = kern
	defer func() { gemmUse = saved }()
	f()
}

// naiveGemm is the reference triple loop with BLAS conventions. It also returns, per element
// of C, the magnitude |alpha|·Σ|a·b| + |beta·c| that scales its rounding error; it is zero
// exactly when every product is an exact zero, so that C's element is an exactly signed zero.
func naiveGemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) (scale []float64) {
	scale = make([]float64, m*n)
	at := func(i, p int) float64 {
		if transA {
			return a[p*lda+i]
		}
		return a[i*lda+p]
	}
	bt := func(p, j int) float64 {
		if transB {
			return b[j*ldb+p]
		}
		return b[p*ldb+j]
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			cij := &c[i*ldc+j]
			var s, abs float64
			inexact := false
			if alpha != 0 && k != 0 {
				for p := 0; p < k; p++ {
					x, y := at(i, p), bt(p, j)
					s += x * y
					if x != 0 && y != 0 {
						abs += math.Abs(x * y)
						inexact = true
					}
				}
			}
			abs *= math.Abs(alpha)
			if beta != 0 && *cij != 0 {
				abs += math.Abs(beta * *cij)
				inexact = true
			}
			if inexact { // products that underflow to zero still make the result inexact
				abs = max(abs, math.SmallestNonzeroFloat64)
			}
			switch {
			case beta == 0 && (alpha == 0 || k == 0):
				*cij = 0
			case beta == 0:
				*cij = alpha * s
			case alpha == 0 || k == 0:
				*cij *= beta
			default:
				*cij = alpha*s + beta**cij
			}
			scale[i*n+j] = abs
		}
	}
	return scale
}

// gemmCase is one Dgemm call; lda, ldb, ldc exceed the stored widths by pad.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	pad            int
}

func (g gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g pad=%d", g.transA, g.transB, g.m, g.n, g.k, g.alpha, g.beta, g.pad)
}

// operands returns random A, B, C and leading dimensions for g. fill draws each value.
func (g gemmCase) operands(fill func() float64) (a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	mat := func(rows, cols int) ([]float64, int) {
		ld := max(1, cols) + g.pad
		x := make([]float64, max(0, rows*ld))
		for i := range x {
			x[i] = fill()
		}
		return x, ld
	}
	ra, ca := g.m, g.k
	if g.transA {
		ra, ca = ca, ra
	}
	rb, cb := g.k, g.n
	if g.transB {
		rb, cb = cb, rb
	}
	a, lda = mat(ra, ca)
	b, ldb = mat(rb, cb)
	c, ldc = mat(g.m, g.n)
	return
}

// checkGemm runs Dgemm with the active kernel on g and compares it with naiveGemm.
func checkGemm(t *testing.T, g gemmCase, fill func() float64) {
	t.Helper()
	a, lda, b, ldb, c, ldc := g.operands(fill)
	want := append([]float64(nil), c...)
	scale := naiveGemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
	Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
	tol := 1e-13 * float64(g.k+1)
	for i := 0; i < g.m; i++ {
		for j := 0; j < ldc; j++ {
			x, y := c[i*ldc+j], want[i*ldc+j]
			if j >= g.n {
				if math.Float64bits(x) != math.Float64bits(y) {
					t.Fatalf("%v (%s): padding C[%d,%d] changed to %v", g, gemmUse.name, i, j, x)
				}
				continue
			}
			if !closeTo(x, y, scale[i*g.n+j], tol) {
				t.Fatalf("%v (%s): C[%d,%d] = %v, want %v", g, gemmUse.name, i, j, x, y)
			}
		}
	}
}

// closeTo reports whether x agrees with the reference y, whose error scale is scale, within
// relative tolerance tol: NaN matches NaN, infinities match exactly, exact zeros (scale 0)
// match in sign. An inexact zero's sign depends on whether its products were fused, so it is
// not compared.
func closeTo(x, y, scale, tol float64) bool {
	switch {
	case math.IsNaN(y):
		return math.IsNaN(x)
	case math.IsInf(y, 0):
		return x == y
	case scale == 0:
		return x == y && math.Signbit(x) == math.Signbit(y)
	}
	return math.Abs(x-y) <= tol*scale+2*math.SmallestNonzeroFloat64
}

var alphaBetas = [][2]float64{{1, 0}, {1, 1}, {-0.5, -0.5}, {0, 1}, {0, 0}, {-0.5, 0}, {1, -0.5}, {-0.5, 1}, {0, -0.5}}

func TestDgemmSmallShapes(t *testing.T) {
	const maxDim = 4*8 + 3 // four AVX-512 vectors plus a ragged edge
	for _, kern := range gemmKernels() {
		withGemm(kern, func() {
			rng := rand.New(rand.NewPCG(1, 2))
			fill := func() float64 { return rng.NormFloat64() }
			i := 0
			for m := 0; m <= maxDim; m++ {
				for n := 0; n <= maxDim; n++ {
					for k := 0; k <= maxDim; k += 1 + (m+n)%3 {
						ab := alphaBetas[i%len(alphaBetas)]
						g := gemmCase{transA: i&1 != 0, transB: i&2 != 0, m: m, n: n, k: k, alpha: ab[0], beta: ab[1], pad: i % 3}
						checkGemm(t, g, fill)
						i++
					}
				}
			}
		})
	}
}

func TestDgemmLargeShapes(t *testing.T) {
	shapes := [][3]int{
		{300, 1281, 128}, {300, 128, 7}, {300, 128, 4}, {300, 128, 128}, // seed MLP layers, fewer rows
		{128, 1281, 300}, {128, 128, 300}, // backward Aᵀ·G shapes
		{1, 1, 1000}, {1000, 1, 3}, {1, 1000, 3}, {7, 4100, 3}, // skinny, N across gemmNC
		{150, 37, 600}, {73, 9, 257}, {145, 145, 513}, // across gemmMC and gemmKC
	}
	if testing.Short() {
		shapes = shapes[1:]
	}
	for _, kern := range gemmKernels() {
		withGemm(kern, func() {
			rng := rand.New(rand.NewPCG(3, 4))
			fill := func() float64 { return rng.Float64()*2 - 1 }
			for i, s := range shapes {
				for tr := 0; tr < 4; tr++ {
					ab := alphaBetas[(i+tr)%3]
					checkGemm(t, gemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: s[0], n: s[1], k: s[2], alpha: ab[0], beta: ab[1], pad: (i + tr) % 2 * 5}, fill)
				}
			}
		})
	}
}

// specialFill returns a fill function drawing normal values with a share of NaN, ±Inf, ±0 and
// subnormals.
func specialFill(rng *rand.Rand, share float64) func() float64 {
	specials := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -2.5e-310, math.SmallestNonzeroFloat64 * 3}
	return func() float64 {
		if rng.Float64() < share {
			return specials[rng.IntN(len(specials))]
		}
		return rng.NormFloat64()
	}
}

func TestDgemmSpecialValues(t *testing.T) {
	for _, kern := range gemmKernels() {
		withGemm(kern, func() {
			rng := rand.New(rand.NewPCG(5, 6))
			for i := 0; i < 400; i++ {
				ab := alphaBetas[i%len(alphaBetas)]
				g := gemmCase{transA: i&1 != 0, transB: i&2 != 0, m: rng.IntN(20), n: rng.IntN(20), k: rng.IntN(12), alpha: ab[0], beta: ab[1], pad: i % 2}
				checkGemm(t, g, specialFill(rng, []float64{0.01, 0.1, 0.5}[i%3]))
			}
		})
	}
}

// TestDgemmBetaZeroOverwrites checks that beta == 0 ignores NaN in C on full and edge tiles.
func TestDgemmBetaZeroOverwrites(t *testing.T) {
	for _, kern := range gemmKernels() {
		withGemm(kern, func() {
			m, n, k := 13, 19, 5
			a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
			for i := range a {
				a[i] = 1
			}
			for i := range b {
				b[i] = 2
			}
			for i := range c {
				c[i] = math.NaN()
			}
			Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			for i, v := range c {
				if v != 10 {
					t.Fatalf("%s: C[%d] = %v, want 10", kern.name, i, v)
				}
			}
		})
	}
}

// TestDgemmKernelsAgree compares every kernel with the generic one bit for bit where the math
// is exact (small integers), on shapes crossing every blocking boundary.
func TestDgemmKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	g := gemmCase{transA: true, m: 151, n: 83, k: 300, alpha: -0.5, beta: 1, pad: 3}
	a, lda, b, ldb, c0, ldc := g.operands(func() float64 { return float64(rng.IntN(9) - 4) })
	var want []float64
	for _, kern := range gemmKernels() {
		c := append([]float64(nil), c0...)
		withGemm(kern, func() { Dgemm(g.transA, g.transB, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc) })
		if want == nil {
			want = c
			continue
		}
		for i := range c {
			if c[i] != want[i] {
				t.Fatalf("%s: C[%d] = %v, generic %v", kern.name, i, c[i], want[i])
			}
		}
	}
}

func TestDgemmPanics(t *testing.T) {
	s := make([]float64, 12)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"negative m", func() { Dgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"short lda", func() { Dgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"short ldb transposed", func() { Dgemm(false, true, 2, 3, 2, 1, s, 2, s, 1, 0, s, 3) }},
		{"short c", func() { Dgemm(false, false, 4, 4, 1, 1, s, 1, s, 4, 0, s, 4) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

func TestDgemmNoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops entries under the race detector")
	}
	m, n, k := 40, 50, 30
	a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
	Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	if got := testing.AllocsPerRun(20, func() { Dgemm(false, true, m, m, k, 1, a, k, a, k, 1, c, n) }); got != 0 {
		t.Errorf("Dgemm allocates %v times per call", got)
	}
}

func FuzzDgemm(f *testing.F) {
	f.Add(uint8(7), uint8(9), uint8(3), false, true, 1.0, 0.0, uint64(1), uint8(0))
	f.Add(uint8(13), uint8(17), uint8(31), true, false, -0.5, 1.0, uint64(2), uint8(30))
	f.Add(uint8(1), uint8(0), uint8(5), true, true, 0.0, -0.5, uint64(3), uint8(255))
	f.Fuzz(func(t *testing.T, m, n, k uint8, transA, transB bool, alpha, beta float64, seed uint64, special uint8) {
		if math.IsNaN(alpha) || math.IsInf(alpha, 0) || math.IsNaN(beta) || math.IsInf(beta, 0) || math.Abs(alpha) > 1e6 || math.Abs(beta) > 1e6 {
			t.Skip("alpha and beta are finite and moderate (huge ones make the summation order visible)")
		}
		g := gemmCase{transA: transA, transB: transB, m: int(m % 40), n: int(n % 40), k: int(k % 40), alpha: alpha, beta: beta, pad: int(seed % 3)}
		for _, kern := range gemmKernels() {
			withGemm(kern, func() { checkGemm(t, g, specialFill(rand.New(rand.NewPCG(seed, 9)), float64(special)/255)) })
		}
	})
}

// TestDgemmRowsIndependent checks that a row of C does not depend on the other rows of A: a
// batch and each of its rows alone give bit-identical results, so that a PDF's value for an event
// does not depend on which events are evaluated with it.
func TestDgemmRowsIndependent(t *testing.T) {
	for _, kern := range gemmKernels() {
		withGemm(kern, func() {
			rng := rand.New(rand.NewPCG(7, 8))
			for _, transB := range []bool{false, true} {
				for _, m := range []int{1, 2, 5, 7, 13} {
					n, k := 37, 19
					a, b := make([]float64, m*k), make([]float64, k*n)
					for i := range a {
						a[i] = rng.NormFloat64()
					}
					for i := range b {
						b[i] = rng.NormFloat64()
					}
					ldb := n
					if transB {
						ldb = k
					}
					c := make([]float64, m*n)
					Dgemm(false, transB, m, n, k, 1, a, k, b, ldb, 0, c, n)
					for i := 0; i < m; i++ {
						row := make([]float64, n)
						Dgemm(false, transB, 1, n, k, 1, a[i*k:(i+1)*k], k, b, ldb, 0, row, n)
						for j, v := range row {
							if v != c[i*n+j] {
								t.Fatalf("%s transB=%v m=%d: row %d col %d alone %v, in the batch %v", kern.name, transB, m, i, j, v, c[i*n+j])
							}
						}
					}
				}
			}
		})
	}
}
