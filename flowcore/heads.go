package flowcore

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/nn"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// checkHeads checks the settings of amortize_everything, fully_amortized_pdf and the Poisson
// head for a PDF of n sub-manifolds whose conditional rows are condWidth wide, with upstream's
// rules.
func checkHeads(cfg Config, n, condWidth int) error {
	if cfg.AmortizeEverything && !cfg.AmortizationMLPUseCustomMode {
		return fmt.Errorf("amortize_everything requires amortization_mlp_use_custom_mode=True (custom MLPs)")
	}
	if cfg.AmortizeEverything && cfg.PredictLogNormalization {
		return fmt.Errorf("predict_log_normalization: not available with amortize_everything (as in jammy_flows)")
	}
	if o := cfg.FullyAmortized; o != nil {
		switch {
		case !cfg.AmortizeEverything:
			return fmt.Errorf("fully_amortized_pdf: the inner PDF must amortize everything")
		case condWidth != 0:
			return fmt.Errorf("fully_amortized_pdf: the inner PDF is unconditional; give conditional_input_dim to the outer MLP only")
		case o.ConditionalInputDim < 1:
			return fmt.Errorf("conditional_input_dim: fully_amortized_pdf needs one int >= 1, got %d", o.ConditionalInputDim)
		case o.ConditionalInputDim > spec.MaxDim:
			return spec.CheckInt("conditional_input_dim", o.ConditionalInputDim, spec.MaxDim)
		case o.HighwayMode < 0 || o.HighwayMode > 4:
			return fmt.Errorf("amortization_mlp_highway_mode must be 0, 1, 2, 3 or 4, got %d", o.HighwayMode)
		}
	}
	if cfg.JoinPoissonAndPDFDescription && n > 1 {
		return fmt.Errorf("join_poisson_and_pdf_description: needs a PDF of one sub-manifold, got %d", n)
	}
	if cfg.JoinPoissonAndPDFDescription && condWidth == 0 {
		return fmt.Errorf("join_poisson_and_pdf_description: the PDF does not depend on a conditional input; set it to False")
	}
	if cfg.PredictLogNormalization && n > 1 {
		return fmt.Errorf("predict_log_normalization: only a PDF of one sub-manifold predicts log-lambda, got %d (use fully amortized PDFs in jammy_flows)", n)
	}
	return nil
}

// joinedPoissonOutputs is the number of extra outputs (log λ) of sub-manifold k's MLP.
func joinedPoissonOutputs(cfg Config, k int) int {
	if k == 0 && cfg.PredictLogNormalization && cfg.JoinPoissonAndPDFDescription {
		return 1
	}
	return 0
}

// buildHeads completes the parameter layout after the sub-flows: the Poisson head's own
// parameters at the end (a log λ value, or the separate log λ MLP), then moves the layout into
// the amortization parameters of an amortize-everything PDF, whose own parameters are none or,
// for a fully amortized PDF, those of the outer MLP predicting them.
func (p *PDF) buildHeads(cond conditioning) error {
	cfg := p.cfg
	if cfg.PredictLogNormalization && !cfg.JoinPoissonAndPDFDescription {
		if p.condWidth == 0 {
			p.nParams++
		} else {
			m, err := newPoissonMLP(cfg, cond.dims[0], cond.hidden[0])
			if err != nil {
				return err
			}
			p.poisson = m
			p.nParams += m.NumParams()
		}
	}
	if !cfg.AmortizeEverything {
		return nil
	}
	p.nAmort, p.nParams = p.nParams, 0
	if o := cfg.FullyAmortized; o != nil {
		m, err := newOuterMLP(*o, p.nAmort)
		if err != nil {
			return err
		}
		p.outer, p.nParams, p.condWidth = m, m.NumParams(), o.ConditionalInputDim
	}
	return nil
}

