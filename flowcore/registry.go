package flowcore

import (
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/affine"
	"github.com/gojammy/gojammy/flowcore/layers/gaussianization"
	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/layers/simplex"
	"github.com/gojammy/gojammy/flowcore/layers/sphere"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// registry holds every flow_defs letter's layer.
var registry = layers.NewRegistry(
	gaussianization.Entry, gaussianization.HEntry,
	affine.TEntry, affine.XEntry,
	interval.REntry, interval.ZEntry,
	sphere.YEntry, sphere.MEntry, sphere.OEntry, sphere.FEntry, sphere.VEntry, sphere.NEntry, sphere.CEntry,
	simplex.WEntry, simplex.UEntry,
)

// LayerOptions returns the option schema of a layer letter (for documentation and bindings).
func LayerOptions(letter byte) (spec.Schema, bool) {
	e, ok := registry[letter]
	return e.Schema, ok
}
