package gaussianization

import (
	"slices"

	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/rotation"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// HEntry registers the deprecated letter h (jammy_flows' gf_block_old, still accepted by v1.1 so
// that old model definitions load). Its options are g's without rotation_mode,
// nonlinear_stretch_type, center_mean and the norm bounds, with the same defaults; its map and
// parameter layout ([offset][Householder vectors][means][log-widths][log-norms][skew]) are g's
// with Householder rotations, the classic stretch and norms regulated to [1, 100] (log(100σ(raw)
// + 1)). Measured with jammy_flows: h and g so configured give the same log-densities for the
// same flat parameters (to 3e-14, for the option variants of its fixtures).
var HEntry = layers.Entry{Letter: 'h', Manifold: spec.Euclidean, Schema: hSchema(), New: newH}

// hFixed are the g options that h does not have, at the values that make g into h.
var hFixed = map[string]any{
	optRotation: rotation.Householder, optStretch: stretchClassic, optCenterMean: 0,
	optLowerNorms: 1.0, optUpperNorms: 100.0,
}

// hSchema is g's schema without the options of hFixed.
func hSchema() spec.Schema {
	return slices.DeleteFunc(schema(), func(o spec.Option) bool {
		_, fixed := hFixed[o.Name]
		return fixed
	})
}

// newH builds the g layer that h is.
func newH(ctx layers.Context, v spec.Values) (layers.Layer, error) {
	full := spec.Values{}
	for name, val := range v {
		full[name] = val
	}
	for name, val := range hFixed {
		full[name] = val
	}
	return Entry.New(ctx, full)
}
