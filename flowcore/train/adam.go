// Package train fits gojammy PDFs by maximum likelihood: an Adam optimizer and Fit, which runs
// mini-batch training with shuffling, validation, early stopping and gradient clipping.
package train

import (
	"math"

	"github.com/gojammy/gojammy/flowcore"
)

// Adam is the Adam optimizer with torch.optim.Adam's defaults (β1 0.9, β2 0.999, ε 1e-8).
type Adam struct {
	LearningRate, Beta1, Beta2, Eps float64
	m, v                            []float64
	step                            int
}

// NewAdam returns an Adam optimizer for n parameters.
func NewAdam(n int, learningRate float64) *Adam {
	return &Adam{LearningRate: learningRate, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8,
		m: make([]float64, n), v: make([]float64, n)}
}

// Step updates params in place from the gradient of the loss to minimize.
func (a *Adam) Step(params, grad []float64) {
	a.step++
	c1 := 1 - math.Pow(a.Beta1, float64(a.step))
	c2 := 1 - math.Pow(a.Beta2, float64(a.step))
	flowcore.ForRanges(len(grad), func(lo, hi int) {
		for i, g := range grad[lo:hi] {
			i += lo
			a.m[i] = a.Beta1*a.m[i] + (1-a.Beta1)*g
			a.v[i] = a.Beta2*a.v[i] + (1-a.Beta2)*g*g
			params[i] -= a.LearningRate * (a.m[i] / c1) / (math.Sqrt(a.v[i]/c2) + a.Eps)
		}
	})
}
