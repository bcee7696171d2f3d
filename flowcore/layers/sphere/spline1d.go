package sphere

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/flowcore/spline"
)

// OEntry is the circular rational-quadratic spline "o" on s1 (jammy_flows' spline_1d): a spline
// from [0, 2π] onto itself, by default the smooth two-bin spline (C² on the circle, no slope
// parameters, jammy_flows' "shift to middle"); otherwise K bins with one periodic boundary slope
// or fixed boundary slopes. Block: [rotation 4][widths][heights][slopes]; defaults 4+2+2 = 8.
// With natural_direction 1 (default) sampling evaluates the spline and the density direction its
// analytic inverse; 0 swaps them. Angles are clamped to [0, 2π] (jammy_flows keeps them 1e-7 away
// from the seam in the density direction, which makes the map non-invertible there; both end
// points are fixed points of the spline).
var OEntry = layers.Entry{
	Letter:   'o',
	Manifold: spec.Sphere,
	Schema:   oSchema,
	New:      layers.Typed(newSplineLayer),
}

// oOptions are the options of o (oSchema).
type oOptions struct {
	rotationOption
	spline.Options
	NaturalDirection bool `opt:"natural_direction"`
}

var oSchema = spec.Schema{
	{Name: "add_rotation", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "num_basis_functions", Kind: spec.Int, Default: 2, Check: spec.AtLeast(1)},
	{Name: "natural_direction", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "fix_boundary_derivatives", Kind: spec.Float, Default: -1.0, Check: spec.PositiveOrMinusOne},
	{Name: "smooth_second_derivative", Kind: spec.Int, Default: 1, Check: spec.Flag},
	{Name: "fix_first_width_n_height_to_zero", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "also_fix_second_width_to_zero", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "independent_width_height_parametrization", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "min_width", Kind: spec.Float, Default: 1e-4, Check: spec.Positive},
	{Name: "min_height", Kind: spec.Float, Default: 1e-4, Check: spec.Positive},
	{Name: "min_derivative", Kind: spec.Float, Default: 1e-4, Check: spec.Positive},
}

func newSplineLayer(ctx layers.Context, opts oOptions) (layers.Layer, error) {
	if ctx.Manifold.Dim != 1 {
		return nil, fmt.Errorf("layer \"o\" acts on s1, not %s", ctx.Manifold.Text)
	}
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	c, err := newCircularSpline(opts)
	if err != nil {
		return nil, err
	}
	return newRotated(m, householderIf(opts.AddRotation), -1, c)
}

// circularSpline is the core of o.
type circularSpline struct {
	layout  spline.Layout
	cfg     spline.Config
	natural bool
	// init is the value of every initial raw parameter (0 smooth, 0.54 otherwise, as upstream).
	init float64
}

func newCircularSpline(opts oOptions) (circularSpline, error) {
	k, smooth, fixFirst, fixed := opts.Bins, opts.Smooth, opts.FixFirst, opts.FixBoundaryDerivative
	c := circularSpline{natural: opts.NaturalDirection, init: 0.54}
	c.layout = spline.Layout{
		Bins: k, FixFirst: fixFirst, AlsoFixSecond: fixFirst && opts.AlsoFixSecond,
		Independent: opts.Independent,
		Slopes:      spline.PeriodicSlopes, FixedSlope: fixed, MinDerivative: opts.MinDerivative,
	}
	c.cfg = spline.Config{Bins: k, Mode: spline.Free, Box: spline.Box{Left: 0, Right: twoPi, Bottom: 0, Top: twoPi},
		MinWidth: opts.MinWidth, MinHeight: opts.MinHeight, MinDerivative: opts.MinDerivative}
	switch {
	case smooth:
		if k != 2 {
			return c, fmt.Errorf("option \"smooth_second_derivative\" = 1 needs num_basis_functions = 2, got %d", k)
		}
		c.layout.Slopes, c.cfg.Mode, c.init = spline.NoSlopes, spline.Circular, 0
	case fixed > 0:
		if !(fixed > c.layout.MinDerivative) {
			return c, fmt.Errorf("option \"fix_boundary_derivatives\" = %g must exceed min_derivative = %g", fixed, c.layout.MinDerivative)
		}
		c.layout.Slopes = spline.InteriorSlopes
	}
	if err := c.layout.Validate(); err != nil {
		return c, fmt.Errorf("option \"num_basis_functions\" = %d: %w", k, err)
	}
	if err := c.cfg.Validate(); err != nil {
		return c, fmt.Errorf("options min_width/min_height/min_derivative: %w", err)
	}
	return c, nil
}

func (c circularSpline) numParams() int { return c.layout.NumParams() }

func (c circularSpline) initialParams(*rand.Rand) []float64 {
	p := make([]float64, c.numParams())
	for i := range p {
		p[i] = c.init
	}
	return p
}

// apply evaluates the spline (or its inverse) on angles kept inside [0, 2π].
func (c circularSpline) apply(phi, own *ad.Node, inverse bool) (*ad.Node, *ad.Node) {
	p := c.layout.Expand(own, 0)
	phi = ad.Clamp(phi, 0, twoPi)
	if inverse {
		return spline.Inverse(phi, p, c.cfg)
	}
	return spline.Forward(phi, p, c.cfg)
}

func (c circularSpline) inverse(x, _, own *ad.Node) (*ad.Node, *ad.Node) {
	return c.apply(x, own, c.natural)
}

func (c circularSpline) forward(z, _, own *ad.Node) (*ad.Node, *ad.Node) {
	return c.apply(z, own, !c.natural)
}
