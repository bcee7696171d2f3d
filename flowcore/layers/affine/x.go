package affine

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// XEntry registers the layer x: the identity, with a learnable offset (d parameters, x = z +
// offset) when add_offset = 1. The PDF never gives x its model offset; ctx.ModelOffset, if set,
// acts like add_offset.
var XEntry = layers.Entry{Letter: 'x', Manifold: spec.Euclidean,
	Schema: spec.Schema{{Name: "add_offset", Kind: spec.Int, Default: 0, Check: spec.Flag}},
	New: layers.Typed(func(ctx layers.Context, o XOptions) (layers.Layer, error) {
		return &xLayer{d: ctx.Manifold.Dim, offset: ctx.ModelOffset || o.AddOffset}, nil
	})}

// XOptions are the options of x.
type XOptions struct {
	AddOffset bool `opt:"add_offset"`
}

// xLayer is x = z (+ offset).
type xLayer struct {
	d      int
	offset bool
}

func (l *xLayer) NumParams() int {
	if l.offset {
		return l.d
	}
	return 0
}

// InitialParams is upstream's default offset 0.001.
func (l *xLayer) InitialParams(*rand.Rand) []float64 {
	p := make([]float64, l.NumParams())
	for i := range p {
		p[i] = offsetInit
	}
	return p
}

func (l *xLayer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	if l.offset {
		x = ad.Sub(x, params)
	}
	return x, x.Tape().New(x.R, 1)
}

func (l *xLayer) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	if l.offset {
		z = ad.Add(z, params)
	}
	return z, z.Tape().New(z.R, 1)
}
