package rotation

import "math"

// triangular is jammy_flows' triangular_combination M = L·D·U: L unit lower triangular from the
// first d(d−1)/2 parameters, D = diag(exp(δ)) with δ = (δ_1 … δ_{d−1}, −Σδ) from the next d−1
// (so det M = 1), U unit upper triangular from the last d(d−1)/2 (the transpose of a lower matrix
// filled the same way). A strictly lower matrix is filled diagonal by diagonal, from the outermost
// (entry (d−1, 0)) to the first sub-diagonal, each from its top-left end.
// Coefficients: dense L (d·d), the d diagonal factors exp(δ), dense U (d·d).
type triangular struct {
	d   int
	pos [][2]int // (row, column) in the lower matrix of each triangle parameter
}

func newTriangular(d int) triangular {
	t := triangular{d: d}
	for ind := 0; ind < d-1; ind++ {
		k := d - 1 - ind
		for j := 0; j <= ind; j++ {
			t.pos = append(t.pos, [2]int{j + k, j})
		}
	}
	return t
}

func (t triangular) numCoefs() int { return 2*t.d*t.d + t.d }

// workSize: three intermediate vectors and one gradient vector.
func (t triangular) workSize() int { return 4 * t.d }

// parts splits coefficients (or their gradients) into L, diag, U.
func (t triangular) parts(c []float64) (l, diag, u []float64) {
	dd := t.d * t.d
	return c[:dd], c[dd : dd+t.d], c[dd+t.d:]
}

func (t triangular) coefs(p, c []float64) {
	d, m := t.d, len(t.pos)
	l, diag, u := t.parts(c)
	clear(l)
	clear(u)
	for i := 0; i < d; i++ {
		l[i*d+i], u[i*d+i] = 1, 1
	}
	for k, ij := range t.pos {
		l[ij[0]*d+ij[1]] = p[k]
		u[ij[1]*d+ij[0]] = p[m+d-1+k]
	}
	last := 0.0
	for i := 0; i < d-1; i++ {
		diag[i] = math.Exp(p[m+i])
		last -= p[m+i]
	}
	diag[d-1] = math.Exp(last)
}

// mul writes a·x to y (a dense, x and y distinct); trans uses aᵀ.
func mul(a, x, y []float64, d int, trans bool) {
	for i := 0; i < d; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			if trans {
				s += a[j*d+i] * x[j]
			} else {
				s += a[i*d+j] * x[j]
			}
		}
		y[i] = s
	}
}

// solve writes a⁻¹·x to y for a unit triangular a (lower if lower, else upper); trans solves with
// aᵀ (which swaps the triangle).
func solve(a, x, y []float64, d int, lower, trans bool) {
	at := func(i, j int) float64 {
		if trans {
			return a[j*d+i]
		}
		return a[i*d+j]
	}
	if lower != trans {
		for i := 0; i < d; i++ {
			s := x[i]
			for j := 0; j < i; j++ {
				s -= at(i, j) * y[j]
			}
			y[i] = s
		}
		return
	}
	for i := d - 1; i >= 0; i-- {
		s := x[i]
		for j := i + 1; j < d; j++ {
			s -= at(i, j) * y[j]
		}
		y[i] = s
	}
}

func (t triangular) apply(c, x, y, work []float64, inverse bool) {
	d := t.d
	l, diag, u := t.parts(c)
	a, b := work[:d], work[d:2*d]
	if inverse {
		solve(l, x, a, d, true, false)
		for i := range a {
			a[i] /= diag[i]
		}
		solve(u, a, y, d, false, false)
		return
	}
	mul(u, x, b, d, false)
	for i := range b {
		b[i] *= diag[i]
	}
	mul(l, b, y, d, false)
}

func (t triangular) backward(c, x, g, gx, gc, work []float64, inverse bool) {
	d := t.d
	l, diag, u := t.parts(c)
	gl, gdiag, gu := t.parts(gc)
	a, b, h, y := work[:d], work[d:2*d], work[2*d:3*d], work[3*d:4*d]
	// outer adds s·p qᵀ to the strict triangle of a gradient matrix.
	outer := func(gm []float64, s float64, p, q []float64, lower bool) {
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				if (lower && i > j) || (!lower && i < j) {
					gm[i*d+j] += s * p[i] * q[j]
				}
			}
		}
	}
	if inverse {
		// a = L⁻¹x, b = D⁻¹a, y = U⁻¹b.
		solve(l, x, a, d, true, false)
		for i := range a {
			b[i] = a[i] / diag[i]
		}
		solve(u, b, y, d, false, false)
		solve(u, g, h, d, false, true) // h = U⁻ᵀ g = ∂/∂b
		outer(gu, -1, h, y, false)
		for i := range h {
			gdiag[i] -= h[i] * b[i]
			h[i] /= diag[i] // ∂/∂a
		}
		solve(l, h, b, d, true, true) // b = L⁻ᵀ(∂/∂a) = ∂/∂x
		outer(gl, -1, b, a, true)
		for i := range b {
			gx[i] += b[i]
		}
		return
	}
	// a = U x, b = D a, y = L b.
	mul(u, x, a, d, false)
	for i := range a {
		b[i] = a[i] * diag[i]
	}
	outer(gl, 1, g, b, true)
	mul(l, g, h, d, true) // ∂/∂b
	for i := range h {
		gdiag[i] += h[i] * b[i]
		h[i] *= diag[i] // ∂/∂a
	}
	outer(gu, 1, h, x, false)
	mul(u, h, a, d, true)
	for i := range a {
		gx[i] += a[i]
	}
}

func (t triangular) paramGrad(_, _, gc, gp []float64) {
	d, m := t.d, len(t.pos)
	gl, gdiag, gu := t.parts(gc)
	for k, ij := range t.pos {
		gp[k] += gl[ij[0]*d+ij[1]]
		gp[m+d-1+k] += gu[ij[1]*d+ij[0]]
	}
	for i := 0; i < d-1; i++ {
		gp[m+i] += gdiag[i] - gdiag[d-1]
	}
}