// newOuterMLP builds a fully amortized PDF's amortization MLP with out outputs.
func newOuterMLP(o OuterMLP, out int) (*nn.MLP, error) {
	hidden, err := nn.ParseHidden(o.MLPDims)
	if err != nil {
		return nil, fmt.Errorf("fully_amortized_pdf amortization_mlp_dims: %w", err)
	}
	return newCustomOrPlainMLP("fully_amortized_pdf amortization_mlp_ranks", o.UseCustomMode, o.ConditionalInputDim, hidden, out, o.Ranks, o.HighwayMode)
}

// newCustomOrPlainMLP builds AmortizableMLP(in, hidden, out, ranks, highway) in custom mode, the
// plain Linear–tanh stack otherwise; name labels errors in ranks.
func newCustomOrPlainMLP(name string, custom bool, in int, hidden []int, out int, ranks string, highway int) (*nn.MLP, error) {
	if !custom {
		m := nn.New(in, hidden, out)
		return &m, nil
	}
	r, err := nn.ParseRanks(ranks, nn.NumMatrices(len(hidden), highway))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m, err := nn.NewAmortizable(in, hidden, out, r, highway)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &m, nil
}

// NumAmortizationParams is jammy_flows' total_number_amortizable_params: the width of a row of
// amortization parameters of an amortize-everything PDF (for a fully amortized PDF, the number
// of outputs of its outer MLP); 0 otherwise.
func (p *PDF) NumAmortizationParams() int { return p.nAmort }

// TakesAmortizationParams reports whether calls need amortization parameters: an
// amortize-everything PDF that is not fully amortized (there the outer MLP predicts them).
func (p *PDF) TakesAmortizationParams() bool { return p.nAmort > 0 && p.outer == nil }

// AmortizationInit returns the desired initial amortization parameters (one row, the value of
// jammy_flows' init_params for amortize_everything; for a fully amortized PDF the outer MLP's
// initial final bias); nil for other PDFs.
func (p *PDF) AmortizationInit() []float64 {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return append([]float64(nil), p.amortInit...)
}

// checkAmortization validates the amortization parameters of n events.
func (p *PDF) checkAmortization(amort []float64, n int) error {
	switch {
	case !p.TakesAmortizationParams() && amort != nil:
		return fmt.Errorf("amortization_parameters: only an amortize_everything PDF takes them; pass none")
	case p.TakesAmortizationParams() && len(amort) != n*p.nAmort:
		return fmt.Errorf("amortization_parameters: got %d values for %d rows of %d (total_number_amortizable_params)", len(amort), n, p.nAmort)
	}
	return nil
}

// blockParams returns the source of the layer parameters of the block of rows [lo, hi) (1 row,
// or one row per event) and the leaves whose gradients a call asks for: the flat parameters
// (1 row) and, for an amortize-everything PDF, the block's rows of amort (nil otherwise). A fully
// amortized PDF predicts its rows from the block's conditional inputs cond with the outer MLP.
func (p *PDF) blockParams(t *ad.Tape, cond *ad.Node, amort []float64, lo, hi int) (src, params, amortRows *ad.Node) {
	params = t.WrapVar(1, p.nParams, p.params)
	switch {
	case p.outer != nil:
		return p.outer.Apply(cond, params), params, nil
	case amort != nil:
		amortRows = t.WrapVar(hi-lo, p.nAmort, amort[lo*p.nAmort:hi*p.nAmort])
		return amortRows, params, amortRows
	}
	return params, params, nil
}

// markNonFinite sets the status of the rows [lo, hi) whose amortization parameters hold NaN or
// ±Inf to 2 (NaN).
func (p *PDF) markNonFinite(status []byte, amort []float64, lo, hi int) {
	w := p.nAmort
	if amort == nil || allFinite(amort[lo*w:hi*w]) {
		return
	}
	for i := range status {
		if !allFinite(amort[(lo+i)*w : (lo+i+1)*w]) {
			status[i] = 2
		}
	}
}
