package train

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore"
)

// LogTarget is an unnormalized target log-density: for n points x (rows of dim values) it
// returns log π̃(x) per point and its gradient with respect to the point (n x dim).
type LogTarget func(x []float64, n, dim int) (logp, grad []float64, err error)

// StepsPerEpoch is the number of optimizer steps of one epoch of FitVariational: its history
// holds the mean loss of every StepsPerEpoch steps.
const StepsPerEpoch = 100

// FitVariational fits an unconditional PDF q to an unnormalized target density π̃ by
// minimizing the exclusive Kullback–Leibler divergence, L = E_q[log q(X) − log π̃(X)]
// (= KL(q ‖ π) − log Z), with reparameterized samples: every step draws opts.BatchSize fresh base
// points ε, maps them to x(ε; θ) and follows the total derivative of log q(x(ε; θ); θ) −
// log π̃(x(ε; θ)) with Adam. opts.Epochs counts epochs of StepsPerEpoch steps (opts.Steps, if
// > 0, is the exact number of steps); LearningRate, ClipNorm, Seed and Coords (the coordinates
// the target takes) mean what they mean for Fit, the data options do not apply. Progress,
// history, ErrStopped and the restoring of the parameters of a diverged fit are Fit's.
func FitVariational(p *flowcore.PDF, target LogTarget, opts Options, progress func(Progress) bool) (History, error) {
	if target == nil {
		return History{}, fmt.Errorf("target: no log-density given")
	}
	if opts.ValidationData != nil || opts.ValidationCond != nil || opts.PoissonCounts != nil || opts.Patience != 0 {
		return History{}, fmt.Errorf("fit_variational: validation data, patience and Poisson counts do not apply to a variational fit")
	}
	if p.ConditionalDim() > 0 || p.TakesAmortizationParams() {
		return History{}, fmt.Errorf("fit_variational: needs an unconditional PDF with parameters of its own")
	}
	o, err := withDefaults(opts, math.MaxInt32)
	if err != nil {
		return History{}, err
	}
	dim, err := p.Dim(o.Coords)
	if err != nil {
		return History{}, fmt.Errorf("coordinates: %w", err)
	}
	params := p.Params()
	initial := takeSnapshot(p)
	var hist History
	adam := NewAdam(len(params), o.LearningRate)
	b := o.BatchSize
	step := 0
	for epoch := 1; ; epoch++ {
		if o.Steps == 0 && epoch > o.Epochs || o.Steps > 0 && step >= o.Steps {
			break
		}
		sum, count, skipped := 0.0, 0, 0
		for range StepsPerEpoch {
			if o.Steps > 0 && step >= o.Steps {
				break
			}
			loss, grad, left, err := variationalLossAndGrad(p, target, b, dim, o.Coords, o.Seed+uint64(step)*0x9e3779b97f4a7c15)
			skipped += left
			if err := applyStep(p, adam, params, loss, grad, err, step, o); err != nil {
				return initial.restore(hist, err)
			}
			step++
			sum += loss
			count++
			if progress != nil && !progress(Progress{Step: step, Epoch: epoch, Loss: loss, ValLoss: math.NaN()}) {
				hist.addEpoch(sum/float64(count), skipped, epoch)
				return hist, ErrStopped
			}
		}
		hist.addEpoch(sum/float64(max(count, 1)), skipped, epoch)
	}
	return hist, nil
}

// addEpoch records an epoch of a variational fit: its mean loss and the samples left out.
func (h *History) addEpoch(loss float64, skipped, epoch int) {
	h.Loss = append(h.Loss, loss)
	h.SkippedNaN = append(h.SkippedNaN, 0)
	h.SkippedOutside = append(h.SkippedOutside, skipped)
	h.BestEpoch = epoch
}

// variationalLossAndGrad draws n samples (base points from seed) and returns the mean of
// log q − log π̃ over the samples where both are finite, its gradient with respect to the
// parameters through the samples, and the number of samples left out.
func variationalLossAndGrad(p *flowcore.PDF, target LogTarget, n, dim int, c flowcore.Coords, seed uint64) (float64, []float64, int, error) {
	s, err := p.Sample(n, nil, seed, c)
	if err != nil {
		return 0, nil, 0, err
	}
	lt, gt, err := target(s.X, n, dim)
	if err != nil {
		return 0, nil, 0, fmt.Errorf("target: %w", err)
	}
	if len(lt) != n || len(gt) != n*dim {
		return 0, nil, 0, fmt.Errorf("target: returned %d values and a gradient of %d values for %d points of dimension %d", len(lt), len(gt), n, dim)
	}
	seedX, seedLogp := make([]float64, n*dim), make([]float64, n)
	var sum float64
	count := 0
	for i := range n {
		d := s.LogPDF[i] - lt[i]
		if !finite(d) || !allFinite(gt[i*dim:(i+1)*dim]) {
			continue
		}
		sum += d
		count++
		seedLogp[i] = 1
		for j := range dim {
			seedX[i*dim+j] = -gt[i*dim+j]
		}
	}
	if count == 0 {
		return 0, nil, n, fmt.Errorf("target: no sample has a finite log-density under both the PDF and the target")
	}
	for i := range seedLogp {
		seedLogp[i] /= float64(count)
	}
	for i := range seedX {
		seedX[i] /= float64(count)
	}
	_, g, err := p.FromBaseVJP(s.Base, n, nil, c, flowcore.SampleSeeds{SeedX: seedX, SeedLogPDF: seedLogp})
	if err != nil {
		return 0, nil, 0, err
	}
	return sum / float64(count), g.Params, n - count, nil
}
