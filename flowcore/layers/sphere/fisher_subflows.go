package sphere

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// buildSubflows creates the vertical, circular or correlated sub-flows of an f layer.
func (f *fisher) buildSubflows(opts fOptions) error {
	vert, circ := opts.AddVertical, opts.AddCircular
	switch {
	case opts.SplineBins == -1 && !opts.VerticalSmooth:
		return fmt.Errorf("option \"spline_num_basis_functions\" = -1 (alternating 2 and 3 bins) needs vertical_smooth = 1")
	case circ && opts.CircularAddRotation:
		return fmt.Errorf("option \"circular_add_rotation\" must be 0: a rotation of the azimuth is not defined at the poles")
	}
	if opts.AddCorrelated {
		if vert || circ {
			return fmt.Errorf("option \"add_correlated_rq_spline_flow\" = 1 excludes add_vertical_rq_spline_flow and add_circular_rq_spline_flow")
		}
		cor, err := newCorrelatedFlow(f.boundary, opts)
		if err != nil {
			return err
		}
		f.correlated = cor
		return nil
	}
	if vert {
		c, err := verticalChain(f.boundary, opts.VerticalFlowDefs, func(l int) map[string]any {
			return spec.Encode(verticalOptions(opts, l))
		})
		if err != nil {
			return err
		}
		f.vertical = &c
	}
	if circ {
		c, err := circularChain(opts.CircularFlowDefs, spec.Encode(circularOptions(opts)))
		if err != nil {
			return err
		}
		f.circular = &c
	}
	return nil
}

// verticalOptions are the r options of vertical layer l: the vertical_* options of f, with
// spline_num_basis_functions bins (-1: 2 for even and 3 for odd layers); the other options keep
// r's defaults.
func verticalOptions(opts fOptions, l int) interval.ROptions {
	o := spec.DecodeDefaults[interval.ROptions](interval.REntry.Schema)
	o.Bins = opts.SplineBins
	if o.Bins == -1 {
		o.Bins = 2 + l%2
	}
	o.FixBoundaryDerivative = -1
	if opts.VerticalFixBoundaryDerivative {
		o.FixBoundaryDerivative = 1
	}
	o.Smooth, o.MaxRatio = opts.VerticalSmooth, opts.VerticalMaxRatio
	o.FixFirst, o.AlsoFixSecond, o.Independent = opts.VerticalFixFirst, opts.VerticalAlsoFixSecond, opts.VerticalIndependent
	return o
}

// circularOptions are the o options of every circular layer: two smooth bins, the vertical
// fix/independence options, no rotation; the other options keep o's defaults.
func circularOptions(opts fOptions) oOptions {
	o := spec.DecodeDefaults[oOptions](oSchema)
	o.Bins, o.Smooth = 2, true
	o.FixFirst, o.AlsoFixSecond, o.Independent = opts.VerticalFixFirst, opts.VerticalAlsoFixSecond, opts.VerticalIndependent
	o.AddRotation = opts.CircularAddRotation
	return o
}

// verticalLayers and circularLayers are the letters allowed in vertical_flow_defs and
// circular_flow_defs.
var (
	verticalLayers = layers.NewRegistry(interval.REntry, interval.ZEntry)
	circularLayers = layers.NewRegistry(OEntry)
)

// verticalChain builds the interval layers (r or z) on [-(1-b), 1-b] for cos θ. (jammy_flows
// writes these bounds with two decimals; gojammy uses 1-b exactly, which keeps the sub-flow a
// bijection of the region |cos θ| < 1-b it acts on.)
func verticalChain(b float64, letters string, opts func(l int) map[string]any) (layers.Chain, error) {
	def := spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: -(1 - b), High: 1 - b,
		Text: fmt.Sprintf("i1_%g_%g", -(1 - b), 1-b)}
	return subChain("vertical_flow_defs", letters, def, verticalLayers, opts)
}

// circularChain builds the o layers on the azimuth.
func circularChain(letters string, opts map[string]any) (layers.Chain, error) {
	def := spec.ManifoldDef{Kind: spec.Sphere, Dim: 1, Text: "s1"}
	return subChain("circular_flow_defs", letters, def, circularLayers, func(int) map[string]any { return opts })
}

