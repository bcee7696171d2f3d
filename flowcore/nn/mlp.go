// Package nn holds the conditioning networks of gojammy: Linear–tanh–…–Linear MLPs with the
// parameter layout of torch.nn.Linear (full matrices) and jammy_flows' AmortizableMLP (optionally
// factored matrices and the highway modes 0–4), so that weights can move between gojammy and
// jammy_flows.
package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// MLP maps an input of width In to an output of width Out. Its weights arrive as a flat parameter
// row, shared by all events (one row) or one row per event.
//
// The network is AmortizableMLP's: with highway mode 0 one stack of linear maps with tanh between
// consecutive maps and none after the last; mode 1 the same stack without its final bias plus a
// linear map from the input to the output (the "linear highway"); modes 2–4 the linear highway
// plus a sum of one-hidden-layer stacks (without final biases), one per hidden width, the first fed
// with the input and the later ones with the input (2), the running output (3) or both
// concatenated (4).
//
// Flat layout: the stacks in order, then the linear highway, so that the last Out entries are
// always the final bias. Per linear map: [W (out x in, row-major), or U (out x r) then Vᵀ (r x in)
// for a factored matrix W = U·Vᵀ][bias (out), if it has one]. A mode-0 MLP of full matrices has
// torch.nn.Linear's layout.
type MLP struct {
	// In and Out are the input and output widths.
	In, Out int
	// Highway is AmortizableMLP's highway mode (0–4).
	Highway int
	stacks  []stack
	linear  *stack
}

