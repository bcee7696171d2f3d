package simd

import (
	"fmt"
	"sync"
)

// A gemmKernel is a register-blocked GEMM micro-kernel. tiles sets C = alpha·Ã·B̃ + beta·C on
// a column of n full mr×nr tiles of a row-major C with leading dimension ldc (tile t starts at
// row t·mr), where tile t's Ã holds k groups of mr values at a[t*k*mr:] (group p is column p of
// the A block) and the shared B̃ holds k groups of nr values (group p is row p of the B block).
// When beta == 0, C is only written (NaN or Inf in it do not propagate). n and k are positive.
type gemmKernel struct {
	name       string
	mr, nr     int
	kc, mc, nc int
	tiles      func(n, k int, a, b, c []float64, ldc int, alpha, beta float64)
}

// blockK returns the depth of the next k block when k remain: k itself if it is at most
// 5/4·kc, otherwise a share of k close to kc chosen so that no thin last block is left (a thin
// block would cost a whole pass over C for little work).
func (kern *gemmKernel) blockK(k int) int {
	if k <= kern.kc+kern.kc/4 {
		return k
	}
	blocks := k / kern.kc
	if k%kern.kc > kern.kc/4 {
		blocks++
	}
	return (k + blocks - 1) / blocks
}

// gemmUse is the GEMM micro-kernel chosen at start-up and gemmLevel its level.
var gemmUse, gemmLevel = pick(active.level, func(k kernels) *gemmKernel { return k.gemm })

// Dgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, as BLAS dgemm does on
// row-major data: op(A) is m×k, op(B) is k×n and C is m×n; op(X) is X, or Xᵀ when transX is
// true. Row i of a stored matrix X starts at x[i*ldx]; the stored A is m×k (k×m if transA) and
// needs lda ≥ max(1, its column count), likewise B and C.
//
// As in BLAS, when beta == 0 C is only written, so NaN or Inf in it do not propagate, and when
// alpha == 0 or k == 0 A and B are not read and C = beta·C. Otherwise NaN and Inf in A and B
// propagate as in a plain triple loop; the products are summed in a different order, and with
// fused multiply-adds, so results agree with the loop to rounding.
//
// Dgemm is single-threaded, safe for concurrent use, and does not allocate in steady state (its
// packing buffers come from a sync.Pool). It panics on negative sizes, too small leading
// dimensions or too short slices.
func Dgemm(transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	checkMatrix("A", transA, m, k, a, lda)
	checkMatrix("B", transB, k, n, b, ldb)
	checkMatrix("C", false, m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	gemmBlocked(gemmUse, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// checkMatrix panics unless x holds the rows×cols matrix op(X) (stored transposed if trans) with
// leading dimension ld.
func checkMatrix(name string, trans bool, rows, cols int, x []float64, ld int) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("simd.Dgemm: op(%s) is %d×%d", name, rows, cols))
	}
	if trans {
		rows, cols = cols, rows
	}
	if ld < max(1, cols) {
		panic(fmt.Sprintf("simd.Dgemm: ld%s = %d < max(1, %d)", name, ld, cols))
	}
	if rows > 0 && cols > 0 && len(x) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("simd.Dgemm: len(%s) = %d < %d for %d×%d with ld %d", name, len(x), (rows-1)*ld+cols, rows, cols, ld))
	}
}

