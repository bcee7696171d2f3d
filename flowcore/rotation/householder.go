package rotation

import "math"

// householder is Q = H_1·H_2·…·H_n with H_j = I − 2 v̂_j v̂_jᵀ, v̂_j = v_j/|v_j| (product in index
// order, as jammy_flows). Q·x applies H_n first; Qᵀ·x = Q⁻¹·x applies H_1 first.
// Coefficients: the unit vectors v̂ (n·d), then the norms |v_j| (n).
type householder struct{ d, n int }

func newHouseholder(d, n int) householder { return householder{d: d, n: n} }

func (h householder) numCoefs() int { return h.n*h.d + h.n }

// workSize: the n+1 intermediate vectors and one gradient vector.
func (h householder) workSize() int { return (h.n + 2) * h.d }

func (h householder) coefs(p, c []float64) {
	d := h.d
	for j := 0; j < h.n; j++ {
		v := p[j*d : (j+1)*d]
		norm := 0.0
		for _, a := range v {
			norm += a * a
		}
		norm = math.Sqrt(norm)
		for i, a := range v {
			c[j*d+i] = a / norm
		}
		c[h.n*d+j] = norm
	}
}

// step returns the index of the reflection applied at position s of the sequence.
func (h householder) step(s int, inverse bool) int {
	if inverse {
		return s
	}
	return h.n - 1 - s
}

// reflect writes H_j·x to y (x and y may be the same slice).
func reflect(v, x, y []float64) {
	dot := 0.0
	for i, a := range v {
		dot += a * x[i]
	}
	for i, a := range v {
		y[i] = x[i] - 2*dot*a
	}
}

func (h householder) apply(c, x, y, _ []float64, inverse bool) {
	d := h.d
	copy(y, x)
	for s := 0; s < h.n; s++ {
		j := h.step(s, inverse)
		reflect(c[j*d:(j+1)*d], y, y)
	}
}

func (h householder) backward(c, x, g, gx, gc, work []float64, inverse bool) {
	d := h.d
	states := work[:(h.n+1)*d]
	copy(states, x)
	for s := 0; s < h.n; s++ {
		j := h.step(s, inverse)
		reflect(c[j*d:(j+1)*d], states[s*d:(s+1)*d], states[(s+1)*d:(s+2)*d])
	}
	gcur := work[(h.n+1)*d : (h.n+2)*d]
	copy(gcur, g)
	for s := h.n - 1; s >= 0; s-- {
		j := h.step(s, inverse)
		v, xs := c[j*d:(j+1)*d], states[s*d:(s+1)*d]
		vx, vg := 0.0, 0.0
		for i, a := range v {
			vx += a * xs[i]
			vg += a * gcur[i]
		}
		gv := gc[j*d : (j+1)*d]
		for i := range v {
			gv[i] -= 2 * (vx*gcur[i] + vg*xs[i])
		}
		for i, a := range v {
			gcur[i] -= 2 * vg * a
		}
	}
	for i, a := range gcur {
		gx[i] += a
	}
}

// paramGrad maps the gradient with respect to v̂ to v: (I − v̂v̂ᵀ)·g/|v|.
func (h householder) paramGrad(_, c, gc, gp []float64) {
	d := h.d
	for j := 0; j < h.n; j++ {
		v, gv := c[j*d:(j+1)*d], gc[j*d:(j+1)*d]
		norm := c[h.n*d+j]
		dot := 0.0
		for i, a := range v {
			dot += a * gv[i]
		}
		for i, a := range v {
			gp[j*d+i] += (gv[i] - dot*a) / norm
		}
	}
}
