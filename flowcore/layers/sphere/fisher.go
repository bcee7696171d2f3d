package sphere

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// FEntry is the von Mises–Fisher layer "f" on s2 (jammy_flows' fisher_von_mises_2d): a radial
// vMF map of cos θ, optionally preceded (sampling direction) by spline sub-flows — a vertical
// flow of interval layers on cos θ and a circular flow of o layers on φ whose parameters fade out
// towards the poles, or a correlated flow coupling both — and followed by a rotation.
// Parameter block: [rotation][raw κ (bounded κ modes)][vertical][circular] or
// [rotation][raw κ][correlated]; the default is 9+1 = 10.
var FEntry = layers.Entry{
	Letter:   'f',
	Manifold: spec.Sphere,
	Schema:   fSchema,
	New:      layers.Typed(newFisherLayer),
}

// fOptions are the options of f (fSchema).
type fOptions struct {
	AddVertical            bool    `opt:"add_vertical_rq_spline_flow"`
	AddCircular            bool    `opt:"add_circular_rq_spline_flow"`
	AddCorrelated          bool    `opt:"add_correlated_rq_spline_flow"`
	CircularFlowDefs       string  `opt:"circular_flow_defs"`
	VerticalFlowDefs       string  `opt:"vertical_flow_defs"`
	CorrelatedMaxRank      int     `opt:"correlated_max_rank"`
	InverseZScaling        bool    `opt:"inverse_z_scaling"`
	BoundaryIdentityRegion float64 `opt:"boundary_cos_theta_identity_region"`
	// SplineBins is the number of bins of the vertical layers (-1: 2 and 3 alternating).
	SplineBins                    int     `opt:"spline_num_basis_functions"`
	VerticalSmooth                bool    `opt:"vertical_smooth"`
	VerticalMaxRatio              float64 `opt:"vertical_restrict_max_min_width_height_ratio"`
	VerticalFixBoundaryDerivative bool    `opt:"vertical_fix_boundary_derivative"`
	VerticalFixFirst              bool    `opt:"vertical_fix_first_width_n_height_to_zero"`
	VerticalAlsoFixSecond         bool    `opt:"vertical_also_fix_second_width_to_zero"`
	VerticalIndependent           bool    `opt:"vertical_independent_width_height_parametrization"`
	CircularAddRotation           bool    `opt:"circular_add_rotation"`
	MinKappa                      float64 `opt:"min_kappa"`
	KappaPrediction               string  `opt:"kappa_prediction"`
	AddExtraRotation              bool    `opt:"add_extra_rotation_inbetween"`
	AddRotation                   bool    `opt:"add_rotation"`
	RotationMode                  string  `opt:"rotation_mode"`
	KappaClamping                 bool    `opt:"kappa_clamping"`
	NumHouseholderIter            int     `opt:"num_householder_iter"`
}

// RecommendedF is the f option set that jammy_flows' documentation recommends for s2, used with
// 15 f layers ("fffffffffffffff"): vertical and circular smooth spline sub-flows (2 and 3 bins
// alternating) with fixed first widths, 14 parameters per layer.
var RecommendedF = map[string]any{
	"add_vertical_rq_spline_flow": 1, "spline_num_basis_functions": -1, "vertical_smooth": 1,
	"vertical_flow_defs": "rr", "circular_flow_defs": "oo", "vertical_fix_boundary_derivative": 1,
	"min_kappa": 1e-10, "kappa_prediction": kappaDirect, "kappa_clamping": 0,
	"vertical_restrict_max_min_width_height_ratio": -1.0, "vertical_fix_first_width_n_height_to_zero": 1,
	"vertical_independent_width_height_parametrization": 1, "add_circular_rq_spline_flow": 1,
	"circular_add_rotation": 0, "vertical_also_fix_second_width_to_zero": 1, "rotation_mode": modeHouseholder,
}

