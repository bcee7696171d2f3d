package sphere

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
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
	sign     float64
	kappa    kappaMap
	extraRot bool
	sub      fisherSubflows
}

func newFisher(m manifold.Manifold, opts fOptions) (*fisher, error) {
	k, err := newKappaMap(opts.KappaPrediction, opts.MinKappa, opts.KappaClamping, opts.AddRotation, opts.RotationMode)
	if err != nil {
		return nil, err
	}
	sub, err := newFisherSubflows(opts)
	if err != nil {
		return nil, err
	}
	f := &fisher{m: m, sign: 1, kappa: k, extraRot: opts.AddExtraRotation, sub: sub}
	if opts.InverseZScaling {
		f.sign = -1
	}
	return f, nil
}

func (f *fisher) numKappa() int {
	if f.kappa.raw() {
		return 1
	}
	return 0
}

func (f *fisher) numParams() int {
	return f.numKappa() + f.sub.numParams()
}

// initialParams: raw κ ~ N(0,1) - 3 (κ ≈ 0.05, nearly uniform), then the sub-flows' defaults.
func (f *fisher) initialParams(rng *rand.Rand) []float64 {
	var p []float64
	if f.kappa.raw() {
		p = append(p, rng.NormFloat64()-3)
	}
	return append(p, f.sub.initialParams(rng)...)
}

// split returns κ and the sub-flow blocks (nil when absent).
func (f *fisher) split(rot, own *ad.Node) (kappa, vert, circ, cor *ad.Node) {
	off := f.numKappa()
	var raw *ad.Node
	if off > 0 {
		raw = ad.Cols(own, 0, 1)
	}
	kappa = f.kappa.eval(rot, raw)
	v, c, n := f.sub.blocks()
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
	return !f.extraRot && f.sub.none()
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
	c, phi, ldSub := f.sub.apply(c, phi, vert, circ, cor, true)
	theta, ldExit := vmfExit(c)
	return ad.Concat(theta, phi), ad.Add(ad.Add(ld, ldSub), ldExit)
}

// forward is the sampling direction: sub-flows, extra rotation, then the inverse vMF map.
func (f *fisher) forward(z, rot, own *ad.Node) (*ad.Node, *ad.Node) {
	kappa, vert, circ, cor := f.split(rot, own)
	theta, phi := ad.Cols(z, 0, 1), ad.Cols(z, 1, 1)
	ld := geom.LogSinTheta(theta)
	c, phi, ldSub := f.sub.apply(ad.Cos(theta), phi, vert, circ, cor, false)
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
