package sphere

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/layers/interval"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// verticalLayers and circularLayers are the letters allowed in vertical_flow_defs and
// circular_flow_defs.
var (
	verticalLayers = layers.NewRegistry(interval.REntry, interval.ZEntry)
	circularLayers = layers.NewRegistry(OEntry)
)

// verticalChain builds the interval layers (r or z) on [-(1-b), 1-b] for cos θ. (jammy_flows
// writes these bounds with two decimals; gojammy uses 1-b exactly, which keeps the sub-flow a
// bijection of the region |cos θ| < 1-b it acts on.)
func verticalChain(b float64, letters string, opts func(l int) map[string]any) (layers.Chain, error) {
	def := spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: -(1 - b), High: 1 - b,
		Text: fmt.Sprintf("i1_%g_%g", -(1 - b), 1-b)}
	return subChain("vertical_flow_defs", letters, def, verticalLayers, opts)
}

// circularChain builds the o layers on the azimuth.
func circularChain(letters string, opts map[string]any) (layers.Chain, error) {
	def := spec.ManifoldDef{Kind: spec.Sphere, Dim: 1, Text: "s1"}
	return subChain("circular_flow_defs", letters, def, circularLayers, func(int) map[string]any { return opts })
}

// subChain builds the sub-flow given by the option's letters on manifold def, each layer with its
// defaults overridden by the known names of opts(l).
func subChain(option, letters string, def spec.ManifoldDef, reg layers.Registry, opts func(l int) map[string]any) (layers.Chain, error) {
	if letters == "" {
		return layers.Chain{}, fmt.Errorf("option %q is empty; give layer letters", option)
	}
	c, err := reg.Chain(def, letters, func(l int, e layers.Entry, _ *layers.Context) (spec.Values, error) {
		vals := e.Schema.Defaults()
		for name, v := range opts(l) {
			if _, known := vals[name]; !known {
				continue
			}
			if err := e.Schema.Set(vals, name, v); err != nil {
				return nil, fmt.Errorf("layer %d: %w", l, err)
			}
		}
		return vals, nil
	})
	if err != nil {
		return c, fmt.Errorf("option %q = %q: %w", option, letters, err)
	}
	return c, nil
}
