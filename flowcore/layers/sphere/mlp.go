package sphere

import (
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// amortMLP is jammy_flows' AmortizableMLP without highway connections, as used inside layers n
// and f: Linear–tanh–…–Linear whose weights arrive as a parameter row (one row shared by all
// events, or one row per event when the owning layer is conditional). A matrix with a requested
// rank r > 0 is stored as factors U (out x r) and Vᵀ (r x in), W = U·Vᵀ, when that is smaller
// than the full matrix ("smart" mode; r is capped at min(in, out)). Flat layout per matrix:
// [W (out x in, row-major) or U (out x r) then Vᵀ (r x in)][bias (out)] — with full matrices the
// layout of flowcore/nn and torch.nn.Linear.
type amortMLP struct {
	sizes []int
	// ranks[l] is the factor rank of matrix l, 0 for a full matrix.
	ranks []int
}

// newAmortMLP returns the MLP in → hidden → out with the requested rank for every matrix
// (rank <= 0: full matrices).
func newAmortMLP(in int, hidden []int, out, rank int) amortMLP {
	m := amortMLP{sizes: append(append([]int{in}, hidden...), out)}
	for l := 0; l+1 < len(m.sizes); l++ {
		a, b := m.sizes[l], m.sizes[l+1]
		r := 0
		if rank > 0 {
			if k := min(rank, a, b); k*(a+b) < a*b {
				r = k
			}
		}
		m.ranks = append(m.ranks, r)
	}
	return m
}

// weights is the number of weight entries of matrix l.
func (m amortMLP) weights(l int) int {
	in, out := m.sizes[l], m.sizes[l+1]
	if r := m.ranks[l]; r > 0 {
		return r * (in + out)
	}
	return in * out
}

func (m amortMLP) numParams() int {
	n := 0
	for l := range m.ranks {
		n += m.weights(l) + m.sizes[l+1]
	}
	return n
}

// apply evaluates the MLP on x (R x in) with the parameter row(s) p.
func (m amortMLP) apply(x, p *ad.Node) *ad.Node {
	off := 0
	h := x
	for l, r := range m.ranks {
		in, out := m.sizes[l], m.sizes[l+1]
		b := ad.Cols(p, off+m.weights(l), out)
		if r == 0 {
			h = rowLinear(h, ad.Cols(p, off, out*in), b, in, out)
		} else {
			v := rowLinear(h, ad.Cols(p, off+out*r, r*in), nil, in, r)
			h = rowLinear(v, ad.Cols(p, off, out*r), b, r, out)
		}
		off += m.weights(l) + out
		if l+1 < len(m.ranks) {
			h = ad.Tanh(h)
		}
	}
	return h
}

// initParams follows AmortizableMLP's initialization with a fixed final bias: full matrices and
// their biases uniform in ±1/√fan_in (torch.nn.Linear's default), factors and the biases of
// factored matrices standard normal, everything divided by damping, then the final bias replaced.
func (m amortMLP) initParams(rng *rand.Rand, damping float64, finalBias []float64) []float64 {
	p := make([]float64, 0, m.numParams())
	for l, r := range m.ranks {
		n := m.weights(l) + m.sizes[l+1]
		bound := 1 / math.Sqrt(float64(m.sizes[l]))
		for i := 0; i < n; i++ {
			v := rng.NormFloat64()
			if r == 0 {
				v = (2*rng.Float64() - 1) * bound
			}
			p = append(p, v/damping)
		}
	}
	copy(p[len(p)-len(finalBias):], finalBias)
	return p
}

// rowLinear returns y_i = W_i·x_i + b_i for weights w (1 or R rows of out·in values, row-major
// out x in) and biases b (1 or R rows of out values, or nil for none), as one op with its
// vector-Jacobian product; one-row weights are shared by all rows of x.
func rowLinear(x, w, b *ad.Node, in, out int) *ad.Node {
	t := x.Tape()
	r := max(x.R, w.R)
	row := func(n *ad.Node, i, size int) int {
		if n.R == 1 {
			return 0
		}
		return i * size
	}
	y := t.New(r, out)
	for i := 0; i < r; i++ {
		xi := x.Val[row(x, i, in) : row(x, i, in)+in]
		wi := w.Val[row(w, i, in*out) : row(w, i, in*out)+in*out]
		for j := 0; j < out; j++ {
			s := 0.0
			if b != nil {
				s = b.Val[row(b, i, out)+j]
			}
			for k, v := range wi[j*in : (j+1)*in] {
				s += v * xi[k]
			}
			y.Val[i*out+j] = s
		}
	}
	t.Record([]*ad.Node{y}, []*ad.Node{x, w, b}, func() {
		g := y.Grad()
		for i := 0; i < r; i++ {
			xo, wo := row(x, i, in), row(w, i, in*out)
			xi, wi, gi := x.Val[xo:xo+in], w.Val[wo:wo+in*out], g[i*out:(i+1)*out]
			if x.NeedsGrad() {
				gx := x.Grad()[xo : xo+in]
				for j, gj := range gi {
					for k, v := range wi[j*in : (j+1)*in] {
						gx[k] += gj * v
					}
				}
			}
			if w.NeedsGrad() {
				gw := w.Grad()[wo : wo+in*out]
				for j, gj := range gi {
					for k, v := range xi {
						gw[j*in+k] += gj * v
					}
				}
			}
			if b != nil && b.NeedsGrad() {
				gb := b.Grad()[row(b, i, out) : row(b, i, out)+out]
				for j, gj := range gi {
					gb[j] += gj
				}
			}
		}
	})
	return y
}
