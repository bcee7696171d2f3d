package sphere

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// YEntry is the spherical identity "y" (jammy_flows' spherical_do_nothing) on s1 and s2: only the
// optional householder rotation (4 parameters on s1, 9 on s2). "s2","y" is the uniform sphere.
var YEntry = layers.Entry{
	Letter:   'y',
	Manifold: spec.Sphere,
	Schema: spec.Schema{
		{Name: "add_rotation", Kind: spec.Int, Default: 0, Check: spec.Flag},
	},
	New: layers.Typed(newIdentity),
}

func newIdentity(ctx layers.Context, opts rotationOption) (layers.Layer, error) {
	m, err := manifold.New(ctx.Manifold)
	if err != nil {
		return nil, err
	}
	l, err := newRotated(m, householderIf(opts.AddRotation), -1, identity{})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// identity is the core of y: no map, no parameters.
type identity struct{}

func (identity) numParams() int                     { return 0 }
func (identity) initialParams(*rand.Rand) []float64 { return nil }
func (identity) inverse(x, _, _ *ad.Node) (*ad.Node, *ad.Node) {
	return x, x.Tape().New(x.R, 1)
}
func (identity) forward(z, _, _ *ad.Node) (*ad.Node, *ad.Node) {
	return z, z.Tape().New(z.R, 1)
}