var fSchema = spec.Schema{
	{Name: "add_vertical_rq_spline_flow", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "add_circular_rq_spline_flow", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "add_correlated_rq_spline_flow", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "circular_flow_defs", Kind: spec.String, Default: "oo"},
	{Name: "vertical_flow_defs", Kind: spec.String, Default: "rr"},
	{Name: "correlated_max_rank", Kind: spec.Int, Default: 3, Check: spec.AtLeast(0)},
	{Name: "inverse_z_scaling", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "boundary_cos_theta_identity_region", Kind: spec.Float, Default: 0.0, Check: unitInterval},
	{Name: "spline_num_basis_functions", Kind: spec.Int, Default: 5, Check: spec.PositiveOrMinusOne},
	{Name: "vertical_smooth", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "vertical_restrict_max_min_width_height_ratio", Kind: spec.Float, Default: -1.0, Check: spec.PositiveOrMinusOne},
	{Name: "vertical_fix_boundary_derivative", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "vertical_fix_first_width_n_height_to_zero", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "vertical_also_fix_second_width_to_zero", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "vertical_independent_width_height_parametrization", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "circular_add_rotation", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "min_kappa", Kind: spec.Float, Default: 1e-10, Check: spec.Positive},
	{Name: "kappa_prediction", Kind: spec.String, Default: kappaDirect, Choices: kappaModes},
	{Name: "add_extra_rotation_inbetween", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "add_rotation", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "rotation_mode", Kind: spec.String, Default: modeHouseholder, Choices: rotationModes},
	{Name: "kappa_clamping", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "num_householder_iter", Kind: spec.Int, Default: -1, Check: spec.PositiveOrMinusOne},
}

// unitInterval accepts values in [0, 1).
func unitInterval(v any) error {
	if f := spec.Number(v); f >= 0 && f < 1 {
		return nil
	}
	return fmt.Errorf("must lie in [0, 1)")
}

