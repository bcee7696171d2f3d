package flowcore

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// subflow is the chain of layers on one sub-manifold, with the MLP that predicts its layer
// parameters when it is conditioned on earlier sub-manifolds or on a conditional input.
type subflow struct {
	manifold manifold.Manifold
	chain    layers.Chain
	// mlp predicts the layer parameters; nil when the sub-flow owns them (unconditional sub-flow 0)
	// or has none.
	mlp *nn.MLP
	// paramOffset is where this sub-flow's share (layer blocks or MLP) starts in the flat vector.
	paramOffset, paramCount int
	// baseOffset locates the sub-manifold's columns in the base coordinates.
	baseOffset int
	// condOffset and condDim locate the sub-manifold's conditional input in a conditional row
	// (condDim 0: none).
	condOffset, condDim int
}

// newSubflow builds sub-flow k on manifold m from its flow_defs letters, with the options
// resolved from overrides and jammy_flows' pdf-level flags: the last layer of a Euclidean
// sub-flow gets a learnable offset unless skip_model_offset; otherwise, layer 0 of type g with
// replace_first_sigmoid_with_icdf and isigmoid switches to the exact inverse normal.
func newSubflow(k int, m manifold.Manifold, letters string, overrides spec.Overrides) (*subflow, error) {
	def := m.Def()
	chain, err := registry.Chain(def, letters, func(l int, e layers.Entry, ctx *layers.Context) (spec.Values, error) {
		opts, err := overrides.Resolve(k, l, e.Letter, e.Schema)
		if err != nil {
			return nil, err
		}
		var flags pdfFlags
		if err := spec.DecodeSome(opts, &flags); err != nil {
			return nil, err
		}
		if def.Kind == spec.Euclidean && e.Letter != 'x' {
			if l == ctx.Count-1 && !flags.SkipModelOffset {
				ctx.ModelOffset = true
			} else if l == 0 && flags.ReplaceFirstSigmoidWithICDF && flags.InverseFunction == "isigmoid" {
				err = e.Schema.Set(opts, "inverse_function_type", "inormal_partly_precise")
			}
		}
		return opts, err
	})
	if err != nil {
		return nil, fmt.Errorf("flow_defs sub-manifold %d (%s), %w", k, def.Text, err)
	}
	return &subflow{manifold: m, chain: chain}, nil
}

// pdfFlags are the layer options that the PDF reads, not the layer (only g has all of them).
type pdfFlags struct {
	SkipModelOffset             bool   `opt:"skip_model_offset"`
	ReplaceFirstSigmoidWithICDF bool   `opt:"replace_first_sigmoid_with_icdf"`
	InverseFunction             string `opt:"inverse_function_type"`
}

// dim is the width of the sub-manifold's points in embedding (true) or intrinsic coordinates.
func (s *subflow) dim(embedding bool) int {
	if embedding {
		return s.manifold.EmbeddingDim()
	}
	return s.manifold.Dim()
}

// layerParams returns sub-flow s's raw layer parameters: its own block (one row) or the output of
// its MLP on [its conditional input, embedding coordinates of earlier sub-manifolds] (one row per
// event); cond is the whole conditional row.
func (s *subflow) layerParams(params, cond *ad.Node, earlier []*ad.Node) *ad.Node {
	if s.mlp == nil {
		return ad.Cols(params, s.paramOffset, s.chain.NumParams())
	}
	var in []*ad.Node
	switch {
	case s.condDim == 0:
	case s.condDim == cond.C:
		in = append(in, cond)
	default:
		in = append(in, ad.Cols(cond, s.condOffset, s.condDim))
	}
	in = append(in, earlier...)
	return s.mlp.Apply(ad.Concat(in...), ad.Cols(params, s.paramOffset, s.paramCount))
}
