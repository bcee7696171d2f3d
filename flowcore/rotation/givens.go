package rotation

import "math"

// givens is a product of planar rotations G_m·…·G_1 over index pairs (a, b); G_t is the identity
// except G[a][a] = G[b][b] = c_t, G[a][b] = s_t, G[b][a] = −s_t. M·x applies G_1 first.
//
// angles: one angle θ per pair a<b in lexicographic order, c = cos θ, s = sin θ (each new rotation
// multiplied from the left, as jammy_flows). cayley (2-d): one parameter p and the Cayley rotation
// [[1−p², −2p], [2p, 1−p²]]/(1+p²), i.e. c = (1−p²)/(1+p²), s = −2p/(1+p²).
// Coefficients: (c_t, s_t) per pair.
type givens struct {
	d      int
	pairs  [][2]int
	cayley bool
}

func newAngles(d int) givens {
	g := givens{d: d}
	for a := 0; a < d; a++ {
		for b := a + 1; b < d; b++ {
			g.pairs = append(g.pairs, [2]int{a, b})
		}
	}
	return g
}

func newCayley() givens { return givens{d: 2, pairs: [][2]int{{0, 1}}, cayley: true} }

func (g givens) numCoefs() int { return 2 * len(g.pairs) }

// workSize: the current vector, the two entries before every step, one gradient vector.
func (g givens) workSize() int { return 2*g.d + 2*len(g.pairs) }

func (g givens) coefs(p, c []float64) {
	for t, v := range p {
		if g.cayley {
			q := 1 / (1 + v*v)
			c[2*t], c[2*t+1] = (1-v*v)*q, -2*v*q
		} else {
			c[2*t+1], c[2*t] = math.Sincos(v)
		}
	}
}

// step returns the pair index applied at position s and the sign of its sine (−1 for Gᵀ).
func (g givens) step(s int, inverse bool) (int, float64) {
	if inverse {
		return len(g.pairs) - 1 - s, -1
	}
	return s, 1
}

// rotate applies step s to y in place and returns the two entries it read.
func (g givens) rotate(c, y []float64, s int, inverse bool) (float64, float64) {
	t, sign := g.step(s, inverse)
	a, b := g.pairs[t][0], g.pairs[t][1]
	cs, sn := c[2*t], sign*c[2*t+1]
	ya, yb := y[a], y[b]
	y[a], y[b] = cs*ya+sn*yb, -sn*ya+cs*yb
	return ya, yb
}

func (g givens) apply(c, x, y, _ []float64, inverse bool) {
	copy(y, x)
	for s := range g.pairs {
		g.rotate(c, y, s, inverse)
	}
}

func (g givens) backward(c, x, gy, gx, gc, work []float64, inverse bool) {
	d, m := g.d, len(g.pairs)
	y, pre, gcur := work[:d], work[d:d+2*m], work[d+2*m:2*d+2*m]
	copy(y, x)
	for s := 0; s < m; s++ {
		pre[2*s], pre[2*s+1] = g.rotate(c, y, s, inverse)
	}
	copy(gcur, gy)
	for s := m - 1; s >= 0; s-- {
		t, sign := g.step(s, inverse)
		a, b := g.pairs[t][0], g.pairs[t][1]
		cs, sn := c[2*t], sign*c[2*t+1]
		xa, xb, ga, gb := pre[2*s], pre[2*s+1], gcur[a], gcur[b]
		gc[2*t] += ga*xa + gb*xb
		gc[2*t+1] += sign * (ga*xb - gb*xa)
		gcur[a], gcur[b] = cs*ga-sn*gb, sn*ga+cs*gb
	}
	for i, v := range gcur {
		gx[i] += v
	}
}

func (g givens) paramGrad(p, c, gc, gp []float64) {
	for t, v := range p {
		if g.cayley {
			q := 1 / (1 + v*v)
			gp[t] += gc[2*t]*(-4*v*q*q) + gc[2*t+1]*(-2*(1-v*v)*q*q)
		} else {
			gp[t] += -c[2*t+1]*gc[2*t] + c[2*t]*gc[2*t+1]
		}
	}
}
