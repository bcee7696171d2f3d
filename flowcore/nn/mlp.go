// Package nn holds the conditioning networks of gojammy: Linear–tanh–…–Linear MLPs with the
// parameter layout of torch.nn.Linear (full matrices) and of jammy_flows' AmortizableMLP
// (optionally low-rank matrices), so that weights can move between gojammy and jammy_flows.
package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// MLP is a stack of linear maps with tanh between consecutive maps and no final activation.
// Its weights arrive as a flat parameter row, shared by all events (one row) or one row per event.
//
// Flat layout per linear map: [W (out x in, row-major), or U (out x r) then Vᵀ (r x in) for a
// factored matrix W = U·Vᵀ][bias (out)]. With full matrices this is torch.nn.Linear's layout.
type MLP struct {
	// Sizes lists the widths: input, hidden..., output.
	Sizes []int
	// Ranks[l] is the factor rank of matrix l, 0 for a full matrix.
	Ranks []int
}

// ParseHidden parses jammy_flows' amortization_mlp_dims ("128", "64-64", "" for none).
func ParseHidden(dims string) ([]int, error) {
	if strings.TrimSpace(dims) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(dims, "-") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("amortization_mlp_dims %q: %q is not a positive integer; expected widths joined by '-', e.g. \"128\" or \"64-64\"", dims, f)
		}
		out = append(out, n)
	}
	return out, nil
}

// New returns an MLP with full matrices from in through hidden to out.
func New(in int, hidden []int, out int) MLP {
	return NewLowRank(in, hidden, out, 0)
}

// NewLowRank returns an MLP whose matrices have at most the given rank (<= 0: full), factored
// only where that is smaller than the full matrix (AmortizableMLP's "smart" mode; the rank is
// capped at min(in, out)).
func NewLowRank(in int, hidden []int, out, rank int) MLP {
	m := MLP{Sizes: append(append([]int{in}, hidden...), out)}
	for l := 0; l+1 < len(m.Sizes); l++ {
		a, b := m.Sizes[l], m.Sizes[l+1]
		r := 0
		if k := min(rank, a, b); rank > 0 && k*(a+b) < a*b {
			r = k
		}
		m.Ranks = append(m.Ranks, r)
	}
	return m
}

// weights is the number of weight entries of matrix l.
func (m MLP) weights(l int) int {
	in, out := m.Sizes[l], m.Sizes[l+1]
	if r := m.Ranks[l]; r > 0 {
		return r * (in + out)
	}
	return in * out
}

// NumParams is the number of weights and biases.
func (m MLP) NumParams() int {
	n := 0
	for l := range m.Ranks {
		n += m.weights(l) + m.Sizes[l+1]
	}
	return n
}

// Apply evaluates the MLP on x (R x in) with parameters params (1 x NumParams, or R x NumParams
// for per-event weights).
func (m MLP) Apply(x, params *ad.Node) *ad.Node { return m.ApplyAt(x, params, 0) }

// ApplyAt is Apply with the MLP's parameters in the columns [start, start+NumParams) of params
// (1 or R rows); per-event weights are read in place, without copying those columns out.
func (m MLP) ApplyAt(x, params *ad.Node, start int) *ad.Node {
	off := start
	h := x
	for l, r := range m.Ranks {
		in, out := m.Sizes[l], m.Sizes[l+1]
		bOff := off + m.weights(l)
		switch {
		case r > 0:
			v := rowLinear(h, params, off+out*r, -1, in, r)
			h = rowLinear(v, params, off, bOff, r, out)
		case params.R == 1:
			h = ad.Linear(h, ad.Reshape(ad.Cols(params, off, out*in), out, in), ad.Cols(params, bOff, out))
		default:
			h = rowLinear(h, params, off, bOff, in, out)
		}
		off += m.weights(l) + out
		if l+1 < len(m.Ranks) {
			h = ad.Tanh(h)
		}
	}
	return h
}

// InitParams returns AmortizableMLP's initialization with a fixed final bias (jammy_flows'
// init_params): full matrices and their biases uniform in ±1/√fan_in (torch.nn.Linear's default),
// factors and the biases of factored matrices standard normal, everything divided by damping,
// then the final bias replaced by finalBias so that the output starts at the desired values.
func (m MLP) InitParams(rng *rand.Rand, damping float64, finalBias []float64) []float64 {
	p := make([]float64, 0, m.NumParams())
	for l, r := range m.Ranks {
		bound := 1 / math.Sqrt(float64(m.Sizes[l]))
		for i := 0; i < m.weights(l)+m.Sizes[l+1]; i++ {
			v := (2*rng.Float64() - 1) * bound
			if r > 0 {
				v = rng.NormFloat64()
			}
			p = append(p, v/damping)
		}
	}
	copy(p[len(p)-len(finalBias):], finalBias)
	return p
}
