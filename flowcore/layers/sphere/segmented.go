package sphere

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/affine"
	"github.com/gojammy/gojammy/flowcore/layers/gaussianization"
	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// NEntry is the segmented-sphere layer "n" of the seed example (jammy_flows' segmented_sphere_nd as
// of commit 02ed589; removed upstream in 2026): a Möbius flow on the azimuth and a chain of zenith
// layers on u = (1-cos θ)/2 ∈ [0, 1] (interval layers r, z) or on logit(u) (Euclidean layers g, t, x, p)
// whose parameters an MLP (AmortizableMLP, max_rank factors, highway_mode 0–4) predicts from the data-side azimuth
// (cos φ, sin φ), followed by a rotation. Parameter block: [rotation 9][MLP 2→hidden_dims→zenith parameters][Möbius 4·M];
// by default 9 + 1232 + 40 = 1281.
var NEntry = layers.Entry{
	Letter:   'n',
	Manifold: spec.Sphere,
	Schema: spec.Schema{
		{Name: "add_rotation", Kind: spec.Int, Default: 1, Check: spec.Flag},
		{Name: "rotation_mode", Kind: spec.String, Default: modeHouseholder, Choices: []string{modeHouseholder, modeAngles}},
		{Name: "hidden_dims", Kind: spec.String, Default: "64"},
		{Name: "num_basis_functions", Kind: spec.Int, Default: 10, Check: spec.AtLeast(1)},
		{Name: "higher_order_cylinder_parametrization", Kind: spec.Int, Default: 0, Check: spec.OneOf(0)},
		{Name: "zenith_type_layers", Kind: spec.String, Default: "r"},
		{Name: "max_rank", Kind: spec.Int, Default: -1, Check: spec.PositiveOrMinusOne},
		{Name: "subspace_mapping", Kind: spec.String, Default: "logistic", Choices: []string{"logistic"}},
		{Name: "highway_mode", Kind: spec.Int, Default: 0, Check: spec.OneOf(0, 1, 2, 3, 4)},
	},
	New: layers.Typed(newSegmentedLayer),
}

// nOptions are the options of n.
type nOptions struct {
	AddRotation       bool   `opt:"add_rotation"`
	RotationMode      string `opt:"rotation_mode"`
	HiddenDims        string `opt:"hidden_dims"`
	NumBasisFunctions int    `opt:"num_basis_functions"`
	// HigherOrderCylinder and SubspaceMapping accept upstream's defaults only.
	HigherOrderCylinder int    `opt:"higher_order_cylinder_parametrization"`
	ZenithTypeLayers    string `opt:"zenith_type_layers"`
	MaxRank             int    `opt:"max_rank"`
	SubspaceMapping     string `opt:"subspace_mapping"`
	HighwayMode         int    `opt:"highway_mode"`
}

// zenithMargin keeps u = sin²(θ/2) inside [zenithMargin, 1-zenithMargin] when mapping back to θ.
// (jammy_flows uses 1e-5 here, which keeps samples 6.3e-3 rad away from the poles and makes the
// map non-invertible there; gojammy uses the equivalent of geom.ThetaMargin.)
var zenithMargin = math.Pow(math.Sin(geom.ThetaMargin/2), 2)

