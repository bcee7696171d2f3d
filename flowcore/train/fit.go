package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gojammy/gojammy/flowcore"
)

// Options control Fit. Zero values take the defaults noted.
type Options struct {
	// Epochs is the number of passes over the data (default 10); ignored when Steps > 0.
	Epochs int
	// Steps, if > 0, is the exact number of optimizer steps (passes continue as needed).
	Steps int
	// BatchSize is the mini-batch size (default 256; capped at the data size).
	BatchSize int
	// LearningRate of Adam (default 1e-2).
	LearningRate float64
	// Seed drives the shuffling.
	Seed uint64
	// ValidationData (NVal rows) and ValidationCond, if given, are evaluated after every epoch;
	// the parameters with the best validation loss are kept.
	ValidationData, ValidationCond []float64
	NVal                           int
	// Patience, if > 0, stops training after that many epochs without a better validation loss.
	Patience int
	// ClipNorm, if > 0, rescales each gradient to at most this Euclidean norm.
	ClipNorm float64
	// Coords are the coordinates of the data and the validation data (the zero value is
	// flowcore.SavedCoords).
	Coords flowcore.Coords
	// PoissonCounts, for a PDF with the Poisson head (predict_log_normalization), gives per data
	// row the number of events of the observation it belongs to: the loss becomes the extended
	// likelihood's (see poissonTerm). nil: the whole data set is one observation (n events),
	// which only an unconditional PDF allows.
	PoissonCounts []float64
}

// Progress is reported to the callback after every step.
type Progress struct {
	// Step counts optimizer steps from 1; Epoch counts passes from 1.
	Step, Epoch int
	// Loss is the batch's mean negative log-likelihood; ValLoss the last validation loss (NaN
	// before the first validation or without validation data).
	Loss, ValLoss float64
}

// History is the result of Fit: the mean training loss and the validation loss per epoch.
type History struct {
	Loss, ValLoss []float64
	// SkippedNaN and SkippedOutside count per epoch the training rows left out of the loss:
	// rows whose log-density is NaN (NaN in the data or the conditional input), and rows with
	// log p = -inf (outside the support, or so far out that the density is 0 in float64).
	SkippedNaN, SkippedOutside []int
	// BestEpoch is the epoch whose parameters were kept (validation), or the last epoch.
	BestEpoch int
}

// ErrStopped is returned (with the history so far) when the progress callback stops training.
var ErrStopped = errors.New("training stopped by the progress callback")

