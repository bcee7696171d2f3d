// Package stats computes Monte-Carlo statistics of a PDF from its reparameterized samples
// (jammy_flows' entropy, entropy_iterative and marginal_moments, and beyond): total and marginal
// entropies with their gradients, differentiable expectations of user functions, moments,
// Gaussian / von Mises–Fisher / Kent approximations of the marginals, a goodness-of-fit p-value
// from a likelihood and a posterior flow, and an exclusive-KL (variational) fit to an
// unnormalized target density.
package stats

import (
	"fmt"
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore"
)

// Options controls the sampling of a Monte-Carlo estimate.
type Options struct {
	// SampleSize is the number of samples per conditional row (jammy_flows' samplesize; 100 if 0).
	SampleSize int
	// Seed seeds the draws; the same seed gives the same result whatever the number of threads.
	Seed uint64
	// Coords, if non-nil, are the coordinates of the samples and their densities; nil means
	// embedding coordinates everywhere (jammy_flows' force_embedding_coordinates=True, the
	// coordinates in which densities on spheres are with respect to the natural volume).
	Coords *flowcore.Coords
	// Amortization holds, for a PDF built with amortize_everything, one row of
	// NumAmortizationParams amortization parameters per conditional row (one row per row of
	// the estimate; jammy_flows' amortization_parameters); nil for every other PDF.
	Amortization []float64
}

// coords returns the coordinates of the options.
func (o Options) coords() flowcore.Coords {
	if o.Coords == nil {
		return flowcore.EmbeddingCoords
	}
	return *o.Coords
}

// resolve applies the defaults and checks the options.
func (o Options) resolve() (Options, error) {
	if o.SampleSize == 0 {
		o.SampleSize = 100
	}
	if o.SampleSize < 1 {
		return o, fmt.Errorf("samplesize: must be >= 1, got %d", o.SampleSize)
	}
	return o, nil
}

// prepare resolves the options of an estimate and checks the conditional input and the
// amortization parameters of p: it returns the options and the number of conditional rows.
func prepare(p *flowcore.PDF, cond []float64, o Options) (Options, int, error) {
	o, err := o.resolve()
	if err != nil {
		return o, 0, err
	}
	nr, err := rows(p, cond, o.Amortization)
	return o, nr, err
}

// rows checks the conditional input and the amortization parameters of p and returns the
// number of rows: the rows of cond for a conditional PDF, the rows of amort for an unconditional
// amortize-everything PDF, 1 otherwise (cond and amort nil). A conditional amortize-everything
// PDF needs as many rows of both.
func rows(p *flowcore.PDF, cond, amort []float64) (int, error) {
	cd, na := p.ConditionalDim(), p.NumAmortizationParams()
	switch {
	case cd == 0 && cond != nil:
		return 0, fmt.Errorf("conditional_input: the PDF is unconditional, got %d values", len(cond))
	case cd > 0 && (len(cond) == 0 || len(cond)%cd != 0):
		return 0, fmt.Errorf("conditional_input: a conditional PDF needs rows of %d values, got %d values", cd, len(cond))
	case !p.TakesAmortizationParams() && amort != nil:
		return 0, fmt.Errorf("amortization_parameters: only a PDF built with amortize_everything takes them; pass none")
	case p.TakesAmortizationParams() && (len(amort) == 0 || len(amort)%na != 0):
		return 0, fmt.Errorf("amortization_parameters: a PDF built with amortize_everything needs rows of %d values (total_number_amortizable_params), got %d values", na, len(amort))
	case p.TakesAmortizationParams() && cd > 0 && len(cond)/cd != len(amort)/na:
		return 0, fmt.Errorf("amortization_parameters: %d rows for %d rows of conditional_input (one row each)", len(amort)/na, len(cond)/cd)
	case p.TakesAmortizationParams():
		return len(amort) / na, nil
	case cd == 0:
		return 1, nil
	}
	return len(cond) / cd, nil
}

// draws holds the inputs of the draws of an estimate: the conditional input and the
// amortization parameters of every row repeated for its SampleSize draws (nil where the PDF
// takes none).
type draws struct{ cond, amort []float64 }

// repeated returns the inputs of s draws per row of cond and amort.
func repeated(p *flowcore.PDF, cond, amort []float64, s int) draws {
	return draws{repeatRows(cond, p.ConditionalDim(), s), repeatRows(amort, p.NumAmortizationParams(), s)}
}

// sample draws s samples per row (coordinates c).
func (d draws) sample(p *flowcore.PDF, n int, seed uint64, c flowcore.Coords) (flowcore.Samples, error) {
	return p.SampleAmortized(n, d.cond, d.amort, seed, c)
}

// repeatRows repeats every row (width w) of rows s times in place order (row 0 s times, then
// row 1, ...: torch's repeat_interleave); nil stays nil.
func repeatRows(rows []float64, w, s int) []float64 {
	if rows == nil {
		return nil
	}
	out := make([]float64, 0, len(rows)*s)
	for r := 0; r < len(rows)/w; r++ {
		for range s {
			out = append(out, rows[r*w:(r+1)*w]...)
		}
	}
	return out
}

// sumRows adds blocks of s consecutive rows (width w): the gradient with respect to a repeated
// conditional row.
func sumRows(g []float64, w, s int) []float64 {
	if g == nil {
		return nil
	}
	out := make([]float64, len(g)/s)
	for i := 0; i < len(g)/w; i++ {
		r := i / s
		for j := range w {
			out[r*w+j] += g[i*w+j]
		}
	}
	return out
}

// rowGradient sums the gradients of the s draws of every row (flat parameters: as they are).
func rowGradient(p *flowcore.PDF, g flowcore.SampleGradients, s int) Gradient {
	return Gradient{Params: g.Params, Cond: sumRows(g.Cond, p.ConditionalDim(), s), Amortization: sumRows(g.Amortization, p.NumAmortizationParams(), s)}
}

// meanAndError returns the mean of v and its standard error std/√n (NaN error for n < 2).
func meanAndError(v []float64) (mean, stderr float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	if len(v) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1) / n)
}

// fillConst returns n copies of v.
func fillConst(n int, v float64) []float64 { return slices.Repeat([]float64{v}, n) }
