// Package spline implements monotone rational-quadratic splines (neural spline flows, Durkan et al.
// 2019, in the variants of jammy_flows' spline_fns) as fused ad operations.
//
// A spline maps [Left, Right] onto [Bottom, Top] through K bins. Its knots come from raw
// (unconstrained) parameters: bin widths and heights are minimum fractions plus softmax shares
// (optionally squashed first so that the largest/smallest share ratio is bounded), accumulated and
// scaled onto the box with the end knots pinned; knot slopes are MinDerivative + softplus(raw).
// Variants:
//
//   - Free: every knot slope is a parameter (K+1 per spline).
//   - SmoothC2: only the two boundary slopes are parameters; the interior slopes are chosen so
//     that the second derivative is continuous (K ≤ 3; for K = 3 the bins must be mirror-symmetric,
//     w₃ = w₁ and h₃ = h₁, which Layout.Mirror arranges).
//   - Circular: two bins on [0, 2π] with one common slope at all three knots (C² on the circle),
//     plus jammy_flows' "shift to middle" rotations of input and output.
//   - LinearTails (with Free): outside the box the spline continues linearly with the boundary
//     slopes (jammy_flows' rational_quadratic_spline_with_linear_extension); the box itself may be
//     given per column and per row as a parameter node (Params.Bounds).
//
// Forward maps x → y (the spline) and Inverse maps y → x by the analytic root of the bin's
// quadratic; both return the log-derivative of the map they compute. Each is one custom ad op whose
// vector-Jacobian product covers the input and every raw parameter node. Knots are built once per
// parameter row: once per call for a broadcast (one-row) parameter node.
//
// Points outside the box (beyond a relative rounding tolerance of 1e-12) give NaN output and NaN
// log-derivative for that entry when tails are off; NaN inputs give NaN outputs. Both carry zero
// gradient.
package spline

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Mode selects how the knot slopes are obtained.
type Mode int

const (
	// Free takes all K+1 knot slopes from Params.Derivatives.
	Free Mode = iota
	// SmoothC2 takes the two boundary slopes from Params.Derivatives (2 per column) and sets the
	// interior slopes for a continuous second derivative (K ≤ 3).
	SmoothC2
	// Circular is the two-bin C² spline on [0, 2π] with shifts (no slope parameters; Box ignored).
	Circular
)

// Box is the rectangle [Left, Right] x [Bottom, Top] a spline maps between.
type Box struct {
	Left, Right, Bottom, Top float64
}

// Config fixes the shape of a family of splines.
type Config struct {
	// Bins is the number of bins K.
	Bins int
	// Mode selects the slope construction.
	Mode Mode
	// Box is used when Params.Bounds is nil; leave it zero when the bounds come from Params.Bounds.
	// Circular ignores it and uses [0, 2π]².
	Box Box
	// MinWidth and MinHeight are the minimum bin fractions of the box, MinDerivative the minimum
	// knot slope.
	MinWidth, MinHeight, MinDerivative float64
	// MaxRatio > 0 bounds the ratio between the largest and the smallest softmax share of widths
	// and heights (jammy_flows' restrict_max_min_width_height_ratio); it must exceed Bins-1.
	// Values <= 0 switch the restriction off.
	MaxRatio float64
	// LinearTails continues a Free spline linearly outside its box instead of giving NaN.
	LinearTails bool
}

// Params are the raw parameter nodes of a batch of splines. Every node has one row (shared by all
// points) or one row per point. With C = the number of columns of the points, column c of the points
// uses the parameter columns [c·n, (c+1)·n) of each node, n being its per-spline count.
type Params struct {
	// Widths and Heights hold K raw bin widths and heights per spline.
	Widths, Heights *ad.Node
	// Derivatives holds K+1 raw knot slopes per spline (Free), 2 raw boundary slopes (SmoothC2), or
	// is nil (Circular).
	Derivatives *ad.Node
	// Bounds, if not nil, holds Left, Right, Bottom, Top per spline and replaces Config.Box.
	Bounds *ad.Node
}

// Validate checks the configuration.
func (c Config) Validate() error {
	k := c.Bins
	switch {
	case k < 1:
		return fmt.Errorf("spline: number of bins %d must be >= 1", k)
	case !(c.MinWidth >= 0) || c.MinWidth*float64(k) > 1:
		return fmt.Errorf("spline: minimum width %g times %d bins must lie in [0, 1]", c.MinWidth, k)
	case !(c.MinHeight >= 0) || c.MinHeight*float64(k) > 1:
		return fmt.Errorf("spline: minimum height %g times %d bins must lie in [0, 1]", c.MinHeight, k)
	case !(c.MinDerivative >= 0):
		return fmt.Errorf("spline: minimum derivative %g must be >= 0", c.MinDerivative)
	case c.MaxRatio > 0 && k > 1 && !(c.ratioBound() > 0):
		return fmt.Errorf("spline: maximum width/height ratio %g must exceed the number of bins minus one (%d)", c.MaxRatio, k-1)
	case c.Mode == SmoothC2 && k > 3:
		return fmt.Errorf("spline: a C² spline supports 1, 2 or 3 bins, not %d", k)
	case c.Mode == Circular && k != 2:
		return fmt.Errorf("spline: the circular C² spline has exactly 2 bins, not %d", k)
	case c.LinearTails && c.Mode != Free:
		return fmt.Errorf("spline: linear tails need free knot slopes")
	case c.Mode < Free || c.Mode > Circular:
		return fmt.Errorf("spline: unknown mode %d", c.Mode)
	}
	if b := c.Box; c.Mode != Circular && b != (Box{}) {
		if !(b.Left < b.Right) || !(b.Bottom < b.Top) {
			return fmt.Errorf("spline: box [%g, %g] x [%g, %g] must have Left < Right and Bottom < Top", b.Left, b.Right, b.Bottom, b.Top)
		}
	}
	return nil
}

// ratioBound is ℓ = (log MaxRatio − log(K−1))/2, the half range of squashed raw widths and heights
// (0 when the restriction is off or irrelevant).
func (c Config) ratioBound() float64 {
	if c.MaxRatio <= 0 || c.Bins < 2 {
		return 0
	}
	return (math.Log(c.MaxRatio) - math.Log(float64(c.Bins-1))) / 2
}

// numSlopes is the number of raw slope parameters per spline.
func (c Config) numSlopes() int {
	switch c.Mode {
	case SmoothC2:
		return 2
	case Circular:
		return 0
	}
	return c.Bins + 1
}

// box returns the box of a Circular spline or the configured one.
func (c Config) box() Box {
	if c.Mode == Circular {
		return Box{0, 2 * math.Pi, 0, 2 * math.Pi}
	}
	return c.Box
}