// subChain builds the sub-flow given by the option's letters on manifold def, each layer with its
// defaults overridden by the known names of opts(l).
func subChain(option, letters string, def spec.ManifoldDef, reg layers.Registry, opts func(l int) map[string]any) (layers.Chain, error) {
	if letters == "" {
		return layers.Chain{}, fmt.Errorf("option %q is empty; give layer letters", option)
	}
	c, err := reg.Chain(def, letters, func(l int, e layers.Entry, _ *layers.Context) (spec.Values, error) {
		vals := e.Schema.Defaults()
		for name, v := range opts(l) {
			if _, known := vals[name]; !known {
				continue
			}
			if err := e.Schema.Set(vals, name, v); err != nil {
				return nil, fmt.Errorf("layer %d: %w", l, err)
			}
		}
		return vals, nil
	})
	if err != nil {
		return c, fmt.Errorf("option %q = %q: %w", option, letters, err)
	}
	return c, nil
}

// fade is S(c) = 1 - 10|c|³ + 15c⁴ - 6|c|⁵: 1 at the equator, 0 at the poles with vanishing first
// and second derivatives, so that the azimuthal flow fades out at the poles.
func fade(c *ad.Node) *ad.Node {
	return ad.Unary(c, func(v float64) float64 {
		a := math.Abs(v)
		return 1 + a*a*a*(-10+a*(15-6*a))
	}, func(v, _ float64) float64 {
		a := math.Abs(v)
		d := -30 * a * a * (1 - a) * (1 - a)
		if v < 0 {
			return -d
		}
		return d
	})
}

// subflows applies the sub-flows to (cos θ, φ): in the density direction the circular flow (its
// parameters scaled by S(cos θ)) then the vertical flow, inverted; when sampling the vertical flow
// then the circular flow. With a boundary region b > 0 rows with |cos θ| >= 1-b are left alone.
func (f *fisher) subflows(c, phi, vert, circ, cor *ad.Node, inverse bool) (*ad.Node, *ad.Node, *ad.Node) {
	ld := c.Tape().New(c.R, 1)
	var inside []bool
	if f.boundary > 0 {
		inside = make([]bool, c.R)
		for i, v := range c.Val {
			inside[i] = math.Abs(v) < 1-f.boundary
		}
	}
	// restrict runs a map on the inside rows (others get a safe stand-in input) and keeps the
	// other rows unchanged with log-det 0.
	restrict := func(x *ad.Node, safe float64, run func(x *ad.Node) (*ad.Node, *ad.Node)) (*ad.Node, *ad.Node) {
		if inside == nil {
			return run(x)
		}
		vals := make([]float64, x.C)
		for i := range vals {
			vals[i] = safe
		}
		stand := x.Tape().Const(1, x.C, vals)
		y, d := run(ad.SelectRows(inside, x, stand))
		return ad.SelectRows(inside, y, x), ad.SelectRows(inside, d, x.Tape().New(1, 1))
	}
	if cor != nil {
		y, d := restrict(ad.Concat(c, phi), 0, func(x *ad.Node) (*ad.Node, *ad.Node) {
			return f.correlated.apply(x, cor, inverse)
		})
		return ad.Cols(y, 0, 1), ad.Cols(y, 1, 1), d
	}
	circular := func() {
		if f.circular == nil {
			return
		}
		params := ad.Mul(circ, fade(c))
		var d *ad.Node
		phi, d = restrict(phi, math.Pi, func(x *ad.Node) (*ad.Node, *ad.Node) {
			if inverse {
				return f.circular.Inverse(x, params, nil)
			}
			return f.circular.Forward(x, params, nil)
		})
		ld = ad.Add(ld, d)
	}
	vertical := func() {
		if f.vertical == nil {
			return
		}
		var d *ad.Node
		c, d = restrict(c, 0, func(x *ad.Node) (*ad.Node, *ad.Node) {
			if inverse {
				return f.vertical.Inverse(x, vert, nil)
			}
			return f.vertical.Forward(x, vert, nil)
		})
		ld = ad.Add(ld, d)
	}
	if inverse {
		circular()
		vertical()
	} else {
		vertical()
		circular()
	}
	return c, phi, ld
}
