// Package layers defines the contract between a flow layer (one letter of a flow_defs string) and the
// PDF that chains layers: option schema, parameter count and layout, default initial parameters and
// the two maps with their log-determinants, written once on the ad tape.
package layers

import (
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// Context tells a layer where it sits: its manifold, its position in the sub-flow, and the flags the
// PDF sets (not user options).
type Context struct {
	// Manifold is the sub-manifold the layer acts on (dimension, interval bounds).
	Manifold spec.ManifoldDef
	// Index is the layer's position in its sub-flow (0 = next to the base distribution); Count is
	// the number of layers in the sub-flow.
	Index, Count int
	// ModelOffset is set on the last layer of a Euclidean sub-flow (unless skip_model_offset): the
	// layer then owns a learnable offset of Dim parameters, first in its parameter block.
	ModelOffset bool
}

// Layer is one bijective flow layer on a manifold in intrinsic coordinates.
//
// Parameters arrive as a node with one row (shared by all events) or one row per event (predicted
// by a conditioning MLP), in the layer's upstream parameter layout, unconstrained ("raw").
// Points are nodes with one row per event and Dim columns.
type Layer interface {
	// NumParams is the number of raw parameters.
	NumParams() int
	// InitialParams returns upstream's default initial raw parameters (random parts drawn from rng).
	InitialParams(rng *rand.Rand) []float64
	// Inverse maps data-side points x to the base side (the density direction) and returns the
	// mapped points and log|det ∂out/∂in| per row (R x 1).
	Inverse(x, params *ad.Node) (y, logDet *ad.Node)
	// Forward maps base-side points z to the data side (the sampling direction) and returns the
	// mapped points and log|det ∂out/∂in| per row.
	Forward(z, params *ad.Node) (x, logDet *ad.Node)
}

// DataInitializer is implemented by layers with a data-driven initialization (jammy_flows'
// init_params(data=...)).
type DataInitializer interface {
	// InitFromData returns initial raw parameters fitted to n data-side points x (row-major, n x
	// Dim) and those points mapped to the base side by the layer with these parameters.
	InitFromData(x []float64, n int, rng *rand.Rand) (params []float64, mapped []float64, err error)
}

// Constructor builds a layer from its context and resolved options; it validates option
// combinations and returns an error naming the offending option.
type Constructor func(ctx Context, opts spec.Values) (Layer, error)

// Entry registers one layer letter.
type Entry struct {
	// Letter is the flow_defs letter, Manifold the manifold kind it acts on.
	Letter, Manifold byte
	// Schema lists the options with defaults and allowed values.
	Schema spec.Schema
	// New builds the layer.
	New Constructor
}

// Typed adapts a constructor that reads its options as the fields of a struct O (see spec.Decode)
// to a Constructor: the resolved values are decoded once, when the layer is built.
func Typed[O any](build func(ctx Context, o O) (Layer, error)) Constructor {
	return func(ctx Context, v spec.Values) (Layer, error) {
		var o O
		if err := spec.Decode(v, &o); err != nil {
			return nil, err
		}
		return build(ctx, o)
	}
}
