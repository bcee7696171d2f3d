package stats

import (
	"fmt"
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore"
)

// Likelihood is a model p(x; z) of events x given parameters z.
type Likelihood interface {
	// Sample draws one event per row of z (n rows) and returns the events and their log p.
	Sample(n int, z []float64, seed uint64) (x, logp []float64, err error)
	// LogDensity evaluates log p(x_i; z_i) for n rows.
	LogDensity(x []float64, n int, z []float64) ([]float64, error)
	// XDim and ZDim are the widths of an event and of a parameter row.
	XDim() int
	ZDim() int
}

// Posterior is a distribution q(z) of parameters (given the observation) to draw from.
type Posterior interface {
	// Sample draws n parameter rows.
	Sample(n int, seed uint64) ([]float64, error)
}

// FlowLikelihood is a conditional PDF used as a likelihood: its conditional input is z, its
// points x are in coordinates c.
type FlowLikelihood struct {
	PDF    *flowcore.PDF
	Coords flowcore.Coords
}

// Sample draws one event per row of z.
func (l FlowLikelihood) Sample(n int, z []float64, seed uint64) ([]float64, []float64, error) {
	s, err := l.PDF.Sample(n, z, seed, l.Coords)
	return s.X, s.LogPDF, err
}

// LogDensity evaluates log p(x_i; z_i).
func (l FlowLikelihood) LogDensity(x []float64, n int, z []float64) ([]float64, error) {
	d, err := l.PDF.LogDensity(x, n, z, l.Coords)
	return d.LogPDF, err
}

// XDim is the width of an event in l.Coords (0 for a PerSubManifold choice of the wrong length,
// which the calls then report).
func (l FlowLikelihood) XDim() int {
	d, _ := l.PDF.Dim(l.Coords)
	return d
}

// ZDim is the conditional input width.
func (l FlowLikelihood) ZDim() int { return l.PDF.ConditionalDim() }

// FlowPosterior is a PDF q(z; x_obs) used as a posterior: Cond is its conditional input (one
// row, e.g. a summary of the observation; nil for an unconditional PDF), its samples z are in
// coordinates Coords.
type FlowPosterior struct {
	PDF    *flowcore.PDF
	Cond   []float64
	Coords flowcore.Coords
}

// Sample draws n parameter rows.
func (q FlowPosterior) Sample(n int, seed uint64) ([]float64, error) {
	if q.Cond == nil {
		s, err := q.PDF.Sample(n, nil, seed, q.Coords)
		return s.X, err
	}
	s, err := q.PDF.SampleAt(n, q.Cond, seed, q.Coords)
	return s.X, err
}

// GoodnessOfFit is the result of GOFPValue.
type GoodnessOfFit struct {
	// PValue is the fraction of trials with T(x, z) > T(x_obs, z); StdErr its binomial standard
	// error √(p(1−p)/trials).
	PValue, StdErr float64
	// Z are the posterior draws (trials rows), T the statistic of the replicated data and TObs
	// of the observed data per draw.
	Z, T, TObs []float64
}

// GOFPValue is the posterior predictive goodness-of-fit p-value of an observation xObs of nd
// events: with the statistic T(x, z) = Σ_i log p(x_i; z) / nd, it draws trials parameter rows
// z ~ q, for each a replicated data set x of nd events from p(·; z), and returns the fraction of
// trials with T(x, z) > T(x_obs, z), with its Monte-Carlo error. All trials run as one batch of
// trials·nd rows on the worker pool.
func GOFPValue(p Likelihood, q Posterior, xObs []float64, nd, trials int, seed uint64) (GoodnessOfFit, error) {
	if nd < 1 {
		return GoodnessOfFit{}, fmt.Errorf("x_obs: need at least one event, got %d", nd)
	}
	if trials < 1 {
		return GoodnessOfFit{}, fmt.Errorf("trials: must be >= 1, got %d", trials)
	}
	xd, zd := p.XDim(), p.ZDim()
	if len(xObs) != nd*xd {
		return GoodnessOfFit{}, fmt.Errorf("x_obs: got %d values for %d events of dimension %d", len(xObs), nd, xd)
	}
	z, err := q.Sample(trials, seed)
	if err != nil {
		return GoodnessOfFit{}, fmt.Errorf("posterior: %w", err)
	}
	if len(z) != trials*zd {
		return GoodnessOfFit{}, fmt.Errorf("posterior: drew %d values for %d rows, the likelihood's conditional input has %d", len(z), trials, zd)
	}
	zRep := repeatRows(z, zd, nd)
	_, logpRep, err := p.Sample(trials*nd, zRep, seed+1)
	if err != nil {
		return GoodnessOfFit{}, fmt.Errorf("likelihood: %w", err)
	}
	logpObs, err := p.LogDensity(slices.Repeat(xObs, trials), trials*nd, zRep)
	if err != nil {
		return GoodnessOfFit{}, fmt.Errorf("likelihood: %w", err)
	}
	res := GoodnessOfFit{Z: z, T: make([]float64, trials), TObs: make([]float64, trials)}
	above := 0
	for m := range trials {
		for i := range nd {
			res.T[m] += logpRep[m*nd+i] / float64(nd)
			res.TObs[m] += logpObs[m*nd+i] / float64(nd)
		}
		if res.T[m] > res.TObs[m] {
			above++
		}
	}
	res.PValue = float64(above) / float64(trials)
	res.StdErr = math.Sqrt(res.PValue * (1 - res.PValue) / float64(trials))
	return res, nil
}
