package train

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore"
)

// poissonCounts returns the event count of every data row's observation for a PDF with the
// Poisson head (nil without it): counts as given (n positive values) or, for an unconditional
// PDF, n for every row.
func poissonCounts(p *flowcore.PDF, counts []float64, n int) ([]float64, error) {
	if !p.Config().PredictLogNormalization {
		if counts != nil {
			return nil, fmt.Errorf("poisson_counts: the PDF has no Poisson head (predict_log_normalization=False)")
		}
		return nil, nil
	}
	if counts == nil {
		if p.ConditionalDim() > 0 {
			return nil, fmt.Errorf("poisson_counts: a conditional PDF with predict_log_normalization needs the number of events of each row's observation")
		}
		counts = make([]float64, n)
		for i := range counts {
			counts[i] = float64(n)
		}
		return counts, nil
	}
	if len(counts) != n {
		return nil, fmt.Errorf("poisson_counts: got %d values for %d rows", len(counts), n)
	}
	for i, v := range counts {
		if !(v >= 1) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("poisson_counts[%d]: must be a finite count >= 1, got %g", i, v)
		}
	}
	return counts, nil
}

// poissonTerm adds the extended likelihood's Poisson term to a batch of n rows: row i, of an
// observation with N_i events and Poisson mean λ_i = exp(log_mean_poisson), contributes
// -log λ_i + λ_i/N_i, so that the rows of one observation add up to its -log Poisson(N | λ)
// up to a constant. It returns the batch mean of the term and adds its gradient to grad.
func poissonTerm(p *flowcore.PDF, cond, counts, grad []float64) (float64, error) {
	n := len(counts)
	logMean, err := p.LogMeanPoisson(cond, n)
	if err != nil {
		return 0, err
	}
	term, seed := 0.0, make([]float64, len(logMean))
	for i, c := range counts {
		j := min(i, len(logMean)-1) // an unconditional PDF has one log λ for all rows
		lambda := math.Exp(logMean[j])
		term += -logMean[j] + lambda/c
		seed[j] += (-1 + lambda/c) / float64(n)
	}
	_, g, err := p.LogMeanPoissonVJP(cond, len(logMean), seed)
	if err != nil {
		return 0, err
	}
	for i, v := range g {
		grad[i] += v
	}
	return term / float64(n), nil
}
