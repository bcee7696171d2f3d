package sphere

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
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
	New: newMoebiusLayer,
}

func newMoebiusLayer(ctx layers.Context, opts spec.Values) (layers.Layer, error) {
	if ctx.Manifold.Dim != 1 {
		return nil, fmt.Errorf("layer \"m\" acts on s1, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	mode := ""
	if opts.Flag("add_rotation") {
		mode = modeHouseholder
	}
	c := moebius{bases: opts.Int("num_basis_functions"), natural: opts.Flag("natural_direction")}
	return newRotated(m, mode, -1, c)
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

// moebiusMap holds the derived coefficients α, ρ and weights w, each (rows of params) x bases.
type moebiusMap struct {
	alpha, rho, w *ad.Node
}

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

// value returns h(x) for signed angles x (R x 1).
func (m moebiusMap) value(x *ad.Node) *ad.Node {
	arc := ad.Sub(moebiusLift(ad.Sub(x, m.alpha), m.rho), moebiusLift(ad.AddScalar(ad.Neg(m.alpha), -math.Pi), m.rho))
	return ad.AddScalar(ad.SumCols(ad.Mul(m.w, arc)), -math.Pi)
}

// deriv returns h'(x).
func (m moebiusMap) deriv(x *ad.Node) *ad.Node {
	return ad.SumCols(ad.Mul(m.w, moebiusDeriv(ad.Sub(x, m.alpha), m.rho)))
}

// moebiusLift is L(u) = 2 atan2(K sin(u/2), cos(u/2)) with K = (1+ρ)/(1-ρ), continuous and
// increasing for u ∈ (-2π, 2π); ∂L/∂u is the Möbius derivative and ∂L/∂ρ = 2 sin u/(1+ρ²-2ρ cos u).
func moebiusLift(u, rho *ad.Node) *ad.Node {
	return ad.Binary("MoebiusLift", u, rho, func(u, r float64) float64 {
		s, c := math.Sincos(u / 2)
		return 2 * math.Atan2((1+r)/(1-r)*s, c)
	}, func(u, r, _ float64) float64 {
		return (1 - r*r) / (1 + r*r - 2*r*math.Cos(u))
	}, func(u, r, _ float64) float64 {
		return 2 * math.Sin(u) / (1 + r*r - 2*r*math.Cos(u))
	})
}

// moebiusDeriv is D(u) = (1-ρ²)/(1+ρ²-2ρ cos u).
func moebiusDeriv(u, rho *ad.Node) *ad.Node {
	return ad.Binary("MoebiusDeriv", u, rho, func(u, r float64) float64 {
		return (1 - r*r) / (1 + r*r - 2*r*math.Cos(u))
	}, func(u, r, _ float64) float64 {
		den := 1 + r*r - 2*r*math.Cos(u)
		return -2 * r * (1 - r*r) * math.Sin(u) / (den * den)
	}, func(u, r, _ float64) float64 {
		cu := math.Cos(u)
		den := 1 + r*r - 2*r*cu
		return (-2*r*den - (1-r*r)*(2*r-2*cu)) / (den * den)
	})
}

// apply maps angles in [0, 2π] by h (analytic) or h⁻¹ (numerical) and returns the log-derivative.
func (c moebius) apply(phi, p *ad.Node, analytic bool) (*ad.Node, *ad.Node) {
	x := toSigned(phi)
	m := c.coefs(p)
	if analytic {
		return fromSigned(m.value(x)), ad.Log(m.deriv(x))
	}
	root := c.solve(x, p)
	return fromSigned(root), ad.Neg(ad.Log(m.deriv(root)))
}

// solve returns h⁻¹(y) by bisection and Newton on [-π, π], with implicit gradients.
func (c moebius) solve(y, p *ad.Node) *ad.Node {
	t := ad.NewTape(false)
	eval := func(x []float64, rows []int) ([]float64, []float64) {
		t.Reset()
		m := c.coefs(gatherRows(t, p, rows))
		xn := t.Const(len(x), 1, x)
		return append([]float64(nil), m.value(xn).Val...), append([]float64(nil), m.deriv(xn).Val...)
	}
	root := solveIncreasing(y.Val, -math.Pi, math.Pi, eval)
	return implicitRoot(root, y, p, func(x, p *ad.Node) *ad.Node { return c.coefs(p).value(x) })
}

func (c moebius) inverse(x, _, own *ad.Node) (*ad.Node, *ad.Node) { return c.apply(x, own, !c.natural) }
func (c moebius) forward(z, _, own *ad.Node) (*ad.Node, *ad.Node) { return c.apply(z, own, c.natural) }
