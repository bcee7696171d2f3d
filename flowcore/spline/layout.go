package spline

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Slopes says which knot slopes a layer's parameter block holds (jammy_flows' conventions of the
// interval layer r and the circle layer o).
type Slopes int

const (
	// AllSlopes: K+1 raw knot slopes (Free).
	AllSlopes Slopes = iota
	// InteriorSlopes: K−1 raw interior slopes; both boundary slopes are Layout.FixedSlope (Free).
	InteriorSlopes
	// PeriodicSlopes: K raw slopes; the last knot repeats the slope of the first (Free, on a circle).
	PeriodicSlopes
	// BoundarySlopes: 2 raw boundary slopes (SmoothC2).
	BoundarySlopes
	// FixedBoundarySlopes: no raw slopes; both boundary slopes are Layout.FixedSlope (SmoothC2).
	FixedBoundarySlopes
	// NoSlopes: no slope parameters (Circular).
	NoSlopes
)

// Layout describes how a layer's compact parameter block [widths][heights][slopes] expands to the
// full raw parameters of one spline.
type Layout struct {
	// Bins is the number of bins K.
	Bins int
	// FixFirst fixes the first raw width and height to 0 (they are redundant under the softmax);
	// AlsoFixSecond (only with FixFirst) fixes the second raw width to 0 as well.
	FixFirst, AlsoFixSecond bool
	// Independent adds the raw widths to the raw heights (jammy_flows'
	// independent_width_height_parametrization).
	Independent bool
	// Mirror drops the last raw width and height and repeats the first ones in their place (the
	// mirror-symmetric three-bin C² spline).
	Mirror bool
	// Slopes selects the slope parameters.
	Slopes Slopes
	// FixedSlope is the value of fixed boundary slopes; MinDerivative is the minimum slope of the
	// spline configuration (the fixed slopes enter as raw values that give exactly FixedSlope).
	FixedSlope, MinDerivative float64
}

// NumWidths is the number of raw widths in the block.
func (l Layout) NumWidths() int {
	n := l.Bins
	if l.FixFirst {
		n--
		if l.AlsoFixSecond {
			n--
		}
	}
	if l.Mirror {
		n--
	}
	return n
}

// NumHeights is the number of raw heights in the block.
func (l Layout) NumHeights() int {
	n := l.Bins
	if l.FixFirst {
		n--
	}
	if l.Mirror {
		n--
	}
	return n
}

// NumSlopes is the number of raw slopes in the block.
func (l Layout) NumSlopes() int {
	switch l.Slopes {
	case AllSlopes:
		return l.Bins + 1
	case InteriorSlopes:
		return l.Bins - 1
	case PeriodicSlopes:
		return l.Bins
	case BoundarySlopes:
		return 2
	}
	return 0
}

// NumParams is the size of the block.
func (l Layout) NumParams() int { return l.NumWidths() + l.NumHeights() + l.NumSlopes() }

// Validate checks that the layout is consistent.
func (l Layout) Validate() error {
	switch {
	case l.NumWidths() < 0 || l.NumHeights() < 0 || l.NumSlopes() < 0:
		return fmt.Errorf("spline layout: %d bins leave no room for the fixed widths and heights", l.Bins)
	case l.Mirror && l.Bins < 2:
		return fmt.Errorf("spline layout: a mirrored spline needs at least 2 bins")
	case (l.Slopes == InteriorSlopes || l.Slopes == FixedBoundarySlopes) && !(l.FixedSlope > l.MinDerivative):
		return fmt.Errorf("spline layout: fixed boundary slope %g must exceed the minimum derivative %g", l.FixedSlope, l.MinDerivative)
	}
	return nil
}

// fixedRaw is the raw slope whose constrained value MinDerivative + softplus(raw) is FixedSlope.
func (l Layout) fixedRaw() float64 {
	return math.Log(math.Expm1(l.FixedSlope - l.MinDerivative))
}

// Expand reads the block starting at column off of params (1 or R rows) and returns the full raw
// parameters of one spline (one column of points).
func (l Layout) Expand(params *ad.Node, off int) Params {
	t := params.Tape()
	w := ad.Cols(params, off, l.NumWidths())
	off += l.NumWidths()
	h := ad.Cols(params, off, l.NumHeights())
	off += l.NumHeights()
	if l.FixFirst {
		zero := t.New(1, 1)
		h = join(zero, h)
		if l.AlsoFixSecond {
			w = join(zero, zero, w)
		} else {
			w = join(zero, w)
		}
	}
	if l.Independent {
		h = ad.Add(w, h)
	}
	if l.Mirror {
		w = join(w, ad.Cols(w, 0, 1))
		h = join(h, ad.Cols(h, 0, 1))
	}
	p := Params{Widths: w, Heights: h}
	fixed := func() *ad.Node { return t.Const(1, 1, []float64{l.fixedRaw()}) }
	switch l.Slopes {
	case AllSlopes, BoundarySlopes:
		p.Derivatives = ad.Cols(params, off, l.NumSlopes())
	case InteriorSlopes:
		f := fixed()
		p.Derivatives = join(f, ad.Cols(params, off, l.NumSlopes()), f)
	case PeriodicSlopes:
		d := ad.Cols(params, off, l.NumSlopes())
		p.Derivatives = join(d, ad.Cols(d, 0, 1))
	case FixedBoundarySlopes:
		f := fixed()
		p.Derivatives = join(f, f)
	}
	return p
}

// join concatenates nodes side by side, leaving out empty ones.
func join(parts ...*ad.Node) *ad.Node {
	kept := parts[:0:0]
	for _, p := range parts {
		if p.C > 0 {
			kept = append(kept, p)
		}
	}
	if len(kept) == 1 {
		return kept[0]
	}
	return ad.Concat(kept...)
}
