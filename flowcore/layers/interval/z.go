package interval

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// ZEntry registers the layer z: the identity on an interval (no options, no parameters). With the
// PDF's Gaussian ↔ interval projection, "i1_a_b" with "z" is the uniform density on [a, b].
var ZEntry = layers.Entry{Letter: 'z', Manifold: spec.Interval, Schema: spec.Schema{},
	New: func(layers.Context, spec.Values) (layers.Layer, error) { return identity{}, nil }}

// identity leaves points unchanged.
type identity struct{}

func (identity) NumParams() int                     { return 0 }
func (identity) InitialParams(*rand.Rand) []float64 { return []float64{} }
func (identity) Inverse(x, _ *ad.Node) (*ad.Node, *ad.Node) {
	return x, x.Tape().New(x.R, 1)
}
func (identity) Forward(z, _ *ad.Node) (*ad.Node, *ad.Node) {
	return z, z.Tape().New(z.R, 1)
}