// Fit trains p by minimizing the mean negative log-likelihood of n rows of data (coordinates
// opts.Coords) with optional conditional inputs cond. progress (may be nil) is called after every
// step; returning false stops training (the best parameters so far are kept).
func Fit(p *flowcore.PDF, data []float64, n int, cond []float64, opts Options, progress func(Progress) bool) (History, error) {
	o, err := withDefaults(opts, n)
	if err != nil {
		return History{}, err
	}
	dim, err := p.Dim(o.Coords)
	if err != nil {
		return History{}, fmt.Errorf("data: %w", err)
	}
	cd := p.ConditionalDim()
	if len(data) != n*dim {
		return History{}, fmt.Errorf("data: got %d values for %d rows of dimension %d", len(data), n, dim)
	}
	if (cd == 0) != (cond == nil) || len(cond) != n*cd {
		return History{}, fmt.Errorf("conditional_input: got %d values, want %d rows x %d", len(cond), n, cd)
	}
	hasVal := o.ValidationData != nil
	if hasVal && len(o.ValidationData) != o.NVal*dim {
		return History{}, fmt.Errorf("validation_data: got %d values for %d rows of dimension %d", len(o.ValidationData), o.NVal, dim)
	}
	if p.TakesAmortizationParams() {
		return History{}, fmt.Errorf("fit: an amortize_everything PDF has no parameters of its own (its amortization_parameters come from the caller); train what predicts them, or use a fully amortized PDF")
	}
	counts, err := poissonCounts(p, o.PoissonCounts, n)
	if err != nil {
		return History{}, err
	}
	params := p.Params()
	initial := takeSnapshot(p)
	var hist History
	adam := NewAdam(len(params), o.LearningRate)
	rng := rand.New(rand.NewPCG(o.Seed, 0x7f4a7c15))
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	batchX := make([]float64, 0, o.BatchSize*dim)
	batchC := make([]float64, 0, o.BatchSize*cd)
	var batchN []float64
	best, bestParams, sinceBest := math.Inf(1), append([]float64(nil), params...), 0
	valLoss := math.NaN()
	step, stopped, userStopped := 0, false, false
	for epoch := 1; !stopped; epoch++ {
		if o.Steps == 0 && epoch > o.Epochs {
			break
		}
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
		sum, count, skippedNaN, skippedOutside := 0.0, 0, 0, 0
		for start := 0; start < n && !stopped; start += o.BatchSize {
			rows := order[start:min(n, start+o.BatchSize)]
			batchX, batchC = gather(batchX[:0], data, rows, dim), gather(batchC[:0], cond, rows, cd)
			if counts != nil {
				batchN = gather(batchN[:0], counts, rows, 1)
			}
			loss, grad, skipped, err := lossAndGrad(p, batchX, len(rows), batchC, batchN, o.Coords)
			skippedNaN += skipped.nan
			skippedOutside += skipped.outside
			if err := applyStep(p, adam, params, loss, grad, err, step, o); err != nil {
				return initial.restore(hist, err)
			}
			step++
			sum += loss
			count++
			if progress != nil && !progress(Progress{Step: step, Epoch: epoch, Loss: loss, ValLoss: valLoss}) {
				stopped, userStopped = true, true
			}
			if o.Steps > 0 && step >= o.Steps {
				stopped = true
			}
		}
		hist.Loss = append(hist.Loss, sum/float64(max(count, 1)))
		hist.SkippedNaN, hist.SkippedOutside = append(hist.SkippedNaN, skippedNaN), append(hist.SkippedOutside, skippedOutside)
		if !hasVal {
			hist.BestEpoch = epoch
			continue
		}
		valLoss, err = meanNLL(p, o.ValidationData, o.NVal, o.ValidationCond, o.Coords)
		if err != nil {
			return initial.restore(hist, fmt.Errorf("validation_data: %w", err))
		}
		hist.ValLoss = append(hist.ValLoss, valLoss)
		if valLoss < best {
			best, sinceBest, hist.BestEpoch = valLoss, 0, epoch
			copy(bestParams, params)
		} else if sinceBest++; o.Patience > 0 && sinceBest >= o.Patience {
			stopped = true
		}
	}
	if hasVal && hist.BestEpoch > 0 {
		if err := p.SetParams(bestParams); err != nil {
			return hist, err
		}
	}
	if userStopped {
		return hist, ErrStopped
	}
	return hist, nil
}

func withDefaults(o Options, n int) (Options, error) {
	if n <= 0 {
		return o, fmt.Errorf("data: no rows to train on")
	}
	if o.Epochs == 0 {
		o.Epochs = 10
	}
	if o.BatchSize == 0 {
		o.BatchSize = 256
	}
	if o.LearningRate == 0 {
		o.LearningRate = 1e-2
	}
	switch {
	case o.Epochs < 0:
		return o, fmt.Errorf("epochs: must be > 0, got %d", o.Epochs)
	case o.Steps < 0:
		return o, fmt.Errorf("steps: must be >= 0, got %d", o.Steps)
	case o.BatchSize < 0:
		return o, fmt.Errorf("batch_size: must be > 0, got %d", o.BatchSize)
	case !(o.LearningRate > 0) || math.IsInf(o.LearningRate, 1):
		return o, fmt.Errorf("learning_rate: must be a finite number > 0, got %g", o.LearningRate)
	case !(o.ClipNorm >= 0) || math.IsInf(o.ClipNorm, 1):
		return o, fmt.Errorf("clip_norm: must be a finite number >= 0, got %g", o.ClipNorm)
	case o.Patience < 0:
		return o, fmt.Errorf("patience: must be >= 0, got %d", o.Patience)
	}
	o.BatchSize = min(o.BatchSize, n)
	return o, nil
}

