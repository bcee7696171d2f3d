package flowcore

import (
	"sort"

	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/affine"
	"github.com/gojammy/gojammy/flowcore/layers/gaussianization"
	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/layers/sphere"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// registry maps every flow_defs letter to its layer.
var registry = map[byte]layers.Entry{}

func init() {
	for _, e := range []layers.Entry{
		gaussianization.Entry,
		affine.TEntry, affine.XEntry,
		interval.REntry, interval.ZEntry,
		sphere.YEntry, sphere.MEntry, sphere.OEntry, sphere.FEntry, sphere.VEntry, sphere.NEntry,
	} {
		registry[e.Letter] = e
	}
}

// lettersFor lists the layer letters available on a manifold kind, in alphabetical order.
func lettersFor(kind byte) string {
	var out []byte
	for letter, e := range registry {
		if e.Manifold == kind {
			out = append(out, letter)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return string(out)
}

// LayerOptions returns the option schema of a layer letter (for documentation and bindings).
func LayerOptions(letter byte) (spec.Schema, bool) {
	e, ok := registry[letter]
	return e.Schema, ok
}
