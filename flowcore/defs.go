package flowcore

import "github.com/gojammy/gojammy/flowcore/spec"

// ManifoldDefs returns the parsed pdf_defs: one definition per sub-manifold, in order.
func (p *PDF) ManifoldDefs() []spec.ManifoldDef {
	out := make([]spec.ManifoldDef, len(p.subs))
	for k, s := range p.subs {
		out[k] = s.manifold.Def()
	}
	return out
}