// scaleMatrix sets C = beta·C for the m×n matrix C; beta == 0 overwrites C with zeros.
func scaleMatrix(m, n int, beta float64, c []float64, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// gemmWorkspace holds Dgemm's packing buffers.
type gemmWorkspace struct {
	a, b []float64 // packed blocks of op(A) and op(B)
	tile []float64 // one mr×nr edge tile
}

var gemmPool = sync.Pool{New: func() any { return new(gemmWorkspace) }}

// resize returns s with length n, reallocating only if its capacity is too small.
func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// roundUp rounds n up to a multiple of r.
func roundUp(n, r int) int { return (n + r - 1) / r * r }

// gemmBlocked runs Dgemm's loop nest (BLIS order jc, pc, ic, then the macro-kernel) with the
// micro-kernel kern, for m, n, k > 0 and alpha ≠ 0.
func gemmBlocked(kern *gemmKernel, transA, transB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ws := gemmPool.Get().(*gemmWorkspace)
	defer gemmPool.Put(ws)
	kcMax := min(k, kern.kc+kern.kc/4) // blockK never exceeds this
	ws.a = resize(ws.a, roundUp(min(m, kern.mc), kern.mr)*kcMax)
	ws.b = resize(ws.b, roundUp(min(n, kern.nc), kern.nr)*kcMax)
	ws.tile = resize(ws.tile, kern.mr*kern.nr)
	for jc := 0; jc < n; jc += kern.nc {
		nc := min(kern.nc, n-jc)
		for pc, kc := 0, 0; pc < k; pc += kc {
			kc = kern.blockK(k - pc)
			// Row p of the packed panel is op(B)[pc+p, jc:jc+nc].
			if transB {
				pack(ws.b, b[jc*ldb+pc:], ldb, true, kc, nc, kern.nr)
			} else {
				pack(ws.b, b[pc*ldb+jc:], ldb, false, kc, nc, kern.nr)
			}
			betaBlock := beta
			if pc > 0 {
				betaBlock = 1
			}
			for ic := 0; ic < m; ic += kern.mc {
				mc := min(kern.mc, m-ic)
				// Row p of the packed block is op(A)[ic:ic+mc, pc+p].
				if transA {
					pack(ws.a, a[pc*lda+ic:], lda, false, kc, mc, kern.mr)
				} else {
					pack(ws.a, a[ic*lda+pc:], lda, true, kc, mc, kern.mr)
				}
				gemmMacro(kern, mc, nc, kc, alpha, ws.a, ws.b, betaBlock, c[ic*ldc+jc:], ldc, ws.tile)
			}
		}
	}
}

// pack copies the kc×w matrix X into dst as slivers of width columns, zero-padding the last:
// dst[s*kc*width + p*width + j] = X[p, s*width+j]. X[p, j] is src[p*ld+j], or src[j*ld+p] when
// byCol is true (X stored transposed). Either way src is read row after row, so that hardware
// prefetching streams it from memory.
func pack(dst, src []float64, ld int, byCol bool, kc, w, width int) {
	if !byCol {
		for p := 0; p < kc; p++ {
			row := src[p*ld:][:w]
			for j0 := 0; j0 < w; j0 += width {
				d := dst[j0*kc+p*width:][:width]
				n := copy(d, row[j0:])
				clear(d[n:])
			}
		}
		return
	}
	for j0 := 0; j0 < w; j0 += width {
		d := dst[j0*kc : (j0+width)*kc]
		jw := min(width, w-j0)
		j := 0
		for ; j+4 <= jw; j += 4 { // four source rows at a time: contiguous 4-value stores
			r0 := src[(j0+j)*ld:][:kc]
			r1 := src[(j0+j+1)*ld:][:kc]
			r2 := src[(j0+j+2)*ld:][:kc]
			r3 := src[(j0+j+3)*ld:][:kc]
			for p := range r0 {
				q := d[p*width+j:][:4]
				q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
			}
		}
		for ; j < jw; j++ {
			for p, v := range src[(j0+j)*ld:][:kc] {
				d[p*width+j] = v
			}
		}
		for p := 0; jw < width && p < kc; p++ {
			clear(d[p*width+jw : (p+1)*width])
		}
	}
}

// gemmMacro updates the mc×nc block C from the packed blocks pa (mc×kc) and pb (kc×nc), one
// column of micro-tiles at a time. Edge tiles are computed into tile and merged.
func gemmMacro(kern *gemmKernel, mc, nc, kc int, alpha float64, pa, pb []float64, beta float64, c []float64, ldc int, tile []float64) {
	mr, nr := kern.mr, kern.nr
	for jr := 0; jr < nc; jr += nr {
		nw := min(nr, nc-jr)
		bs := pb[jr*kc : (jr+nr)*kc]
		ir := 0
		if full := mc / mr; nw == nr && full > 0 {
			kern.tiles(full, kc, pa[:full*mr*kc], bs, c[jr:], ldc, alpha, beta)
			ir = full * mr
		}
		for ; ir < mc; ir += mr {
			mw := min(mr, mc-ir)
			kern.tiles(1, kc, pa[ir*kc:(ir+mr)*kc], bs, tile, nr, alpha, 0)
			for i := 0; i < mw; i++ {
				cr := c[(ir+i)*ldc+jr : (ir+i)*ldc+jr+nw]
				tr := tile[i*nr : i*nr+nw]
				if beta == 0 {
					copy(cr, tr)
					continue
				}
				for j, v := range tr {
					cr[j] = v + beta*cr[j]
				}
			}
		}
	}
}
