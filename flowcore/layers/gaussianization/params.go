package gaussianization

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// mixParams are the inputs of the fused mixture operations, each in jammy_flows' (K, d) row-major
// layout with one row (shared) or one row per point: means, log-widths, unnormalized log-weights
// (nil: equal weights) and log skew exponents (nil without skewness).
type mixParams struct {
	mu, logh, logw, loga *ad.Node
}

// nodes lists the inputs that exist (none for parameters given as a prepared block).
func (p mixParams) nodes() []*ad.Node {
	var out []*ad.Node
	for _, n := range []*ad.Node{p.mu, p.logh, p.logw, p.loga} {
		if n != nil {
			out = append(out, n)
		}
	}
	return out
}

// rows returns the number of parameter rows (1 if all are shared), checking the shapes against
// rows points of the mixture.
func (p mixParams) rows(m mixture, points int) int {
	r := 1
	for _, n := range p.nodes() {
		if n.C != m.k*m.d || (n.R != 1 && n.R != points) {
			panic(fmt.Sprintf("gaussianization: mixture parameter node %dx%d for %d points, K=%d, d=%d", n.R, n.C, points, m.k, m.d))
		}
		r = max(r, n.R)
	}
	return r
}

// row returns row i of n (or of its only row), nil for a missing node.
func row(n *ad.Node, i int) []float64 {
	if n == nil {
		return nil
	}
	i %= n.R
	return n.Val[i*n.C : (i+1)*n.C]
}

// gradRow returns the gradient row of n that row i feeds, nil if n needs no gradient.
func gradRow(n *ad.Node, i int) []float64 {
	if n == nil || !n.NeedsGrad() {
		return nil
	}
	i %= n.R
	return n.Grad()[i*n.C : (i+1)*n.C]
}

// scatter adds a gradient block (ng slots per kernel, for the parameters of row i as prepared in
// blk) to the gradients of the inputs, mapping the normalized log-weights back through the softmax.
func (p mixParams) scatter(m mixture, i int, blk, gblk []float64) {
	gmu, glogh, glogw, gloga := gradRow(p.mu, i), gradRow(p.logh, i), gradRow(p.logw, i), gradRow(p.loga, i)
	k, d := m.k, m.d
	for dim := 0; dim < d; dim++ {
		sum := 0.0
		for j := 0; j < k; j++ {
			sum += gblk[(dim*k+j)*ng+gLogW]
		}
		for j := 0; j < k; j++ {
			g := gblk[(dim*k+j)*ng : (dim*k+j+1)*ng]
			dst := j*d + dim
			if gmu != nil {
				gmu[dst] += g[gMu]
			}
			if glogh != nil {
				glogh[dst] += g[gLogH]
			}
			if glogw != nil {
				glogw[dst] += g[gLogW] - kernelAt(m.dim(blk, dim), j).w*sum
			}
			if gloga != nil {
				gloga[dst] += g[gLogA]
			}
		}
	}
}
