package layers

import (
	"fmt"
	"slices"
	"sort"

	"github.com/gojammy/gojammy/flowcore/spec"
)

// Registry maps flow_defs letters to their layers.
type Registry map[byte]Entry

// NewRegistry registers the entries (one per letter).
func NewRegistry(entries ...Entry) Registry {
	r := Registry{}
	for _, e := range entries {
		r[e.Letter] = e
	}
	return r
}

// Letters lists the letters registered for a manifold kind, in alphabetical order.
func (r Registry) Letters(kind byte) string {
	var out []byte
	for letter, e := range r {
		if e.Manifold == kind {
			out = append(out, letter)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return string(out)
}

// AllLetters lists every registered letter, in alphabetical order.
func (r Registry) AllLetters() string {
	out := make([]byte, 0, len(r))
	for letter := range r {
		out = append(out, letter)
	}
	slices.Sort(out)
	return string(out)
}

// Configure returns the resolved options of layer l (letter e.Letter) of a chain being built; it
// may set flags of the layer's context.
type Configure func(l int, e Entry, ctx *Context) (spec.Values, error)

// Chain builds the layers of a flow definition (letters, each registered) on the manifold def;
// configure supplies each layer's options. Errors name the layer by its position and letter.
func (r Registry) Chain(def spec.ManifoldDef, letters string, configure Configure) (Chain, error) {
	ls := make([]Layer, 0, len(letters))
	for l := 0; l < len(letters); l++ {
		e, ok := r[letters[l]]
		if !ok || e.Manifold != def.Kind {
			return Chain{}, fmt.Errorf("layer %d %q is not available on %s; available letters: %q", l, string(letters[l]), def.Text, r.Letters(def.Kind))
		}
		ctx := Context{Manifold: def, Index: l, Count: len(letters)}
		opts, err := configure(l, e, &ctx)
		if err != nil {
			return Chain{}, err
		}
		layer, err := e.New(ctx, opts)
		if err != nil {
			return Chain{}, fmt.Errorf("layer %d %q: %w", l, string(letters[l]), err)
		}
		ls = append(ls, layer)
	}
	return NewChain(ls...), nil
}
