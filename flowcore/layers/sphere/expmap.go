package sphere

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/root"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/flowcore/spline"
)

// VEntry is the exponential-map flow "v" on s2 (jammy_flows' exponential_map_s2, after Sei 2009
// and Rezende et al. 2020): T(x) = exp_x(∇φ(x)) for a potential φ(x) = Σ_k w_k ψ_k(x·μ_k) with
// num_components components of type exp_map_type (linear, quadratic, exponential, splines) and
// Σ w_k <= 1, which makes T a diffeomorphism. With natural_direction 0 the density direction is T
// and sampling inverts it by a Riemannian Newton iteration; 1 swaps the two.
//
// Parameter block: [rotation 9 if add_rotation][potential parameters], the latter laid out as a
// (parameters per component) x num_components matrix, row-major: per component the mean (3 raw
// values for mean_parametrization "old"; 9 householder values and 1 strength for "householder"),
// one log-weight, then one log β (exponential) or 10 widths, 10 heights and 11 slopes (splines).
// Defaults: 5·10 = 50; linear 40; splines 350; householder means 120.
var VEntry = layers.Entry{
	Letter:   'v',
	Manifold: spec.Sphere,
	Schema: spec.Schema{
		{Name: "exp_map_type", Kind: spec.String, Default: potExponential, Choices: []string{potLinear, potQuadratic, potSplines, potExponential}},
		{Name: "num_components", Kind: spec.Int, Default: 10, Check: spec.AtLeast(1)},
		{Name: "natural_direction", Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: "add_rotation", Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: "max_num_newton_iter", Kind: spec.Int, Default: 1000, Check: spec.AtLeast(1)},
		{Name: "mean_parametrization", Kind: spec.String, Default: meanOld, Choices: []string{meanOld, meanHouseholder}},
	},
	New: layers.Typed(newExpMapLayer),
}

// vOptions are the options of v.
type vOptions struct {
	ExpMapType          string `opt:"exp_map_type"`
	NumComponents       int    `opt:"num_components"`
	NaturalDirection    bool   `opt:"natural_direction"`
	AddRotation         bool   `opt:"add_rotation"`
	MaxNewtonIter       int    `opt:"max_num_newton_iter"`
	MeanParametrization string `opt:"mean_parametrization"`
}

func newExpMapLayer(ctx layers.Context, opts vOptions) (layers.Layer, error) {
	if ctx.Manifold.Dim != 2 {
		return nil, fmt.Errorf("layer \"v\" acts on s2, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	e := &expMap{m: m, kind: opts.ExpMapType, comps: opts.NumComponents, mean: opts.MeanParametrization,
		natural: opts.NaturalDirection, maxIter: opts.MaxNewtonIter}
	if e.mean == meanHouseholder {
		r, err := newRotator(modeHouseholder, 2, 3)
		if err != nil {
			return nil, err
		}
		e.meanRot = r
	}
	e.splineCfg = spline.Config{Bins: splineBins, Mode: spline.Free, Box: spline.Box{Left: -1, Right: 1, Bottom: -1, Top: 1},
		MinWidth: 1e-3, MinHeight: 1e-3, MinDerivative: 1e-3}
	return newRotated(m, householderIf(opts.AddRotation), -1, e)
}

func (e *expMap) initialParams(rng *rand.Rand) []float64 { return normals(rng, e.numParams()) }

// inverse is the density direction: T (natural_direction 0) or T⁻¹.
func (e *expMap) inverse(x, _, own *ad.Node) (*ad.Node, *ad.Node) {
	if e.natural {
		return e.applyInverse(x, own)
	}
	return e.apply(x, own)
}

// forward is the sampling direction.
func (e *expMap) forward(z, _, own *ad.Node) (*ad.Node, *ad.Node) {
	if e.natural {
		return e.apply(z, own)
	}
	return e.applyInverse(z, own)
}

// apply maps intrinsic points by T with log|det ∂T_intrinsic/∂x|: log sin θ + log of the area
// factor of T - log sin θ' (the coordinate changes around the embedding map, as upstream).
func (e *expMap) apply(x, own *ad.Node) (*ad.Node, *ad.Node) {
	theta, phi := ad.Cols(x, 0, 1), ad.Cols(x, 1, 1)
	p := e.coefs(own)
	emb := e.m.ToEmbedding(x)
	pt := geom.SplitVec3(emb)
	var t, logArea *ad.Node
	if x.Tape().Tracks(x, own) {
		tv, d1, d2 := e.mapWithDerivatives(pt, thetaBasis(theta, phi), phiBasis(phi), p)
		c := d1.Cross(d2)
		t, logArea = tv.Node(), ad.Scale(ad.Log(c.Dot(c)), 0.5)
	} else {
		psi, dpsi := e.profile(p.mu.Dot(pt), p)
		t, logArea = mapAreaValues(emb, geom.NewSinCos(x), p, psi, dpsi)
	}
	y := e.m.FromEmbedding(t)
	return y, ad.Sub(ad.Add(geom.LogSinTheta(theta), logArea), geom.LogSinTheta(ad.Cols(y, 0, 1)))
}

// applyInverse solves T(x) = y by Newton's method; the solution carries implicit gradients.
func (e *expMap) applyInverse(y, own *ad.Node) (*ad.Node, *ad.Node) {
	sol := e.solve(y, own)
	x := root.Implicit(sol, y, own, func(x, p *ad.Node) *ad.Node {
		out, _ := e.apply(x, p)
		return out
	})
	_, ld := e.apply(x, own)
	return x, ad.Neg(ld)
}

// thetaBasis is ∂x/∂θ = (cos θ cos φ, cos θ sin φ, -sin θ), a unit tangent vector.
func thetaBasis(theta, phi *ad.Node) geom.Vec3 {
	ct := ad.Cos(theta)
	return geom.Vec3{ad.Mul(ct, ad.Cos(phi)), ad.Mul(ct, ad.Sin(phi)), ad.Neg(ad.Sin(theta))}
}

// phiBasis is (-sin φ, cos φ, 0) = (∂x/∂φ)/sin θ, a unit tangent vector even at the poles.
func phiBasis(phi *ad.Node) geom.Vec3 {
	return geom.Vec3{ad.Neg(ad.Sin(phi)), ad.Cos(phi), phi.Tape().New(phi.R, 1)}
}
