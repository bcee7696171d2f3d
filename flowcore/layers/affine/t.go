// Package affine holds the affine flow layers on Euclidean spaces: t, x ↦ L·z + offset with a
// lower-triangular L of positive diagonal (jammy_flows' mvn_block), and x, the identity with an
// optional offset.
package affine

import (
	"fmt"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/constrain"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// TEntry registers the layer t.
var TEntry = layers.Entry{Letter: 't', Manifold: spec.Euclidean, Schema: tSchema(), New: layers.Typed(newT)}

// Covariance types of t.
const (
	covIdentity  = "identity"
	covSymmetric = "diagonal_symmetric"
	covDiagonal  = "diagonal"
	covFull      = "full"
)

// offsetInit is upstream's default initial offset.
const offsetInit = 0.001

// TOptions are the options of t (tSchema).
type TOptions struct {
	// SkipModelOffset is read by the PDF (it decides ctx.ModelOffset).
	SkipModelOffset bool `opt:"skip_model_offset"`
	constrain.Width
	CovType string `opt:"cov_type"`
}

func tSchema() spec.Schema {
	s := spec.Schema{
		// skip_model_offset is read by the PDF (it decides ctx.ModelOffset).
		{Name: "skip_model_offset", Kind: spec.Int, Default: 0, Check: spec.Flag},
	}
	s = append(s, constrain.WidthSchema()...)
	return append(s, spec.Option{Name: "cov_type", Kind: spec.String, Default: covDiagonal,
		Choices: []string{covIdentity, covSymmetric, covDiagonal, covFull}})
}

// tLayer is x = L·z + offset. Parameter block: [offset d, if ctx.ModelOffset][raw log-diagonal:
// 1 (diagonal_symmetric) or d (diagonal, full)][strictly-lower entries d(d−1)/2 (full), in
// lowerPairs order]. The diagonal of L is exp(width regulator(raw)).
type tLayer struct {
	d      int
	offset bool
	cov    string
	width  constrain.Width
	pairs  [][2]int
}

func newT(ctx layers.Context, o TOptions) (layers.Layer, error) {
	if err := o.Width.Validate(); err != nil {
		return nil, err
	}
	l := &tLayer{d: ctx.Manifold.Dim, offset: ctx.ModelOffset, cov: o.CovType, width: o.Width}
	if l.d < 1 {
		return nil, fmt.Errorf("layer t needs a Euclidean space of dimension >= 1, got %q", ctx.Manifold.Text)
	}
	if l.cov == covFull {
		l.pairs = lowerPairs(l.d)
	}
	return l, nil
}

// numDiag is the number of raw log-diagonal parameters.
func (l *tLayer) numDiag() int {
	switch l.cov {
	case covSymmetric:
		return 1
	case covDiagonal, covFull:
		return l.d
	}
	return 0
}

// numOffset is the number of offset parameters.
func (l *tLayer) numOffset() int {
	if l.offset {
		return l.d
	}
	return 0
}

func (l *tLayer) NumParams() int { return l.numOffset() + l.numDiag() + len(l.pairs) }

// InitialParams is upstream's default: offset 0.001, zeros otherwise (L ≈ identity).
func (l *tLayer) InitialParams(*rand.Rand) []float64 {
	p := make([]float64, l.NumParams())
	for i := 0; i < l.numOffset(); i++ {
		p[i] = offsetInit
	}
	return p
}

// factor returns the log-diagonal (1 or R rows x d) and the lower entries (nil unless full) of L,
// or nils for the identity.
func (l *tLayer) factor(params *ad.Node) (logDiag, lower *ad.Node) {
	n := l.numDiag()
	if n == 0 {
		return nil, nil
	}
	logDiag = l.width.LogWidth(ad.Cols(params, l.numOffset(), n))
	if n != l.d {
		logDiag = ad.Gather(logDiag, make([]int, l.d))
	}
	if l.pairs != nil {
		lower = ad.Cols(params, l.numOffset()+n, len(l.pairs))
	}
	return logDiag, lower
}

// Inverse is the density direction z = L⁻¹(x − offset), log-determinant −Σ log L_ii.
func (l *tLayer) Inverse(x, params *ad.Node) (*ad.Node, *ad.Node) {
	if l.offset {
		x = ad.Sub(x, ad.Cols(params, 0, l.d))
	}
	logDiag, lower := l.factor(params)
	if logDiag == nil {
		return x, x.Tape().New(x.R, 1)
	}
	return lowerSolve(x, logDiag, lower, l.pairs), ad.BroadcastRows(ad.Neg(ad.SumCols(logDiag)), x.R)
}

// Forward is the sampling direction x = L·z + offset, log-determinant Σ log L_ii.
func (l *tLayer) Forward(z, params *ad.Node) (*ad.Node, *ad.Node) {
	x, logDet := z, z.Tape().New(z.R, 1)
	if logDiag, lower := l.factor(params); logDiag != nil {
		x, logDet = lowerMul(z, logDiag, lower, l.pairs), ad.BroadcastRows(ad.SumCols(logDiag), z.R)
	}
	if l.offset {
		x = ad.Add(x, ad.Cols(params, 0, l.d))
	}
	return x, logDet
}
