// Package interval holds the flow layers on an interval [Low, High] (pdf_defs "i1_<low>_<high>"):
// r, a monotone rational-quadratic spline of the interval onto itself, and z, the identity.
//
// Difference from jammy_flows: upstream's r clamps its input and output to [-1, 1] whatever the
// interval bounds (added for the vertical flow of layer f), so that with bounds beyond ±1 every
// point outside [-1, 1] maps to the same base point and samples never leave [-1, 1]. Here r works
// on the interval's own bounds, ctx.Manifold.Low and High: its spline maps [Low, High] onto itself.
// On [-1, 1] and narrower intervals both agree. Points outside [Low, High] (beyond a relative
// rounding tolerance of 1e-12) give NaN points and log-determinants; the PDF maps such rows to
// log-density -inf.
package interval

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/flowcore/spline"
)

// REntry registers the layer r (jammy_flows' rational_quadratic_spline).
var REntry = layers.Entry{Letter: 'r', Manifold: spec.Interval, Schema: rSchema(), New: layers.Typed(newR)}

// Option names of r.
const (
	optBins        = "num_basis_functions"
	optFixBoundary = "fix_boundary_derivatives"
	optSmooth      = "smooth_second_derivative"
	optRatio       = "restrict_max_min_width_height_ratio"
	optFixFirst    = "fix_first_width_n_height_to_zero"
	optFixSecond   = "also_fix_second_width_to_zero"
	optIndependent = "independent_width_height_parametrization"
	optMinWidth    = "min_width"
	optMinHeight   = "min_height"
	optMinDeriv    = "min_derivative"
)

// ROptions are the options of r (rSchema).
type ROptions struct {
	spline.Options
	MaxRatio float64 `opt:"restrict_max_min_width_height_ratio"`
}

func rSchema() spec.Schema {
	return spec.Schema{
		{Name: optBins, Kind: spec.Int, Default: 5, Check: spec.AtLeast(1)},
		{Name: optFixBoundary, Kind: spec.Float, Default: -1.0, Check: spec.PositiveOrMinusOne},
		{Name: optSmooth, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: optRatio, Kind: spec.Float, Default: -1.0, Check: spec.PositiveOrMinusOne},
		{Name: optFixFirst, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: optFixSecond, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: optIndependent, Kind: spec.Int, Default: 0, Check: spec.Flag},
		{Name: optMinWidth, Kind: spec.Float, Default: 1e-4, Check: spec.Positive},
		{Name: optMinHeight, Kind: spec.Float, Default: 1e-4, Check: spec.Positive},
		{Name: optMinDeriv, Kind: spec.Float, Default: 1e-4, Check: spec.Positive},
	}
}

// rLayer is a rational-quadratic spline of [Low, High] onto itself. Parameter block: [raw widths]
// [raw heights][raw slopes] (spline.Layout). Sampling direction = the spline, density direction =
// its analytic inverse.
type rLayer struct {
	layout spline.Layout
	cfg    spline.Config
	smooth bool
}

func newR(ctx layers.Context, o ROptions) (layers.Layer, error) {
	k, smooth, fix, ratio, fixFirst := o.Bins, o.Smooth, o.FixBoundaryDerivative, o.MaxRatio, o.FixFirst
	minW, minH, minD := o.MinWidth, o.MinHeight, o.MinDerivative
	switch {
	case ctx.Manifold.Dim != 1 || !(ctx.Manifold.Low < ctx.Manifold.High):
		return nil, fmt.Errorf("layer r needs a one-dimensional interval with low < high, got %q", ctx.Manifold.Text)
	case smooth && k != 2 && k != 3:
		return nil, fmt.Errorf("option %q = 1 needs %q = 2 or 3, got %d", optSmooth, optBins, k)
	case fix > 0 && !(fix > minD):
		return nil, fmt.Errorf("option %q = %g must exceed %q = %g", optFixBoundary, fix, optMinDeriv, minD)
	case minW*float64(k) > 1:
		return nil, fmt.Errorf("option %q = %g times %q = %d exceeds 1", optMinWidth, minW, optBins, k)
	case minH*float64(k) > 1:
		return nil, fmt.Errorf("option %q = %g times %q = %d exceeds 1", optMinHeight, minH, optBins, k)
	case ratio > 0 && k > 1 && !(ratio > float64(k-1)):
		return nil, fmt.Errorf("option %q = %g must exceed %q minus 1 = %d", optRatio, ratio, optBins, k-1)
	case fixFirst && o.AlsoFixSecond && k < 2:
		return nil, fmt.Errorf("option %q = 1 needs %q >= 2", optFixSecond, optBins)
	}
	lo, hi := ctx.Manifold.Low, ctx.Manifold.High
	l := &rLayer{
		smooth: smooth,
		cfg: spline.Config{Bins: k, Box: spline.Box{Left: lo, Right: hi, Bottom: lo, Top: hi},
			MinWidth: minW, MinHeight: minH, MinDerivative: minD, MaxRatio: ratio},
		// also_fix_second_width_to_zero only acts together with fix_first_width_n_height_to_zero,
		// as upstream.
		layout: spline.Layout{Bins: k, FixFirst: fixFirst, AlsoFixSecond: fixFirst && o.AlsoFixSecond,
			Independent: o.Independent, Mirror: smooth && k == 3, FixedSlope: fix, MinDerivative: minD},
	}
	switch {
	case smooth && fix > 0:
		l.layout.Slopes = spline.FixedBoundarySlopes
	case smooth:
		l.layout.Slopes = spline.BoundarySlopes
	case fix > 0:
		l.layout.Slopes = spline.InteriorSlopes
	default:
		l.layout.Slopes = spline.AllSlopes
	}
	if smooth {
		l.cfg.Mode = spline.SmoothC2
	}
	if err := l.cfg.Validate(); err != nil {
		return nil, err
	}
	if err := l.layout.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *rLayer) NumParams() int { return l.layout.NumParams() }

// InitialParams is upstream's default: 0.54 for every raw value (a nearly flat spline), zeros for
// the smooth variant.
func (l *rLayer) InitialParams(*rand.Rand) []float64 {
	p := make([]float64, l.NumParams())
	if !l.smooth {
		for i := range p {
			p[i] = 0.54
		}
	}
	return p
}

// Inverse is the density direction: the analytic inverse of the spline.
func (l *rLayer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	return spline.Inverse(x, l.layout.Expand(params, 0), l.cfg)
}

// Forward is the sampling direction: the spline itself.
func (l *rLayer) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	return spline.Forward(z, l.layout.Expand(params, 0), l.cfg)
}
