package flowcore

import (
	"fmt"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/nn"
)

// newPoissonMLP builds the separate log λ MLP of a conditional PDF (join_poisson_and_pdf_description
// False) on sub-manifold 0's conditional input of width in: AmortizableMLP(in,
// hidden_mlp_dims_poisson, 1, rank_of_mlp_mappings_poisson, amortization_mlp_highway_mode) in
// custom mode; upstream's plain mode builds a Linear–tanh stack with the hidden widths of
// sub-manifold 0's conditioning MLP (hidden) instead.
func newPoissonMLP(cfg Config, in int, hidden []int) (*nn.MLP, error) {
	if cfg.AmortizationMLPUseCustomMode {
		var err error
		if hidden, err = nn.ParseHidden(cfg.HiddenMLPDimsPoisson); err != nil {
			return nil, fmt.Errorf("hidden_mlp_dims_poisson: %w", err)
		}
	}
	return newCustomOrPlainMLP("rank_of_mlp_mappings_poisson", cfg.AmortizationMLPUseCustomMode, in, hidden, 1, cfg.RankOfMLPMappingsPoisson, cfg.AmortizationMLPHighwayMode)
}

// poissonInit returns the initial parameters of the Poisson head's own part of the flat vector:
// log λ drawn from N(0, 1) for an unconditional PDF; for the separate MLP its default
// initialization damped by 1000 with the final bias -1 (upstream's plain-mode start); nothing
// otherwise.
func (p *PDF) poissonInit(draw func() float64, mlpInit func(m *nn.MLP) []float64) []float64 {
	switch {
	case !p.cfg.PredictLogNormalization || p.cfg.JoinPoissonAndPDFDescription:
		return nil
	case p.poisson != nil:
		return mlpInit(p.poisson)
	}
	return []float64{draw()}
}

// logMeanBlock returns log λ of the conditional rows cond (one value per row; one value for an
// unconditional PDF) from the flat parameters params.
func (p *PDF) logMeanBlock(params, cond *ad.Node) *ad.Node {
	s := p.subs[0]
	switch {
	case p.condWidth == 0:
		return ad.Cols(params, p.nParams-1, 1)
	case p.poisson != nil:
		return p.poisson.ApplyAt(s.condInput(cond), params, p.nParams-p.poisson.NumParams())
	}
	out := s.mlpOutput(s.condInput(cond), params)
	return ad.Cols(out, out.C-1, 1)
}

// LogMeanPoisson is jammy_flows' log_mean_poisson: log λ of the Poisson head for n rows of
// conditional input (one value per row), or the one value of an unconditional PDF (cond nil,
// n ignored).
func (p *PDF) LogMeanPoisson(cond []float64, n int) ([]float64, error) {
	v, _, err := p.logMean(cond, n, nil)
	return v, err
}

// LogMeanPoissonVJP returns log λ as LogMeanPoisson and the gradient of Σ_i seed_i·log λ_i with
// respect to the flat parameters (seed: one value per returned log λ).
func (p *PDF) LogMeanPoissonVJP(cond []float64, n int, seed []float64) ([]float64, []float64, error) {
	if seed == nil {
		return nil, nil, fmt.Errorf("log_mean_poisson seed: missing")
	}
	return p.logMean(cond, n, seed)
}

func (p *PDF) logMean(cond []float64, n int, seed []float64) ([]float64, []float64, error) {
	if !p.cfg.PredictLogNormalization {
		return nil, nil, fmt.Errorf("log_mean_poisson: this PDF does not predict the log-mean of a Poisson distribution; build it with predict_log_normalization=True")
	}
	if p.condWidth == 0 {
		n = 1
	}
	if n < 0 {
		return nil, nil, fmt.Errorf("conditional_input: negative number of rows %d", n)
	}
	if err := p.checkCond(cond, n); err != nil {
		return nil, nil, err
	}
	if seed != nil && len(seed) != n {
		return nil, nil, fmt.Errorf("log_mean_poisson seed: got %d values for %d rows", len(seed), n)
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]float64, n)
	grad := seed != nil
	var blockGrads [][]float64
	if grad {
		blockGrads = make([][]float64, (n+blockRows-1)/blockRows)
	}
	cd := p.condWidth
	err := forBlocks(n, blockRows, func(b, lo, hi int) error {
		t := getTape(grad)
		defer putTape(t)
		params := t.WrapVar(1, p.nParams, p.params)
		var cn *ad.Node
		if cd > 0 {
			cn = t.Wrap(hi-lo, cd, cond[lo*cd:hi*cd])
		}
		lm := p.logMeanBlock(params, cn)
		copy(out[lo:hi], lm.Val)
		if grad {
			if lm.NeedsGrad() {
				t.Backward(lm, seed[lo:hi])
			}
			blockGrads[b] = blockGrad(params.Grad())
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !grad {
		return out, nil, nil
	}
	return out, sumBlockGrads(p.nParams, blockGrads), nil
}
