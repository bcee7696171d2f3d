package flowcore

import (
	"reflect"
	"testing"

	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// TestLayerOptionStructs builds every registered layer from its schema's defaults: a layer's
// options are decoded strictly into its typed struct, so a field whose name the schema lacks (or
// an option without a field) fails here. The PDF-level flags must each name an option of some layer.
func TestLayerOptionStructs(t *testing.T) {
	manifolds := map[byte]spec.ManifoldDef{
		spec.Euclidean: {Kind: spec.Euclidean, Dim: 2, Text: "e2"},
		spec.Interval:  {Kind: spec.Interval, Dim: 1, Low: -1, High: 2, Text: "i1_-1_2"},
		spec.Simplex:   {Kind: spec.Simplex, Dim: 2, Text: "a2"},
	}
	spheres := map[byte]spec.ManifoldDef{'m': {Kind: spec.Sphere, Dim: 1, Text: "s1"}, 'o': {Kind: spec.Sphere, Dim: 1, Text: "s1"}}
	declared := map[string]bool{}
	for letter, e := range registry {
		def, ok := manifolds[e.Manifold]
		if e.Manifold == spec.Sphere {
			def, ok = spheres[letter]
			if !ok {
				def = spec.ManifoldDef{Kind: spec.Sphere, Dim: 2, Text: "s2"}
			}
		}
		if _, err := e.New(layers.Context{Manifold: def, Count: 1}, e.Schema.Defaults()); err != nil {
			t.Errorf("layer %q with default options: %v", string(letter), err)
		}
		for _, name := range e.Schema.Names() {
			declared[name] = true
		}
	}
	flags := reflect.TypeOf(pdfFlags{})
	for i := 0; i < flags.NumField(); i++ {
		if name := flags.Field(i).Tag.Get("opt"); !declared[name] {
			t.Errorf("PDF-level flag %q is not an option of any layer", name)
		}
	}
}