func newFisherLayer(ctx layers.Context, opts fOptions) (layers.Layer, error) {
	if ctx.Manifold.Dim != 2 {
		return nil, fmt.Errorf("layer \"f\" acts on s2, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	rotate, mode := opts.AddRotation, opts.RotationMode
	c, err := newFisher(m, opts)
	if err != nil {
		return nil, err
	}
	if !rotate {
		mode = ""
	}
	l, err := newRotated(m, mode, opts.NumHouseholderIter, c)
	if err != nil {
		return nil, err
	}
	if !c.kappa.raw() {
		// κ is the size of the rotation parameters: start near κ = 0 (uniform).
		l.rotInit = 0.01
	}
	return l, nil
}

// fisher is the core of f.
type fisher struct {
	// m is the sphere, for the coordinate changes of the extra rotation.
	m manifold.Manifold
	// sign is s: -1 with inverse_z_scaling.
	sign  float64
	kappa kappaMap
	// boundary is b: the sub-flows act only where |cos θ| < 1-b.
	boundary   float64
	extraRot   bool
	vertical   *layers.Chain
	circular   *layers.Chain
	correlated *correlatedFlow
}

func newFisher(m manifold.Manifold, opts fOptions) (*fisher, error) {
	k, err := newKappaMap(opts.KappaPrediction, opts.MinKappa, opts.KappaClamping, opts.AddRotation, opts.RotationMode)
	if err != nil {
		return nil, err
	}
	f := &fisher{m: m, sign: 1, kappa: k, boundary: opts.BoundaryIdentityRegion, extraRot: opts.AddExtraRotation}
	if opts.InverseZScaling {
		f.sign = -1
	}
	if err := f.buildSubflows(opts); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *fisher) numKappa() int {
	if f.kappa.raw() {
		return 1
	}
	return 0
}

// blocks returns the sizes of the vertical, circular and correlated blocks.
func (f *fisher) blocks() (v, c, cor int) {
	if f.vertical != nil {
		v = f.vertical.NumParams()
	}
	if f.circular != nil {
		c = f.circular.NumParams()
	}
	if f.correlated != nil {
		cor = f.correlated.numParams()
	}
	return v, c, cor
}

func (f *fisher) numParams() int {
	v, c, cor := f.blocks()
	return f.numKappa() + v + c + cor
}

// initialParams: raw κ ~ N(0,1) - 3 (κ ≈ 0.05, nearly uniform), then the sub-flows' defaults.
func (f *fisher) initialParams(rng *rand.Rand) []float64 {
	var p []float64
	if f.kappa.raw() {
		p = append(p, rng.NormFloat64()-3)
	}
	if f.correlated != nil {
		return append(p, f.correlated.initialParams(rng)...)
	}
	if f.vertical != nil {
		p = append(p, f.vertical.InitialParams(rng)...)
	}
	if f.circular != nil {
		p = append(p, f.circular.InitialParams(rng)...)
	}
	return p
}

// split returns κ and the sub-flow blocks (nil when absent).
func (f *fisher) split(rot, own *ad.Node) (kappa, vert, circ, cor *ad.Node) {
	off := f.numKappa()
	var raw *ad.Node
	if off > 0 {
		raw = ad.Cols(own, 0, 1)
	}
	kappa = f.kappa.eval(rot, raw)
	v, c, n := f.blocks()
	block := func(size int) *ad.Node {
		if size == 0 {
			return nil
		}
		b := ad.Cols(own, off, size)
		off += size
		return b
	}
	vert, circ, cor = block(v), block(c), block(n)
	return kappa, vert, circ, cor
}

// fusesRotation reports whether the layer is the rotation and the vMF map alone (no sub-flows, no
// extra rotation): then each direction runs as one op with the rotation (rotateVMF, vmfRotate).
func (f *fisher) fusesRotation() bool {
	return !f.extraRot && f.vertical == nil && f.circular == nil && f.correlated == nil
}

// inverseRotated is the rotation by mat followed by the density direction, as one op.
func (f *fisher) inverseRotated(x, mat, rot, own *ad.Node) (*ad.Node, *ad.Node) {
	return rotateVMF(x, mat, f.kappaOf(rot, own), f.sign)
}

// forwardRotated is the sampling direction followed by the rotation by mat, as one op.
func (f *fisher) forwardRotated(z, mat, rot, own *ad.Node) (*ad.Node, *ad.Node) {
	return vmfRotate(z, mat, f.kappaOf(rot, own), f.sign)
}

// kappaOf returns κ alone.
func (f *fisher) kappaOf(rot, own *ad.Node) *ad.Node {
	kappa, _, _, _ := f.split(rot, own)
	return kappa
}

// inverse is the density direction: vMF map, extra rotation, then the sub-flows' inverses.
func (f *fisher) inverse(x, rot, own *ad.Node) (*ad.Node, *ad.Node) {
	kappa, vert, circ, cor := f.split(rot, own)
	phi := ad.Cols(x, 1, 1)
	c, ld := vmfEnter(ad.Cols(x, 0, 1), kappa, f.sign)
	if f.extraRot {
		c, phi = f.extraRotation(c, phi, true)
	}
	c, phi, ldSub := f.subflows(c, phi, vert, circ, cor, true)
	theta, ldExit := vmfExit(c)
	return ad.Concat(theta, phi), ad.Add(ad.Add(ld, ldSub), ldExit)
}

// forward is the sampling direction: sub-flows, extra rotation, then the inverse vMF map.
func (f *fisher) forward(z, rot, own *ad.Node) (*ad.Node, *ad.Node) {
	kappa, vert, circ, cor := f.split(rot, own)
	theta, phi := ad.Cols(z, 0, 1), ad.Cols(z, 1, 1)
	ld := logSin(theta)
	c, phi, ldSub := f.subflows(ad.Cos(theta), phi, vert, circ, cor, false)
	ld = ad.Add(ld, ldSub)
	if f.extraRot {
		c, phi = f.extraRotation(c, phi, false)
	}
	theta, ldExit := vmfLeave(c, kappa, f.sign)
	return ad.Concat(theta, phi), ad.Add(ld, ldExit)
}

// extraRotation applies jammy_flows' fixed quarter turn M = [[0,0,1],[0,1,0],[-1,0,0]] between the
// vMF map and the sub-flows (Mᵀ in the density direction, M when sampling) to (cos θ, φ). The
// log sin θ terms of the coordinate changes around it cancel exactly, as upstream.
func (f *fisher) extraRotation(c, phi *ad.Node, inverse bool) (*ad.Node, *ad.Node) {
	e := f.m.ToEmbedding(ad.Concat(ad.Acos(c), phi))
	ex, ey, ez := ad.Cols(e, 0, 1), ad.Cols(e, 1, 1), ad.Cols(e, 2, 1)
	if inverse {
		e = ad.Concat(ad.Neg(ez), ey, ex)
	} else {
		e = ad.Concat(ez, ey, ad.Neg(ex))
	}
	y := f.m.FromEmbedding(e)
	return ad.Cos(ad.Cols(y, 0, 1)), ad.Cols(y, 1, 1)
}
