package sphere

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// fisherSubflows are the optional spline sub-flows of an f layer on (cos θ, φ): vertical and/or
// circular, or the correlated one; they act only where |cos θ| < 1-boundary. Block: [vertical]
// [circular] or [correlated].
type fisherSubflows struct {
	boundary   float64
	vertical   *layers.Chain
	circular   *layers.Chain
	correlated *correlatedFlow
}

// newFisherSubflows builds the sub-flows the options of f ask for.
func newFisherSubflows(opts fOptions) (fisherSubflows, error) {
	f := fisherSubflows{boundary: opts.BoundaryIdentityRegion}
	vert, circ := opts.AddVertical, opts.AddCircular
	switch {
	case opts.SplineBins == -1 && !opts.VerticalSmooth:
		return f, fmt.Errorf("option \"spline_num_basis_functions\" = -1 (alternating 2 and 3 bins) needs vertical_smooth = 1")
	case circ && opts.CircularAddRotation:
		return f, fmt.Errorf("option \"circular_add_rotation\" must be 0: a rotation of the azimuth is not defined at the poles")
	}
	if opts.AddCorrelated {
		if vert || circ {
			return f, fmt.Errorf("option \"add_correlated_rq_spline_flow\" = 1 excludes add_vertical_rq_spline_flow and add_circular_rq_spline_flow")
		}
		cor, err := newCorrelatedFlow(f.boundary, opts)
		if err != nil {
			return f, err
		}
		f.correlated = cor
		return f, nil
	}
	if vert {
		c, err := verticalChain(f.boundary, opts.VerticalFlowDefs, func(l int) map[string]any {
			return spec.Encode(verticalOptions(opts, l))
		})
		if err != nil {
			return f, err
		}
		f.vertical = &c
	}
	if circ {
		c, err := circularChain(opts.CircularFlowDefs, spec.Encode(circularOptions(opts)))
		if err != nil {
			return f, err
		}
		f.circular = &c
	}
	return f, nil
}

// blocks returns the sizes of the vertical, circular and correlated blocks.
func (f fisherSubflows) blocks() (v, c, cor int) {
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

// numParams is the length of the sub-flows' block.
func (f fisherSubflows) numParams() int {
	v, c, cor := f.blocks()
	return v + c + cor
}

// none reports whether there is no sub-flow.
func (f fisherSubflows) none() bool {
	return f.vertical == nil && f.circular == nil && f.correlated == nil
}

// initialParams are the sub-flows' defaults.
func (f fisherSubflows) initialParams(rng *rand.Rand) []float64 {
	if f.correlated != nil {
		return f.correlated.initialParams(rng)
	}
	var p []float64
	if f.vertical != nil {
		p = append(p, f.vertical.InitialParams(rng)...)
	}
	if f.circular != nil {
		p = append(p, f.circular.InitialParams(rng)...)
	}
	return p
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
func (f fisherSubflows) apply(c, phi, vert, circ, cor *ad.Node, inverse bool) (*ad.Node, *ad.Node, *ad.Node) {
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
