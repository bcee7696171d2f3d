package simd

// gemmGeneric is the pure-Go GEMM micro-kernel. Its 2×4 tile keeps the eight accumulators and
// six operands in registers (a 4×4 tile spills and runs a third slower).
var gemmGeneric = gemmKernel{name: "generic 2x4", mr: 2, nr: 4, kc: 256, mc: 72, nc: 4080, tiles: gemmKernel2x4Generic}

// gemmKernel2x4Generic sets C = alpha·Ã·B̃ + beta·C for n stacked 2×4 tiles (see gemmKernel);
// it is the pure-Go twin of the assembly micro-kernels, which compute the same for their mr×nr.
func gemmKernel2x4Generic(n, k int, a, b, c []float64, ldc int, alpha, beta float64) {
	for t := 0; t < n; t++ {
		gemmTile2x4(k, a[t*2*k:(t+1)*2*k], b, c[t*2*ldc:], ldc, alpha, beta)
	}
}

// gemmTile2x4 is gemmKernel2x4Generic for one tile.
func gemmTile2x4(k int, a, b, c []float64, ldc int, alpha, beta float64) {
	var (
		c00, c01, c02, c03 float64
		c10, c11, c12, c13 float64
	)
	a, b = a[:2*k], b[:4*k]
	for len(a) >= 2 && len(b) >= 4 {
		a0, a1 := a[0], a[1]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a, b = a[2:], b[4:]
	}
	storeRow4(c[0:4], alpha, beta, c00, c01, c02, c03)
	storeRow4(c[ldc:ldc+4], alpha, beta, c10, c11, c12, c13)
}

// storeRow4 sets c[j] = alpha·s_j + beta·c[j], or alpha·s_j when beta == 0.
func storeRow4(c []float64, alpha, beta, s0, s1, s2, s3 float64) {
	c = c[:4]
	if beta == 0 {
		c[0], c[1], c[2], c[3] = alpha*s0, alpha*s1, alpha*s2, alpha*s3
		return
	}
	c[0] = alpha*s0 + beta*c[0]
	c[1] = alpha*s1 + beta*c[1]
	c[2] = alpha*s2 + beta*c[2]
	c[3] = alpha*s3 + beta*c[3]
}
