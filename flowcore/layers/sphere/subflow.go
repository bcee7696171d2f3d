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

// selectRows returns, row by row, the row of a where pick is true and the row of b elsewhere
// (a and b have R rows or one broadcast row, and the same columns); gradients go to the chosen
// operand only.
func selectRows(pick []bool, a, b *ad.Node) *ad.Node {
	t := a.Tape()
	r, c := len(pick), a.C
	out := t.New(r, c)
	src := func(n *ad.Node, i int) int {
		if n.R == 1 {
			return 0
		}
		return i * c
	}
	for i, p := range pick {
		n := b
		if p {
			n = a
		}
		copy(out.Val[i*c:(i+1)*c], n.Val[src(n, i):src(n, i)+c])
	}
	t.Record([]*ad.Node{out}, []*ad.Node{a, b}, func() {
		g := out.Grad()
		for i, p := range pick {
			n := b
			if p {
				n = a
			}
			if !n.NeedsGrad() {
				continue
			}
			gn := n.Grad()
			for j := 0; j < c; j++ {
				gn[src(n, i)+j] += g[i*c+j]
			}
		}
	})
	return out
}

// gatherRows copies the listed rows of p onto tape t as a constant (p itself, copied, if it has
// one broadcast row).
func gatherRows(t *ad.Tape, p *ad.Node, rows []int) *ad.Node {
	if p.R == 1 {
		return t.Const(1, p.C, p.Val)
	}
	vals := make([]float64, 0, len(rows)*p.C)
	for _, i := range rows {
		vals = append(vals, p.Val[i*p.C:(i+1)*p.C]...)
	}
	return t.Const(len(rows), p.C, vals)
}