// applyStep takes one optimizer step from the loss and gradient of step (or their error) and
// sets the new parameters. A failure after the first step, or non-finite results, is a
// divergence: the inputs were fine for the parameters the fit started with.
func applyStep(p *flowcore.PDF, adam *Adam, params []float64, loss float64, grad []float64, err error, step int, o Options) error {
	if err != nil && step > 0 {
		return diverged(step, err.Error(), o.LearningRate)
	}
	if err != nil {
		return err
	}
	clip(grad, o.ClipNorm)
	adam.Step(params, grad)
	if !finite(loss) || !allFinite(params) {
		return diverged(step, fmt.Sprintf("loss %g%s", loss, nonFiniteNote(params)), o.LearningRate)
	}
	return p.SetParams(params)
}

// diverged is the error of a fit that diverged after step steps.
func diverged(step int, what string, learningRate float64) error {
	return fmt.Errorf("fit: training diverged at step %d (%s); the parameters from before fit are restored: lower learning_rate (%g) or set clip_norm",
		step+1, what, learningRate)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// allFinite reports whether every value of v is finite.
func allFinite(v []float64) bool {
	for _, x := range v {
		if !finite(x) {
			return false
		}
	}
	return true
}

// nonFiniteNote is ", non-finite parameters" if params holds a NaN or ±Inf, else "".
func nonFiniteNote(params []float64) string {
	if allFinite(params) {
		return ""
	}
	return ", non-finite parameters"
}

func gather(dst, src []float64, rows []int, width int) []float64 {
	if width == 0 {
		return nil
	}
	for _, r := range rows {
		dst = append(dst, src[r*width:(r+1)*width]...)
	}
	return dst
}

// skippedRows counts the rows of a batch left out of the loss.
type skippedRows struct{ nan, outside int }

// lossAndGrad returns the mean negative log-likelihood over the rows with finite log p (plus the
// Poisson term when counts are given), its gradient with respect to the parameters and the rows
// it left out.
func lossAndGrad(p *flowcore.PDF, x []float64, n int, cond, counts []float64, c flowcore.Coords) (float64, []float64, skippedRows, error) {
	d, g, err := p.LogDensityGrad(x, n, cond, c)
	if err != nil {
		return 0, nil, skippedRows{}, err
	}
	sum, count := finiteSum(d.LogPDF)
	var skipped skippedRows
	for _, v := range d.LogPDF {
		switch {
		case math.IsNaN(v):
			skipped.nan++
		case math.IsInf(v, 0):
			skipped.outside++
		}
	}
	if count == 0 {
		return 0, nil, skipped, fmt.Errorf("data: no row of the batch has a finite log-density (%d NaN rows, %d rows outside the support)", skipped.nan, skipped.outside)
	}
	flowcore.ForRanges(len(g.Params), func(lo, hi int) {
		for i := range g.Params[lo:hi] {
			g.Params[lo+i] /= -float64(count)
		}
	})
	loss := -sum / float64(count)
	if counts != nil {
		extra, err := poissonTerm(p, cond, counts, g.Params)
		if err != nil {
			return 0, nil, skipped, err
		}
		loss += extra
	}
	return loss, g.Params, skipped, nil
}

func meanNLL(p *flowcore.PDF, x []float64, n int, cond []float64, c flowcore.Coords) (float64, error) {
	d, err := p.LogDensity(x, n, cond, c)
	if err != nil {
		return 0, err
	}
	sum, count := finiteSum(d.LogPDF)
	if count == 0 {
		return math.Inf(1), nil
	}
	return -sum / float64(count), nil
}

func finiteSum(v []float64) (float64, int) {
	s, c := 0.0, 0
	for _, x := range v {
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			s += x
			c++
		}
	}
	return s, c
}

func clip(g []float64, maxNorm float64) {
	if maxNorm <= 0 {
		return
	}
	s := 0.0
	for _, v := range g {
		s += v * v
	}
	if norm := math.Sqrt(s); norm > maxNorm {
		for i := range g {
			g[i] *= maxNorm / norm
		}
	}
}

// snapshot holds a PDF's parameters at the start of a fit: a failed or diverging fit restores them.
type snapshot struct {
	p      *flowcore.PDF
	params []float64
}

// takeSnapshot copies p's current parameters.
func takeSnapshot(p *flowcore.PDF) snapshot {
	return snapshot{p: p, params: append([]float64(nil), p.Params()...)}
}

// restore puts the parameters back and returns the history so far with err.
func (s snapshot) restore(hist History, err error) (History, error) {
	_ = s.p.SetParams(s.params)
	return hist, err
}
