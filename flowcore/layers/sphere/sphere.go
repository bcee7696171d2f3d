// Package sphere holds the flow layers of the circle S1 and the 2-sphere S2, with jammy_flows'
// options, parameter layouts and initial values: y (identity with an optional rotation), m (Möbius
// maps on S1), o (circular rational-quadratic spline on S1), f (von Mises–Fisher radial map with
// spline sub-flows on S2), v (exponential-map flow on S2), c (neural manifold ODE on S2) and n (the
// segmented-sphere layer that jammy_flows removed in 2026).
//
// Layers act on intrinsic coordinates: one angle φ ∈ [0, 2π] per row on S1, (θ, φ) with zenith
// θ ∈ [0, π] on S2. Densities are per dφ and per dθ dφ as upstream; where a layer works in the
// embedding (unit vectors) or on cos θ it converts internally and adds the log sin θ terms of
// those conversions exactly as jammy_flows does, so that the composed density matches.
//
// Every sphere layer may end with a rotation in embedding space (sampling direction x ← M·x,
// density direction x ← Mᵀ·x) whose parameters come first in the layer's block.
package sphere

import (
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
)

const twoPi = 2 * math.Pi

// core is the layer-specific part of a sphere layer, between the rotation and the base side.
type core interface {
	numParams() int
	initialParams(rng *rand.Rand) []float64
	// inverse (density direction) and forward (sampling direction) receive the rotation
	// parameters (nil without rotation; the f layer derives κ from them in some modes) and the
	// core's own block.
	inverse(x, rot, own *ad.Node) (y, logDet *ad.Node)
	forward(z, rot, own *ad.Node) (x, logDet *ad.Node)
}

// rotationFuser is implemented by cores that can run together with the rotation next to them as
// one op (the f layer's fused vMF ops); fusesRotation reports whether this instance can.
type rotationFuser interface {
	fusesRotation() bool
	// inverseRotated undoes the rotation by the matrices mat (Mᵀ) and applies the density
	// direction; forwardRotated applies the sampling direction and then the rotation by mat (M).
	inverseRotated(x, mat, rot, own *ad.Node) (y, logDet *ad.Node)
	forwardRotated(z, mat, rot, own *ad.Node) (x, logDet *ad.Node)
}

// rotated is a sphere layer: the core map followed (sampling direction) by an optional rotation.
type rotated struct {
	m   manifold.Manifold
	rot rotator
	// rotInit scales the standard-normal initial rotation parameters.
	rotInit float64
	core    core
}

// newRotated wraps a core with the rotation of the given mode (no rotation if mode is "").
func newRotated(m manifold.Manifold, mode string, householderIter int, c core) (*rotated, error) {
	l := &rotated{m: m, rotInit: 1, core: c}
	if mode != "" {
		r, err := newRotator(mode, m.Dim(), householderIter)
		if err != nil {
			return nil, err
		}
		l.rot = r
	}
	return l, nil
}

func (l *rotated) numRot() int {
	if l.rot == nil {
		return 0
	}
	return l.rot.NumParams()
}

// NumParams is the rotation block plus the core's block.
func (l *rotated) NumParams() int { return l.numRot() + l.core.numParams() }

// InitialParams draws the rotation parameters from N(0, rotInit²), then the core's defaults.
func (l *rotated) InitialParams(rng *rand.Rand) []float64 {
	p := make([]float64, l.numRot(), l.NumParams())
	for i := range p {
		p[i] = rng.NormFloat64() * l.rotInit
	}
	return append(p, l.core.initialParams(rng)...)
}

func (l *rotated) split(params *ad.Node) (rot, own *ad.Node) {
	n := l.numRot()
	if n > 0 {
		rot = ad.Cols(params, 0, n)
	}
	return rot, ad.Cols(params, n, l.core.numParams())
}

// fuser returns the core as a rotationFuser if it can fuse with the rotation (which must exist).
func (l *rotated) fuser(rot *ad.Node) (rotationFuser, bool) {
	f, ok := l.core.(rotationFuser)
	return f, ok && rot != nil && f.fusesRotation()
}

// Inverse undoes the rotation, then applies the core's density-direction map (both in one op
// where the core fuses them).
func (l *rotated) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	rot, own := l.split(params)
	if rot == nil {
		return l.core.inverse(x, nil, own)
	}
	if f, ok := l.fuser(rot); ok {
		return f.inverseRotated(x, l.rot.MatrixNode(rot, true), rot, own)
	}
	x, ld := l.rotate(x, rot, true)
	y, ld2 := l.core.inverse(x, rot, own)
	return y, ad.Add(ld, ld2)
}

// Forward applies the core's sampling-direction map, then the rotation (both in one op where the
// core fuses them).
func (l *rotated) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	rot, own := l.split(params)
	if f, ok := l.fuser(rot); ok {
		return f.forwardRotated(z, l.rot.MatrixNode(rot, false), rot, own)
	}
	x, ld := l.core.forward(z, rot, own)
	if rot != nil {
		var ld2 *ad.Node
		x, ld2 = l.rotate(x, rot, false)
		ld = ad.Add(ld, ld2)
	}
	return x, ld
}

// rotate maps intrinsic points through the rotation in embedding space (its transpose if
// inverse), with the log sin θ terms of the two coordinate changes.
func (l *rotated) rotate(x, rot *ad.Node, inverse bool) (*ad.Node, *ad.Node) {
	if l.m.Dim() == 2 {
		return geom.RotateS2(x, l.rot.MatrixNode(rot, inverse))
	}
	return geom.RotateS1(x, l.rot.MatrixNode(rot, inverse))
}

// Compile-time check that sphere layers satisfy the layer contract.
var _ layers.Layer = (*rotated)(nil)

// rotationOption is the add_rotation option of y, m and o.
type rotationOption struct {
	AddRotation bool `opt:"add_rotation"`
}

// householderIf is the rotation mode of y, m and o: householder with add_rotation, none without.
func householderIf(addRotation bool) string {
	if addRotation {
		return modeHouseholder
	}
	return ""
}

// toSigned maps angles in [0, 2π] to (-π, π] (derivative 1).
func toSigned(phi *ad.Node) *ad.Node {
	return ad.Map(phi, func(dst, src []float64) {
		for i, v := range src {
			dst[i] = v + geom.IfNegative(math.Pi-v, -twoPi)
		}
	}, unitSlope)
}

// fromSigned maps angles in [-π, π] to [0, 2π) (derivative 1).
func fromSigned(x *ad.Node) *ad.Node {
	return ad.Map(x, func(dst, src []float64) {
		for i, v := range src {
			dst[i] = v + geom.IfNegative(v, twoPi)
		}
	}, unitSlope)
}

// unitSlope is the derivative of a shift by a constant.
func unitSlope(_, _ float64) float64 { return 1 }

// normals returns n standard-normal draws.
func normals(rng *rand.Rand, n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	return p
}
