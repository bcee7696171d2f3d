package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Chain is a sequence of layers on one manifold whose raw parameters lie in one block, layer after
// layer in order: the layers of a sub-flow of a PDF, or a sub-flow inside a layer (the vertical
// and circular flows of the sphere's f layer).
type Chain struct {
	layers []Layer
	// offsets[l] is where layer l's parameters start in the block; numParams is the block's length.
	offsets   []int
	numParams int
}

// NewChain chains the layers, first layer next to the base distribution.
func NewChain(ls ...Layer) Chain {
	c := Chain{layers: ls, offsets: make([]int, len(ls))}
	for l, layer := range ls {
		c.offsets[l] = c.numParams
		c.numParams += layer.NumParams()
	}
	return c
}

// Len is the number of layers.
func (c Chain) Len() int { return len(c.layers) }

// Layer returns layer l (0 = next to the base distribution).
func (c Chain) Layer(l int) Layer { return c.layers[l] }

// NumParams is the length of the chain's parameter block.
func (c Chain) NumParams() int { return c.numParams }

// ParamCounts returns the parameter count of every layer.
func (c Chain) ParamCounts() []int {
	out := make([]int, len(c.layers))
	for l, layer := range c.layers {
		out[l] = layer.NumParams()
	}
	return out
}

// Block returns layer l's columns of the chain's parameters.
func (c Chain) Block(params *ad.Node, l int) *ad.Node {
	return ad.Cols(params, c.offsets[l], c.layers[l].NumParams())
}

// InitialParams returns every layer's default initial parameters, in block order.
func (c Chain) InitialParams(rng *rand.Rand) []float64 {
	p := make([]float64, 0, c.numParams)
	for _, layer := range c.layers {
		p = append(p, layer.InitialParams(rng)...)
	}
	return p
}

// Inverse maps data-side points to the base side (the density direction), last layer first, and
// adds every layer's log|det| to logDet (nil stands for zero; the sum is returned).
func (c Chain) Inverse(x, params, logDet *ad.Node) (*ad.Node, *ad.Node) {
	for l := len(c.layers) - 1; l >= 0; l-- {
		var ld *ad.Node
		x, ld = c.layers[l].Inverse(x, c.Block(params, l))
		logDet = AddLogDet(logDet, ld)
	}
	return x, logDet
}

// Forward maps base-side points to the data side (the sampling direction), first layer first,
// and adds every layer's log|det| to logDet (nil stands for zero; the sum is returned).
func (c Chain) Forward(z, params, logDet *ad.Node) (*ad.Node, *ad.Node) {
	for l, layer := range c.layers {
		var ld *ad.Node
		z, ld = layer.Forward(z, c.Block(params, l))
		logDet = AddLogDet(logDet, ld)
	}
	return z, logDet
}

// InitFromData initializes the chain on n data-side points x (row-major, n x dim), walking the
// layers from the data side: a DataInitializer fits itself to the current points, any other layer
// takes its defaults; the points are then mapped to the base side of the layer for the next one.
// It returns the parameter block.
func (c Chain) InitFromData(x []float64, n, dim int, rng *rand.Rand) ([]float64, error) {
	blocks := make([][]float64, len(c.layers))
	for l := len(c.layers) - 1; l >= 0; l-- {
		layer := c.layers[l]
		if di, ok := layer.(DataInitializer); ok {
			params, mapped, err := di.InitFromData(x, n, rng)
			if err != nil {
				return nil, fmt.Errorf("layer %d: %w", l, err)
			}
			blocks[l], x = params, mapped
			continue
		}
		blocks[l] = layer.InitialParams(rng)
		t := ad.NewTape(false)
		y, _ := layer.Inverse(t.Const(n, dim, x), t.Const(1, len(blocks[l]), blocks[l]))
		x = y.Val
	}
	out := make([]float64, 0, c.numParams)
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out, nil
}

// AddLogDet returns the sum of log-determinants acc + ld, where a nil acc stands for zero (then ld
// itself: adding to a zero node would cost a pass and give the same values).
func AddLogDet(acc, ld *ad.Node) *ad.Node {
	if acc == nil {
		return ld
	}
	return ad.Add(acc, ld)
}
