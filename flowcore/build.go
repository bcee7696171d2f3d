package flowcore

import (
	"fmt"
	"slices"

	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// New builds a PDF from jammy_flows definition strings, e.g. New("e2+i1_-1.0_2.0", "gg+r", cfg),
// with upstream's default initial parameters (random parts drawn from a fixed seed; call
// InitParams for another seed or a data-driven start).
func New(pdfDefs, flowDefs string, cfg Config) (*PDF, error) {
	defs, err := spec.ParsePDFDefs(pdfDefs)
	if err != nil {
		return nil, err
	}
	manifolds := make([]manifold.Manifold, len(defs))
	for k, def := range defs {
		if manifolds[k], err = manifold.New(def); err != nil {
			return nil, err
		}
	}
	letters, err := spec.ParseFlowDefs(flowDefs, defs, registry.Letters)
	if err != nil {
		return nil, err
	}
	if err := cfg.Options.Validate(letters); err != nil {
		return nil, err
	}
	if err := cfg.Options.CheckLetters(registry.AllLetters()); err != nil {
		return nil, err
	}
	cond, err := resolveConditioning(cfg, len(defs))
	if err != nil {
		return nil, err
	}
	if err := checkHeads(cfg, len(defs), cond.width); err != nil {
		return nil, err
	}
	if cfg.EmbeddingFlags == nil {
		cfg.EmbeddingFlags = make([]bool, len(defs))
	} else if len(cfg.EmbeddingFlags) != len(defs) {
		return nil, fmt.Errorf("embedding_flags: got %d flags for %d sub-manifolds", len(cfg.EmbeddingFlags), len(defs))
	}
	cfg.EmbeddingFlags = slices.Clone(cfg.EmbeddingFlags)
	p := &PDF{pdfDefs: pdfDefs, flowDefs: flowDefs, cfg: cfg, condWidth: cond.width}
	embOff, baseOff := 0, 0
	for k, m := range manifolds {
		s, err := newSubflow(k, m, letters[k], cfg.Options)
		if err != nil {
			return nil, err
		}
		s.baseOffset = baseOff
		s.condOffset, s.condDim = cond.offs[k], cond.dims[k]
		if n := s.chain.NumParams(); n > 0 && s.condDim+embOff > 0 {
			if s.mlp, err = cond.newMLP(cfg, k, s.condDim+embOff, n+joinedPoissonOutputs(cfg, k)); err != nil {
				return nil, err
			}
			s.paramCount = s.mlp.NumParams()
		} else {
			s.paramCount = n
		}
		s.paramOffset = p.nParams
		p.nParams += s.paramCount
		embOff += m.EmbeddingDim()
		baseOff += m.BaseDim()
		p.subs = append(p.subs, s)
	}
	if err := p.buildHeads(cond); err != nil {
		return nil, err
	}
	// the parameters, one gradient per worker and Adam's two moments
	if err := CheckMemory(fmt.Sprintf("a model of %d parameters", p.nParams), int64(p.nParams)+int64(p.nAmort), int64(Threads()+3)); err != nil {
		return nil, err
	}
	if err := p.InitParams(nil, 0, SavedCoords, 1000, 0); err != nil {
		return nil, err
	}
	return p, nil
}

// WithEmbeddingFlags returns a new PDF with p's definition and a copy of its parameters whose
// saved embedding flags are flags (one per sub-manifold). p itself does not change.
func (p *PDF) WithEmbeddingFlags(flags []bool) (*PDF, error) {
	cfg := p.Config()
	cfg.EmbeddingFlags = flags
	q, err := New(p.pdfDefs, p.flowDefs, cfg)
	if err != nil {
		return nil, err
	}
	if err := q.SetParams(p.Params()); err != nil {
		return nil, err
	}
	return q, nil
}
