package sphere

import (
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/rotation"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// stretchEntry is the polynomial stretch layer "p" (jammy_flows' psf_block as of commit 02ed589),
// which gojammy offers only where that commit used it: as a zenith layer of n (zenith_type_layers
// "p", on logit u). Per transform t and coordinate, a signed power with a scale and shift on
// either side,
//
//	x ↦ sign(ξ)·|ξ|^e·w₂ + m₂,  ξ = (x − m₁)/w₁   (sampling direction),
//
// after which a product of Householder reflections mixes the coordinates. Parameter block:
// [Householder vectors (n·d)][raw w₁][raw w₂][m₁][m₂][raw e], each of the last five T·d values
// (transform-major); w = 0.01 + 9.99·σ(raw), e = exp(6·σ(raw) − 3).
var stretchEntry = layers.Entry{
	Letter:   'p',
	Manifold: spec.Euclidean,
	Schema: spec.Schema{
		{Name: "num_householder_iter", Kind: spec.Int, Default: -1, Check: spec.PositiveOrMinusOne},
		{Name: "num_transforms", Kind: spec.Int, Default: 1, Check: spec.AtLeast(1)},
	},
	New: layers.Typed(newStretch),
}

// stretchOptions are the options of p. (Upstream's exact_mode=False, a bisection-based debugging
// path of the sampling direction, is not offered.)
type stretchOptions struct {
	NumHouseholderIter int `opt:"num_householder_iter"`
	NumTransforms      int `opt:"num_transforms"`
}

// Bounds of p's widths and log-exponents.
const (
	stretchWidthMin, stretchWidthMax   = 0.01, 10.0
	stretchLogExpMin, stretchLogExpMax = -3.0, 3.0
)

type stretchLayer struct {
	d, transforms int
	rot           *rotation.Rotation
}

func newStretch(ctx layers.Context, o stretchOptions) (layers.Layer, error) {
	rot, err := rotation.New(rotation.Householder, ctx.Manifold.Dim, o.NumHouseholderIter)
	if err != nil {
		return nil, err
	}
	return &stretchLayer{d: ctx.Manifold.Dim, transforms: o.NumTransforms, rot: rot}, nil
}

func (l *stretchLayer) NumParams() int { return l.rot.NumParams() + 5*l.transforms*l.d }

// InitialParams is upstream's desired initialization: normal Householder vectors, raw widths and
// exponents 0, normal means.
func (l *stretchLayer) InitialParams(rng *rand.Rand) []float64 {
	p := l.rot.InitialParams(rng)
	n := l.transforms * l.d
	p = append(p, make([]float64, 2*n)...)
	for i := 0; i < 2*n; i++ {
		p = append(p, rng.NormFloat64())
	}
	return append(p, make([]float64, n)...)
}

// stretchParams are the constrained parameters of one transform.
type stretchParams struct {
	w1, w2, m1, m2, logExp *ad.Node
}

// transform returns the parameters of transform t.
func (l *stretchLayer) transform(params *ad.Node, t int) stretchParams {
	n := l.transforms * l.d
	col := func(block int) *ad.Node { return ad.Cols(params, l.rot.NumParams()+block*n+t*l.d, l.d) }
	bounded := func(raw *ad.Node, lo, hi float64) *ad.Node {
		return ad.AddScalar(ad.Scale(ad.Sigmoid(raw), hi-lo), lo)
	}
	return stretchParams{
		w1:     bounded(col(0), stretchWidthMin, stretchWidthMax),
		w2:     bounded(col(1), stretchWidthMin, stretchWidthMax),
		m1:     col(2),
		m2:     col(3),
		logExp: bounded(col(4), stretchLogExpMin, stretchLogExpMax),
	}
}

// Inverse undoes the reflections, then the transforms from the last to the first.
func (l *stretchLayer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	x = l.rot.Apply(x, ad.Cols(params, 0, l.rot.NumParams()), true)
	var ld *ad.Node
	for t := l.transforms - 1; t >= 0; t-- {
		p := l.transform(params, t)
		var d *ad.Node
		x, d = signedPower(x, p.m2, p.w2, p.m1, p.w1, ad.Neg(p.logExp))
		ld = layers.AddLogDet(ld, d)
	}
	return x, ld
}

// Forward applies the transforms from the first to the last, then the reflections.
func (l *stretchLayer) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	var ld *ad.Node
	for t := 0; t < l.transforms; t++ {
		p := l.transform(params, t)
		var d *ad.Node
		z, d = signedPower(z, p.m1, p.w1, p.m2, p.w2, p.logExp)
		ld = layers.AddLogDet(ld, d)
	}
	return l.rot.Apply(z, ad.Cols(params, 0, l.rot.NumParams()), false), ld
}

// signedPower maps x to sign(ξ)·|ξ|^k·wOut + mOut with ξ = (x − mIn)/wIn and k = exp(logK), and
// returns the sum over columns of the log-derivative log k − log wIn + (k − 1)·log|ξ| + log wOut.
func signedPower(x, mIn, wIn, mOut, wOut, logK *ad.Node) (*ad.Node, *ad.Node) {
	xi := ad.Div(ad.Sub(x, mIn), wIn)
	k := ad.Exp(logK)
	pow := ad.Binary("signedPower", xi, k, func(v, k float64) float64 {
		return math.Copysign(math.Pow(math.Abs(v), k), v)
	}, func(v, k, _ float64) float64 {
		return k * math.Pow(math.Abs(v), k-1)
	}, func(v, _, y float64) float64 {
		if v == 0 {
			return 0
		}
		return y * math.Log(math.Abs(v))
	})
	y := ad.Add(ad.Mul(pow, wOut), mOut)
	logAbs := ad.Unary(xi, func(v float64) float64 { return math.Log(math.Abs(v)) }, func(v, _ float64) float64 { return 1 / v })
	ld := ad.Add(ad.Sub(logK, ad.Log(wIn)), ad.Add(ad.Mul(ad.AddScalar(k, -1), logAbs), ad.Log(wOut)))
	return y, ad.SumCols(ld)
}
