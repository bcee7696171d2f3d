package simplex

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// UEntry registers the layer u (jammy_flows' gumbel_softmax); it has no options.
var UEntry = layers.Entry{Letter: 'u', Manifold: spec.Simplex, Schema: spec.Schema{},
	New: func(ctx layers.Context, _ spec.Values) (layers.Layer, error) { return newU(ctx.Manifold) }}

// uLayer is the Gumbel-softmax map between R^d and the simplex: each standard-normal coordinate
// z_i becomes a standard Gumbel variable g_i with the same CDF, shifted by log-probabilities and
// divided by a temperature τ, and x = softmax(a_0, …, a_{d−1}, 0) with a_i = (g_i + log p_i −
// log p_d)/τ (the last component, 1 − Σx, has its Gumbel variable fixed at 0, which makes the map
// a bijection of R^d onto the open simplex). Parameter block: [log τ][log p_0 … log p_d].
//
// Upstream's u maps from the Gaussian itself, overriding the simplex projection of layer 0 (so it
// is only meaningful as the single layer of its sub-flow). gojammy keeps the projection in the
// manifold and composes u with its inverse, so that u maps the simplex onto itself: as layer 0 the
// PDF's log-density is upstream's, and u may sit anywhere in a chain. Upstream evaluates the
// Gaussian quantile with a Padé approximation beyond CDF values 5e-8 from 0 or 1 and sums its
// sampling log-determinant over the whole batch; gojammy computes both exactly, per row.
type uLayer struct {
	m   manifold.Manifold
	dim int
}

func newU(def spec.ManifoldDef) (*uLayer, error) {
	m, err := manifold.New(def)
	if err != nil {
		return nil, err
	}
	return &uLayer{m: m, dim: def.Dim}, nil
}

func (l *uLayer) NumParams() int { return l.dim + 2 }

// InitialParams are upstream's: τ = 1 and equal probabilities.
func (l *uLayer) InitialParams(*rand.Rand) []float64 { return make([]float64, l.dim+2) }

// split returns log τ and the shift log p_i − log p_d of every coordinate.
func (l *uLayer) split(params *ad.Node) (logTau, shift *ad.Node) {
	return ad.Cols(params, 0, 1), ad.Sub(ad.Cols(params, 1, l.dim), ad.Cols(params, 1+l.dim, 1))
}

// Inverse is the density direction: a_i = log x_i − log(1 − Σx), g = τ·a − shift, z_i the
// standard normal with the CDF of g_i, then the simplex projection of z.
func (l *uLayer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	logTau, shift := l.split(params)
	logX := ad.Log(clampUnit(x))
	logRest := ad.Log(clampUnit(ad.AddScalar(ad.Neg(ad.SumCols(x)), 1)))
	g := ad.Sub(ad.Mul(ad.Exp(logTau), ad.Sub(logX, logRest)), shift)
	// log|∂a/∂x| = −Σ_j log x_j over all d+1 components; log|∂g/∂a| = d·log τ.
	logDet := ad.Sub(ad.Scale(logTau, float64(l.dim)), ad.Add(ad.SumCols(logX), logRest))
	z := normalOfGumbel(g)
	logDet = ad.Sub(logDet, ad.SumCols(logGumbelSlope(z)))
	y, ld := l.m.FromBase(z)
	return y, ad.Add(logDet, ld)
}

// Forward is the sampling direction: the inverse simplex projection, z ↦ g, and the softmax.
func (l *uLayer) Forward(y, params *ad.Node) (*ad.Node, *ad.Node) {
	logTau, shift := l.split(params)
	z, logDet := l.m.ToBase(y)
	logDet = ad.Add(logDet, ad.SumCols(logGumbelSlope(z)))
	a := ad.Div(ad.Add(gumbelOfNormal(z), shift), ad.Exp(logTau))
	lse := ad.LogSumExp(ad.Concat(a, y.Tape().New(y.R, 1)))
	logX := ad.Sub(a, lse)
	logDet = ad.Add(logDet, ad.Sub(ad.Sub(ad.SumCols(logX), lse), ad.Scale(logTau, float64(l.dim))))
	return ad.Exp(logX), logDet
}

// clampUnit keeps simplex components within [2⁻¹⁰²², 1] so that the boundary gives finite logs
// (zero gradient where clamped).
func clampUnit(x *ad.Node) *ad.Node { return ad.Clamp(x, 0x1p-1022, 1) }

// gumbelOfNormal maps standard normal z to the standard Gumbel g with the same CDF,
// g = −log(−log Φ(z)).
func gumbelOfNormal(z *ad.Node) *ad.Node {
	return ad.Unary(z, func(v float64) float64 { return -logNegLogPhi(v) },
		func(v, _ float64) float64 { return expSlope(v) })
}

// normalOfGumbel is the inverse of gumbelOfNormal: z = Φ⁻¹(exp(−e^{−g})).
func normalOfGumbel(g *ad.Node) *ad.Node {
	return ad.Unary(g, gumbelToNormal, func(_, z float64) float64 { return 1 / expSlope(z) })
}

// logGumbelSlope is log dg/dz at z, elementwise, with its derivative.
func logGumbelSlope(z *ad.Node) *ad.Node {
	return ad.Unary(z, gumbelLogSlope, func(v, _ float64) float64 {
		lp := logNormalCDF(v)
		r := expRatio(v, lp)
		return -v - r - r/lp
	})
}
