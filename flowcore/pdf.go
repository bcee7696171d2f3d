// Package flowcore is the engine of gojammy: joint, autoregressive, optionally conditional
// normalizing-flow PDFs on products of manifolds, with jammy_flows' definitions, parameter layout
// and numbers, exact float64 log-densities, sampling, gradients, training and a model file format.
package flowcore

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/gojammy/gojammy/flowcore/spec"
)

// Config holds the constructor arguments of a PDF beyond its definition strings, with
// jammy_flows' meaning and defaults.
type Config struct {
	// Options is options_overwrite.
	Options spec.Overrides
	// ConditionalInputDim is the width of one conditional input fed to the MLP of every
	// sub-manifold (jammy_flows' int conditional_input_dim); 0 means unconditional.
	ConditionalInputDim int
	// ConditionalInputDims, when non-nil, is jammy_flows' list conditional_input_dim: one width
	// per sub-manifold, each sub-manifold's MLP seeing its own conditional input (0 where a
	// sub-manifold has none, Python's None). Calls pass the inputs concatenated in sub-manifold
	// order, one row of ConditionalDim() values per event. ConditionalInputDim must then be 0.
	ConditionalInputDims []int
	// AmortizationMLPDims are the hidden widths of every conditioning MLP ("128" by default,
	// "64-64", "" for a single linear map).
	AmortizationMLPDims string
	// AmortizationMLPDimsList, when non-nil, gives the hidden widths per sub-manifold instead
	// (jammy_flows' list amortization_mlp_dims).
	AmortizationMLPDimsList []string
	// AmortizationMLPUseCustomMode selects jammy_flows' AmortizableMLP (factored matrices,
	// highway modes) instead of the plain Linear–tanh stack. Without it, ranks and highway mode
	// are ignored, as upstream (a highway mode outside 0–4 is an error either way).
	AmortizationMLPUseCustomMode bool
	// AmortizationMLPRanks are the ranks of the custom MLPs' matrices: one integer for all
	// ("0", "" or a value <= 0: full matrices) or one per matrix joined by '-' ("2-10-1000").
	AmortizationMLPRanks string
	// AmortizationMLPRanksList, when non-nil, gives the ranks per sub-manifold instead.
	AmortizationMLPRanksList []string
	// AmortizationMLPHighwayMode is the custom MLPs' highway mode, 0–4.
	AmortizationMLPHighwayMode int
	// EmbeddingFlags are the saved embedding flags, one per sub-manifold in pdf_defs order
	// (jammy_flows' set_embedding_flags): SavedCoords are embedding coordinates where a flag is
	// true. nil means all false (jammy_flows' default). They are stored in the model file and
	// never change on a PDF; calls choose their coordinates with a Coords argument.
	EmbeddingFlags []bool
}

// DefaultConfig returns jammy_flows' defaults: unconditional, MLP hidden widths "128", the plain
// MLP (custom-mode ranks 0, highway mode 0).
func DefaultConfig() Config {
	return Config{AmortizationMLPDims: "128", AmortizationMLPRanks: "0"}
}

// PDF is a normalizing-flow probability density on a product of manifolds. Evaluation and
// sampling may run concurrently; SetParams, InitParams and training take exclusive access.
type PDF struct {
	pdfDefs, flowDefs string
	cfg               Config
	subs              []*subflow
	nParams           int
	// condWidth is the width of a conditional input row (all sub-manifolds' inputs together).
	condWidth int

	mu     sync.RWMutex
	params []float64
}

// PDFDefs returns the pdf_defs string the PDF was built from.
func (p *PDF) PDFDefs() string { return p.pdfDefs }

// FlowDefs returns the flow_defs string.
func (p *PDF) FlowDefs() string { return p.flowDefs }

// Config returns the construction settings (EmbeddingFlags has one entry per sub-manifold).
func (p *PDF) Config() Config {
	cfg := p.cfg
	cfg.EmbeddingFlags = slices.Clone(cfg.EmbeddingFlags)
	cfg.ConditionalInputDims = slices.Clone(cfg.ConditionalInputDims)
	cfg.AmortizationMLPDimsList = slices.Clone(cfg.AmortizationMLPDimsList)
	cfg.AmortizationMLPRanksList = slices.Clone(cfg.AmortizationMLPRanksList)
	return cfg
}

// NumParams is count_parameters(): the length of the flat parameter vector.
func (p *PDF) NumParams() int { return p.nParams }

// LayerParamCounts returns the parameter count of every layer, per sub-manifold.
func (p *PDF) LayerParamCounts() [][]int {
	out := make([][]int, len(p.subs))
	for k, s := range p.subs {
		out[k] = s.chain.ParamCounts()
	}
	return out
}

// NumSubManifolds is the number of '+'-separated parts.
func (p *PDF) NumSubManifolds() int { return len(p.subs) }

// ConditionalDim is the width of a conditional input row (0 = unconditional): ConditionalInputDim,
// or the sum of ConditionalInputDims.
func (p *PDF) ConditionalDim() int { return p.condWidth }

// BaseDim is the dimension of the standard-normal base.
func (p *PDF) BaseDim() int {
	last := p.subs[len(p.subs)-1]
	return last.baseOffset + last.manifold.BaseDim()
}

// Params returns a copy of the flat parameter vector (upstream order: the layer blocks of
// unconditional sub-manifold 0 in layer order, then each MLP: per linear map the weight row-major
// out x in, then the bias).
func (p *PDF) Params() []float64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append([]float64(nil), p.params...)
}

// SetParams replaces the flat parameter vector.
func (p *PDF) SetParams(v []float64) error {
	if len(v) != p.nParams {
		return fmt.Errorf("parameters: got %d values, the model has %d", len(v), p.nParams)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.params = append(p.params[:0], v...)
	return nil
}

// String describes the model in one line.
func (p *PDF) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pdf(%q, %q; %d parameters", p.pdfDefs, p.flowDefs, p.nParams)
	if p.condWidth > 0 {
		fmt.Fprintf(&b, ", conditional on %d inputs", p.condWidth)
	}
	b.WriteString(")")
	return b.String()
}

// newRNG returns the generator used for a seed (PCG, deterministic).
func newRNG(seed uint64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}
