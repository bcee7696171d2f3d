// Package nn holds the conditioning networks of gojammy: plain Linear–tanh–…–Linear MLPs with
// torch.nn.Linear's parameter layout, so that weights can move between gojammy and jammy_flows.
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
// Sizes lists the widths: input, hidden..., output.
type MLP struct {
	Sizes []int
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

// New returns an MLP from in through hidden to out.
func New(in int, hidden []int, out int) MLP {
	sizes := append([]int{in}, hidden...)
	return MLP{Sizes: append(sizes, out)}
}

// NumParams is the number of weights and biases: per linear map (out x in weights, then out biases).
func (m MLP) NumParams() int {
	n := 0
	for l := 0; l+1 < len(m.Sizes); l++ {
		n += m.Sizes[l+1]*m.Sizes[l] + m.Sizes[l+1]
	}
	return n
}

// Apply evaluates the MLP on x (R x in) with the flat parameter row params (1 x NumParams).
func (m MLP) Apply(x, params *ad.Node) *ad.Node {
	off := 0
	h := x
	for l := 0; l+1 < len(m.Sizes); l++ {
		in, out := m.Sizes[l], m.Sizes[l+1]
		w := ad.Reshape(ad.Cols(params, off, out*in), out, in)
		off += out * in
		b := ad.Cols(params, off, out)
		off += out
		h = ad.Linear(h, w, b)
		if l+2 < len(m.Sizes) {
			h = ad.Tanh(h)
		}
	}
	return h
}

// InitParams returns torch.nn.Linear's default initialization (weights and biases uniform in
// ±1/√fan_in) divided by damping, with the final bias replaced by finalBias (jammy_flows'
// init_params: the MLP output starts at the desired layer parameters).
func (m MLP) InitParams(rng *rand.Rand, damping float64, finalBias []float64) []float64 {
	p := make([]float64, 0, m.NumParams())
	for l := 0; l+1 < len(m.Sizes); l++ {
		in, out := m.Sizes[l], m.Sizes[l+1]
		bound := 1 / math.Sqrt(float64(in))
		for i := 0; i < out*in+out; i++ {
			p = append(p, (2*rng.Float64()-1)*bound/damping)
		}
	}
	copy(p[len(p)-len(finalBias):], finalBias)
	return p
}
