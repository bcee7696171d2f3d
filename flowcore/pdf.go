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

	"github.com/gojammy/gojammy/flowcore/nn"
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
	// AmortizeEverything is jammy_flows' amortize_everything: the PDF owns no parameters; every
	// layer parameter and every conditioning-MLP weight arrives per event as a row of
	// amortization parameters (NumAmortizationParams values, in the layout Params has without
	// it). It requires the custom MLP and excludes the Poisson head, as upstream.
	AmortizeEverything bool
	// FullyAmortized, when non-nil, makes the PDF jammy_flows' fully_amortized_pdf: an
	// amortize-everything PDF (the settings above describe its inner MLPs: inner_mlp_dims_sub_pdfs,
	// inner_mlp_ranks, inner_mlp_highway_mode; ConditionalInputDim must be 0) whose amortization
	// parameters an outer MLP predicts from the conditional input. The PDF's parameters are then
	// the outer MLP's.
	FullyAmortized *OuterMLP
	// PredictLogNormalization adds jammy_flows' Poisson head (predict_log_normalization): a
	// log-mean log λ, a parameter of its own for an unconditional PDF, else predicted from the
	// conditional input (one sub-manifold only).
	PredictLogNormalization bool
	// JoinPoissonAndPDFDescription predicts log λ as one extra, last output of the conditioning
	// MLP (join_poisson_and_pdf_description); otherwise a conditional PDF predicts it with an MLP
	// of its own, whose hidden widths are HiddenMLPDimsPoisson and ranks
	// RankOfMLPMappingsPoisson in custom mode (upstream's plain mode uses AmortizationMLPDims).
	JoinPoissonAndPDFDescription bool
	// HiddenMLPDimsPoisson is hidden_mlp_dims_poisson ("128" by default).
	HiddenMLPDimsPoisson string
	// RankOfMLPMappingsPoisson is rank_of_mlp_mappings_poisson ("0" by default).
	RankOfMLPMappingsPoisson string
	// EmbeddingFlags are the saved embedding flags, one per sub-manifold in pdf_defs order
	// (jammy_flows' set_embedding_flags): SavedCoords are embedding coordinates where a flag is
	// true. nil means all false (jammy_flows' default). They are stored in the model file and
	// never change on a PDF; calls choose their coordinates with a Coords argument.
	EmbeddingFlags []bool
}

// OuterMLP is the amortization MLP of a fully amortized PDF, with the arguments of jammy_flows'
// fully_amortized_pdf: conditional_input_dim, amortization_mlp_dims,
// amortization_mlp_use_custom_mode, amortization_mlp_ranks and amortization_mlp_highway_mode.
type OuterMLP struct {
	ConditionalInputDim int
	MLPDims             string
	UseCustomMode       bool
	Ranks               string
	HighwayMode         int
}

// DefaultConfig returns jammy_flows' defaults: unconditional, MLP hidden widths "128", the plain
// MLP (custom-mode ranks 0, highway mode 0), no Poisson head.
func DefaultConfig() Config {
	return Config{AmortizationMLPDims: "128", AmortizationMLPRanks: "0", HiddenMLPDimsPoisson: "128", RankOfMLPMappingsPoisson: "0"}
}

// FullyAmortizedConfig returns the defaults of jammy_flows' fully_amortized_pdf for a
// conditional input of width condDim: inner MLPs "128" wide, full rank, highway mode 1; outer
// custom MLP "128" wide with ranks 5, highway mode 0.
func FullyAmortizedConfig(condDim int) Config {
	cfg := DefaultConfig()
	cfg.AmortizeEverything, cfg.AmortizationMLPUseCustomMode, cfg.AmortizationMLPHighwayMode = true, true, 1
	cfg.FullyAmortized = &OuterMLP{ConditionalInputDim: condDim, MLPDims: "128", UseCustomMode: true, Ranks: "5"}
	return cfg
}

// PDF is a normalizing-flow probability density on a product of manifolds. Evaluation and
// sampling may run concurrently; SetParams, InitParams and training take exclusive access.
type PDF struct {
	pdfDefs, flowDefs string
	cfg               Config
	subs              []*subflow
	nParams           int
	// nAmort is the number of amortization parameters per event (amortize-everything and fully
	// amortized PDFs); amortInit their desired initial values (init_params' return value).
	nAmort    int
	amortInit []float64
	// outer is a fully amortized PDF's amortization MLP, poisson a conditional PDF's separate
	// log λ MLP (nil otherwise).
	outer, poisson *nn.MLP
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
	if cfg.FullyAmortized != nil {
		outer := *cfg.FullyAmortized
		cfg.FullyAmortized = &outer
	}
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
