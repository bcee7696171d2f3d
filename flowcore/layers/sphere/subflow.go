package sphere

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
)

// chain is a passthrough sub-flow (jammy_flows' use_as_passthrough_instead_of_pdf): layers on one
// manifold sharing one parameter block in layer order, without the Gaussian projection.
type chain struct {
	ls []layers.Layer
}

func (c chain) numParams() int {
	n := 0
	for _, l := range c.ls {
		n += l.NumParams()
	}
	return n
}

func (c chain) initialParams(rng *rand.Rand) []float64 {
	var p []float64
	for _, l := range c.ls {
		p = append(p, l.InitialParams(rng)...)
	}
	return p
}

// inverse applies the layers' density direction, last layer first.
func (c chain) inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	ld := x.Tape().New(x.R, 1)
	off := c.numParams()
	for l := len(c.ls) - 1; l >= 0; l-- {
		off -= c.ls[l].NumParams()
		var d *ad.Node
		x, d = c.ls[l].Inverse(x, ad.Cols(params, off, c.ls[l].NumParams()))
		ld = ad.Add(ld, d)
	}
	return x, ld
}

// forward applies the layers' sampling direction, first layer first.
func (c chain) forward(x, params *ad.Node) (*ad.Node, *ad.Node) {
	ld := x.Tape().New(x.R, 1)
	off := 0
	for _, l := range c.ls {
		var d *ad.Node
		x, d = l.Forward(x, ad.Cols(params, off, l.NumParams()))
		off += l.NumParams()
		ld = ad.Add(ld, d)
	}
	return x, ld
}