func newSegmentedLayer(ctx layers.Context, opts nOptions) (layers.Layer, error) {
	if ctx.Manifold.Dim != 2 {
		return nil, fmt.Errorf("layer \"n\" acts on s2, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	c, err := newSegmented(opts)
	if err != nil {
		return nil, err
	}
	mode := ""
	if opts.AddRotation {
		mode = opts.RotationMode
	}
	return newRotated(m, mode, -1, c)
}

// segmented is the core of n.
type segmented struct {
	azimuth moebius
	// zenith holds the zenith layers. Unlike a sub-flow, they act data side first: layer 0 is
	// applied first in the density direction (upstream's order), with the MLP's output as their
	// parameter block in layer order.
	zenith layers.Chain
	// euclidean is true for Euclidean zenith layers (on logit u); fitInit when all are g.
	euclidean, fitInit bool
	mlp                nn.MLP
}

// The zenith layers of n: interval layers on u ∈ [0, 1] or Euclidean layers on logit u, with
// upstream's option overrides.
var (
	zenithInterval        = spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: 0, High: 1, Text: "i1_0_1"}
	zenithReal            = spec.ManifoldDef{Kind: spec.Euclidean, Dim: 1, Text: "e1"}
	zenithIntervalLayers  = layers.NewRegistry(interval.REntry, interval.ZEntry)
	zenithEuclideanLayers = layers.NewRegistry(gaussianization.Entry, affine.TEntry, affine.XEntry, stretchEntry)
	zenithOverrides       = map[byte]map[string]any{
		'g': {"lower_bound_for_widths": 0.01, "upper_bound_for_widths": 1.0, "fit_normalization": 0},
		't': {"cov_type": "full"},
	}
)

func newSegmented(opts nOptions) (*segmented, error) {
	letters := opts.ZenithTypeLayers
	if letters == "" {
		return nil, fmt.Errorf("option \"zenith_type_layers\" is empty; give interval letters (r, z) or Euclidean letters (g, t, x, p)")
	}
	s := &segmented{azimuth: moebius{bases: opts.NumBasisFunctions},
		euclidean: strings.IndexByte("gtxp", letters[0]) >= 0, fitInit: strings.Trim(letters, "g") == ""}
	def, reg := zenithInterval, zenithIntervalLayers
	if s.euclidean {
		def, reg = zenithReal, zenithEuclideanLayers
	}
	zenith, err := reg.Chain(def, letters, func(l int, e layers.Entry, _ *layers.Context) (spec.Values, error) {
		vals := e.Schema.Defaults()
		for name, v := range zenithOverrides[e.Letter] {
			if err := e.Schema.Set(vals, name, v); err != nil {
				return nil, fmt.Errorf("layer %d: %w", l, err)
			}
		}
		return vals, nil
	})
	if err != nil {
		return nil, fmt.Errorf("option \"zenith_type_layers\" = %q (interval letters r, z or Euclidean letters g, t, x, p, not mixed): %w", letters, err)
	}
	s.zenith = zenith
	hidden, err := nn.ParseHidden(opts.HiddenDims)
	if err != nil {
		return nil, fmt.Errorf("option \"hidden_dims\": %w", err)
	}
	ranks := make([]int, nn.NumMatrices(len(hidden), opts.HighwayMode))
	for i := range ranks {
		ranks[i] = opts.MaxRank
	}
	if s.mlp, err = nn.NewAmortizable(2, hidden, s.zenith.NumParams(), ranks, opts.HighwayMode); err != nil {
		return nil, fmt.Errorf("option \"highway_mode\": %w", err)
	}
	return s, nil
}

func (s *segmented) numParams() int { return s.mlp.NumParams() + s.azimuth.numParams() }

// initialParams follows upstream's init_params: the MLP gets torch's default initialization divided
// by 1000 with its final bias set to the zenith layers' defaults (fitted to uniform pseudo-data
// for Gaussianization layers), the Möbius flow its N(0,1) defaults.
func (s *segmented) initialParams(rng *rand.Rand) []float64 {
	desired := s.zenithDefaults(rng)
	p := s.mlp.InitParams(rng, 1000, desired)
	return append(p, s.azimuth.initialParams(rng)...)
}

// zenithDefaults returns the zenith layers' initial parameters: for Gaussianization zenith layers fitted
// to 1000 pseudo-data points logit(U), U uniform on [0, 1] — the subspace image of a uniform
// sphere (upstream fits U itself, which leaves the fitted flow far off for the logit values it
// then receives) — layer 0 on the data side; otherwise (or if a fit fails) their defaults.
func (s *segmented) zenithDefaults(rng *rand.Rand) []float64 {
	if s.fitInit {
		if p, err := s.fitZenith(rng); err == nil {
			return p
		}
	}
	return s.zenith.InitialParams(rng)
}

func (s *segmented) fitZenith(rng *rand.Rand) ([]float64, error) {
	const n = 1000
	x := make([]float64, n)
	for i := range x {
		u := rng.Float64()
		x[i] = math.Log(u / (1 - u))
	}
	var out []float64
	for l := 0; l < s.zenith.Len(); l++ {
		di, ok := s.zenith.Layer(l).(layers.DataInitializer)
		if !ok {
			return nil, fmt.Errorf("zenith layer %d has no data initialization", l)
		}
		p, mapped, err := di.InitFromData(x, n, rng)
		if err != nil {
			return nil, err
		}
		out, x = append(out, p...), mapped
	}
	return out, nil
}

// inverse is the density direction: Möbius map of φ (analytic), zenith layers in layer order with
// parameters predicted from the data-side azimuth.
func (s *segmented) inverse(x, _, own *ad.Node) (*ad.Node, *ad.Node) {
	theta, phi := ad.Cols(x, 0, 1), ad.Cols(x, 1, 1)
	phiNew, ld := s.azimuth.apply(phi, s.moebiusBlock(own), true)
	zp := s.mlp.ApplyAt(ad.Concat(ad.Cos(phi), ad.Sin(phi)), own, 0)
	u, ldSub := s.toSubspace(theta)
	for l := 0; l < s.zenith.Len(); l++ {
		var d *ad.Node
		u, d = s.zenith.Layer(l).Inverse(u, s.zenith.Block(zp, l))
		ldSub = ad.Add(ldSub, d)
	}
	thetaNew, ldBack := s.fromSubspace(u)
	return ad.Concat(thetaNew, phiNew), ad.Add(ld, ad.Add(ldSub, ldBack))
}

// forward is the sampling direction: inverse Möbius map (numerical), then the zenith layers in
// reverse order conditioned on the new azimuth.
func (s *segmented) forward(z, _, own *ad.Node) (*ad.Node, *ad.Node) {
	theta, phi := ad.Cols(z, 0, 1), ad.Cols(z, 1, 1)
	phiNew, ld := s.azimuth.apply(phi, s.moebiusBlock(own), false)
	zp := s.mlp.ApplyAt(ad.Concat(ad.Cos(phiNew), ad.Sin(phiNew)), own, 0)
	u, ldSub := s.toSubspace(theta)
	for l := s.zenith.Len() - 1; l >= 0; l-- {
		var d *ad.Node
		u, d = s.zenith.Layer(l).Forward(u, s.zenith.Block(zp, l))
		ldSub = ad.Add(ldSub, d)
	}
	thetaNew, ldBack := s.fromSubspace(u)
	return ad.Concat(thetaNew, phiNew), ad.Add(ld, ad.Add(ldSub, ldBack))
}

func (s *segmented) moebiusBlock(own *ad.Node) *ad.Node {
	return ad.Cols(own, s.mlp.NumParams(), s.azimuth.numParams())
}

// toSubspace maps θ to u = sin²(θ/2) = (1-cos θ)/2 (log-det log(sin θ/2)), and for Euclidean
// zenith layers on to logit u = 2 log tan(θ/2) (log-det -log u - log(1-u)), written with sin(θ/2)
// and cos(θ/2) so that both ends stay accurate. θ is kept 1e-8 from the poles, as upstream.
func (s *segmented) toSubspace(theta *ad.Node) (*ad.Node, *ad.Node) {
	th := ad.Clamp(theta, 1e-8, math.Pi-1e-8)
	ld := ad.Log(ad.Scale(ad.Sin(th), 0.5))
	if !s.euclidean {
		u := ad.Unary(th, func(t float64) float64 { v := math.Sin(t / 2); return v * v },
			func(t, _ float64) float64 { return math.Sin(t) / 2 })
		return u, ld
	}
	logSinHalf := ad.Unary(th, func(t float64) float64 { return math.Log(math.Sin(t / 2)) },
		func(t, _ float64) float64 { return 0.5 / math.Tan(t/2) })
	logCosHalf := ad.Unary(th, func(t float64) float64 { return math.Log(math.Sin((math.Pi - t) / 2)) },
		func(t, _ float64) float64 { return -0.5 * math.Tan(t/2) })
	y := ad.Scale(ad.Sub(logSinHalf, logCosHalf), 2)
	return y, ad.Sub(ld, ad.Scale(ad.Add(logSinHalf, logCosHalf), 2))
}

// fromSubspace is the inverse of toSubspace: θ = 2 atan2(√u, √(1-u)) with log-det
// -log(sin θ/2) = -½ log(u(1-u)), u kept zenithMargin from 0 and 1; or for Euclidean layers
// θ = 2 atan(e^{y/2}) with the total log-det ½ log σ(y)σ(-y), finite for every finite y (upstream
// bounds σ(y) to [1e-5, 1-1e-5], i.e. |y| <= 11.5, and loses all mass beyond).
func (s *segmented) fromSubspace(y *ad.Node) (*ad.Node, *ad.Node) {
	if s.euclidean {
		theta := ad.Unary(y, func(v float64) float64 { return 2 * math.Atan(math.Exp(v/2)) },
			func(v, _ float64) float64 { return 0.5 / math.Cosh(v/2) })
		return theta, ad.Scale(ad.Sub(y, ad.Scale(ad.Softplus(y), 2)), 0.5)
	}
	u := ad.Clamp(y, zenithMargin, 1-zenithMargin)
	theta := ad.Unary(u, func(v float64) float64 { return 2 * math.Atan2(math.Sqrt(v), math.Sqrt(1-v)) },
		func(v, _ float64) float64 { return 1 / math.Sqrt(v*(1-v)) })
	return theta, ad.Scale(ad.Log(ad.Mul(u, ad.AddScalar(ad.Neg(u), 1))), -0.5)
}
