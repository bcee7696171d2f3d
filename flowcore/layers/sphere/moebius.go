package sphere

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/root"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// MEntry is the Möbius flow "m" on s1 (jammy_flows' moebius, after Rezende et al. 2020): a convex
// combination of num_basis_functions Möbius circle maps, 4 raw parameters each (direction of ω
// (2), radius logit, log-weight), after the optional householder rotation (4). With
// natural_direction 0 the density direction is analytic and sampling solves by bisection and
// Newton; 1 swaps the two.
var MEntry = layers.Entry{
	Letter:   'm',
	Manifold: spec.Sphere,
	Schema: spec.Schema{
		{Name: "add_rotation", Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: "num_basis_functions", Kind: spec.Int, Default: 5, Check: spec.AtLeast(1)},
		{Name: "natural_direction", Kind: spec.Int, Default: 0, Check: spec.Flag},
	},
	New: layers.Typed(newMoebiusLayer),
}

// mOptions are the options of m.
type mOptions struct {
	rotationOption
	NumBasisFunctions int  `opt:"num_basis_functions"`
	NaturalDirection  bool `opt:"natural_direction"`
}

func newMoebiusLayer(ctx layers.Context, opts mOptions) (layers.Layer, error) {
	if ctx.Manifold.Dim != 1 {
		return nil, fmt.Errorf("layer \"m\" acts on s1, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	c := moebius{bases: opts.NumBasisFunctions, natural: opts.NaturalDirection}
	return newRotated(m, householderIf(opts.AddRotation), -1, c)
}

// moebius is the core of m. Basis k with raw parameters (a, b, ℓ, v) is the Möbius map of
// ω = ρ (cos α, sin α), α = atan2(b, a), ρ = 0.001 + 0.998 σ(ℓ), weighted by softmax(v)_k. On
// angles x ∈ (-π, π] its lift, pinned to fix -π, is
//
//	A_k(x) = L(x-α) - L(-π-α),  L(u) = 2 atan2(K sin(u/2), cos(u/2)),  K = (1+ρ)/(1-ρ),
//
// the closed-form integral of the Möbius derivative (1-ρ²)/(1+ρ²-2ρ cos(x-α)). The map is
// h(x) = Σ_k w_k A_k(x) - π with h(±π) = ±π. (jammy_flows evaluates the same lift from the
// rotated image point with atan2, which is ambiguous in rounding at x = π.)
type moebius struct {
	bases   int
	natural bool
}

func (c moebius) numParams() int                         { return 4 * c.bases }
func (c moebius) initialParams(rng *rand.Rand) []float64 { return normals(rng, c.numParams()) }

// coefs derives the coefficients from the raw parameters.
func (c moebius) coefs(p *ad.Node) moebiusMap {
	col := func(j int) *ad.Node {
		idx := make([]int, c.bases)
		for k := range idx {
			idx[k] = 4*k + j
		}
		return ad.Gather(p, idx)
	}
	return moebiusMap{alpha: ad.Atan2(col(1), col(0)),
		rho: ad.AddScalar(ad.Scale(ad.Sigmoid(col(2)), 0.998), 0.001), w: ad.Softmax(col(3))}
}

// apply maps angles in [0, 2π] by h (analytic) or h⁻¹ (numerical) and returns the log-derivative.
func (c moebius) apply(phi, p *ad.Node, analytic bool) (*ad.Node, *ad.Node) {
	x := toSigned(phi)
	m := c.coefs(p)
	if analytic {
		h, dh := moebiusEval(x, m)
		return fromSigned(h), ad.Log(dh)
	}
	root := c.solve(x, p)
	_, dh := moebiusEval(root, m)
	return fromSigned(root), ad.Neg(ad.Log(dh))
}

// sharedSolveRows is the number of rows from which a block whose rows share one map solves from a
// table of it (root.IncreasingShared with sharedSolveKnots knots).
const (
	sharedSolveRows  = 64
	sharedSolveKnots = 129
)

// solve returns h⁻¹(y) by bisection and Newton on [-π, π] (from a table of h where the rows share
// one map), with implicit gradients.
func (c moebius) solve(y, p *ad.Node) *ad.Node {
	t := ad.NewTape(false)
	eval := func(x []float64, rows []int) ([]float64, []float64) {
		t.Reset()
		h, dh := moebiusEval(t.Const(len(x), 1, x), c.coefs(ad.GatherRows(t, p, rows)))
		return append([]float64(nil), h.Val...), append([]float64(nil), dh.Val...)
	}
	var sol []float64
	if p.R == 1 && y.R >= sharedSolveRows {
		sol = root.IncreasingShared(y.Val, -math.Pi, math.Pi, sharedSolveKnots, eval)
	} else {
		sol = root.Increasing(y.Val, -math.Pi, math.Pi, eval)
	}
	return root.Implicit(sol, y, p, func(x, p *ad.Node) *ad.Node {
		h, _ := moebiusEval(x, c.coefs(p))
		return h
	})
}

func (c moebius) inverse(x, _, own *ad.Node) (*ad.Node, *ad.Node) { return c.apply(x, own, !c.natural) }
func (c moebius) forward(z, _, own *ad.Node) (*ad.Node, *ad.Node) { return c.apply(z, own, c.natural) }