// stack is a chain of linear maps with tanh between consecutive maps.
type stack struct {
	sizes []int // input, hidden..., output widths
	ranks []int // factor rank per matrix, 0 for a full matrix
	// finalBias: the last map has a bias (all others always have one).
	finalBias bool
	// highway marks the linear highway, whose initialization differs (see InitParams).
	highway bool
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
		if err := spec.CheckInt("amortization_mlp_dims width", n, spec.MaxInt); err != nil {
			return nil, fmt.Errorf("amortization_mlp_dims %q: %w", dims, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// NumMatrices is the number of weight matrices of an AmortizableMLP with the given number of
// hidden layers in highway mode highway: the length its list of ranks must have.
func NumMatrices(hidden, highway int) int {
	switch {
	case highway == 0:
		return hidden + 1
	case highway == 1:
		return hidden + 2
	default:
		return 2*hidden + 1
	}
}

// ParseRanks parses jammy_flows' amortization_mlp_ranks for an MLP of n matrices: one integer for
// every matrix ("0", "3", "-1"; <= 0 means a full matrix) or one non-negative integer per matrix
// joined by '-' ("2-10-1000").
func ParseRanks(ranks string, n int) ([]int, error) {
	s := strings.TrimSpace(ranks)
	if s == "" {
		s = "0"
	}
	if r, err := strconv.Atoi(s); err == nil {
		if err := spec.CheckInt("amortization_mlp_ranks", r, spec.MaxInt); err != nil {
			return nil, err
		}
		out := make([]int, n)
		for i := range out {
			out[i] = r
		}
		return out, nil
	}
	var out []int
	for _, f := range strings.Split(s, "-") {
		r, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || r < 0 {
			return nil, fmt.Errorf("amortization_mlp_ranks %q: %q is not a non-negative integer; expected one integer or one rank per matrix joined by '-', e.g. \"2-10-1000\"", ranks, f)
		}
		if err := spec.CheckInt("amortization_mlp_ranks rank", r, spec.MaxInt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) != n {
		return nil, fmt.Errorf("amortization_mlp_ranks %q: %d ranks for an MLP of %d matrices (hidden layers and highway mode fix the number)", ranks, len(out), n)
	}
	return out, nil
}

// New returns a mode-0 MLP with full matrices from in through hidden to out (jammy_flows' default,
// non-custom conditioning MLP).
func New(in int, hidden []int, out int) MLP {
	return NewLowRank(in, hidden, out, 0)
}

// NewLowRank returns a mode-0 MLP whose matrices have at most the given rank (<= 0: full).
func NewLowRank(in int, hidden []int, out, rank int) MLP {
	ranks := make([]int, NumMatrices(len(hidden), 0))
	for i := range ranks {
		ranks[i] = rank
	}
	m, _ := NewAmortizable(in, hidden, out, ranks, 0)
	return m
}

// NewAmortizable returns jammy_flows' AmortizableMLP(in, hidden, out, highway_mode=highway,
// low_rank_approximations=ranks, svd_mode="smart"): ranks has NumMatrices(len(hidden), highway)
// entries, in the order of the flat layout (for modes 2–4: two per stack, the highway's last).
// A matrix in→out with rank r > 0 is factored with rank min(r, in, out) where that takes fewer
// parameters than the full matrix, and is full otherwise.
func NewAmortizable(in int, hidden []int, out int, ranks []int, highway int) (MLP, error) {
	if highway < 0 || highway > 4 {
		return MLP{}, fmt.Errorf("amortization_mlp_highway_mode must be 0, 1, 2, 3 or 4, got %d", highway)
	}
	if n := NumMatrices(len(hidden), highway); len(ranks) != n {
		return MLP{}, fmt.Errorf("amortization_mlp_ranks: %d ranks for an MLP of %d matrices", len(ranks), n)
	}
	m := MLP{In: in, Out: out, Highway: highway}
	if highway > 0 {
		m.linear = newStack([]int{in, out}, ranks[len(ranks)-1:], true)
		m.linear.highway = true
	}
	switch {
	case highway == 0:
		m.stacks = []stack{*newStack(widths(in, hidden, out), ranks, true)}
	case highway == 1 && len(hidden) > 0:
		m.stacks = []stack{*newStack(widths(in, hidden, out), ranks[:len(ranks)-1], false)}
	case highway >= 2:
		for i, h := range hidden {
			from := in
			if i > 0 && highway == 3 {
				from = out
			} else if i > 0 && highway == 4 {
				from = in + out
			}
			m.stacks = append(m.stacks, *newStack([]int{from, h, out}, ranks[2*i:2*i+2], false))
		}
	}
	return m, nil
}

func widths(in int, hidden []int, out int) []int {
	return append(append([]int{in}, hidden...), out)
}

// newStack applies the "smart" rank rule to every matrix of a stack of the given widths.
func newStack(sizes, ranks []int, finalBias bool) *stack {
	s := &stack{sizes: sizes, finalBias: finalBias}
	for l, rank := range ranks {
		a, b := sizes[l], sizes[l+1]
		r := 0
		if k := min(rank, a, b); rank > 0 && k*(a+b) < a*b {
			r = k
		}
		s.ranks = append(s.ranks, r)
	}
	return s
}

// weights is the number of weight entries of matrix l.
func (s *stack) weights(l int) int {
	in, out := s.sizes[l], s.sizes[l+1]
	if r := s.ranks[l]; r > 0 {
		return r * (in + out)
	}
	return in * out
}

// biases is the number of bias entries of matrix l.
func (s *stack) biases(l int) int {
	if l+1 == len(s.ranks) && !s.finalBias {
		return 0
	}
	return s.sizes[l+1]
}

func (s *stack) numParams() int {
	n := 0
	for l := range s.ranks {
		n += s.weights(l) + s.biases(l)
	}
	return n
}

// apply evaluates the stack on h with its parameters at column off of params.
func (s *stack) apply(h, params *ad.Node, off int) *ad.Node {
	for l, r := range s.ranks {
		in, out := s.sizes[l], s.sizes[l+1]
		bOff := -1
		if s.biases(l) > 0 {
			bOff = off + s.weights(l)
		}
		switch {
		case r > 0:
			v := rowLinear(h, params, off+out*r, -1, in, r)
			h = rowLinear(v, params, off, bOff, r, out)
		case params.R == 1 && bOff >= 0:
			h = ad.Linear(h, ad.Reshape(ad.Cols(params, off, out*in), out, in), ad.Cols(params, bOff, out))
		default:
			h = rowLinear(h, params, off, bOff, in, out)
		}
		off += s.weights(l) + s.biases(l)
		if l+1 < len(s.ranks) {
			h = ad.Tanh(h)
		}
	}
	return h
}

// NumParams is the number of weights and biases.
func (m MLP) NumParams() int {
	n := 0
	for i := range m.stacks {
		n += m.stacks[i].numParams()
	}
	if m.linear != nil {
		n += m.linear.numParams()
	}
	return n
}

// Apply evaluates the MLP on x (R x In) with parameters params (1 x NumParams, or R x NumParams
// for per-event weights).
func (m MLP) Apply(x, params *ad.Node) *ad.Node { return m.ApplyAt(x, params, 0) }

// ApplyAt is Apply with the MLP's parameters in the columns [start, start+NumParams) of params
// (1 or R rows); per-event weights are read in place, without copying those columns out.
func (m MLP) ApplyAt(x, params *ad.Node, start int) *ad.Node {
	var sum *ad.Node // the running output; nil: zero
	off := start
	if m.linear != nil {
		sum = m.linear.apply(x, params, start+m.NumParams()-m.linear.numParams())
	}
	in := x
	for i := range m.stacks {
		s := &m.stacks[i]
		out := s.apply(in, params, off)
		off += s.numParams()
		if sum == nil {
			sum = out
		} else {
			sum = ad.Add(sum, out)
		}
		switch m.Highway {
		case 3:
			in = sum
		case 4:
			in = ad.Concat(x, sum)
		}
	}
	return sum
}

// InitParams returns AmortizableMLP's initialization with a fixed final bias (jammy_flows'
// init_params): full matrices and their biases uniform in ±1/√fan_in (torch.nn.Linear's default),
// factors and the biases of factored matrices standard normal — except in the linear highway,
// where U and the bias are uniform and only Vᵀ is normal, as upstream draws them — everything
// divided by damping, then the final bias (the last entries) replaced by finalBias so that the
// output starts at the desired values.
func (m MLP) InitParams(rng *rand.Rand, damping float64, finalBias []float64) []float64 {
	p := make([]float64, 0, m.NumParams())
	for i := range m.stacks {
		p = m.stacks[i].initParams(p, rng)
	}
	if m.linear != nil {
		p = m.linear.initParams(p, rng)
	}
	for i := range p {
		p[i] /= damping
	}
	copy(p[len(p)-len(finalBias):], finalBias)
	return p
}

// initParams appends the stack's initial parameters (undamped) to p.
func (s *stack) initParams(p []float64, rng *rand.Rand) []float64 {
	for l, r := range s.ranks {
		bound := 1 / math.Sqrt(float64(s.sizes[l]))
		uniform := func() float64 { return (2*rng.Float64() - 1) * bound }
		for i := 0; i < s.weights(l)+s.biases(l); i++ {
			switch {
			case r == 0:
				p = append(p, uniform())
			case s.highway && (i < r*s.sizes[l+1] || i >= s.weights(l)):
				p = append(p, uniform())
			default:
				p = append(p, rng.NormFloat64())
			}
		}
	}
	return p
}
