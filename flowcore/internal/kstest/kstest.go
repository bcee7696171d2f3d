// Package kstest is the Kolmogorov–Smirnov test of values against the uniform distribution, for
// the calibration checks of tests (coverage values, p-values).
package kstest

import (
	"math"
	"slices"
)

// Uniform returns the Kolmogorov-Smirnov p-value of values against the uniform distribution
// on [0, 1] (asymptotic distribution with Stephens' small-sample correction).
func Uniform(values []float64) float64 {
	v := slices.Clone(values)
	slices.Sort(v)
	n := float64(len(v))
	d := 0.0
	for i, x := range v {
		d = max(d, float64(i+1)/n-x, x-float64(i)/n)
	}
	lambda := (math.Sqrt(n) + 0.12 + 0.11/math.Sqrt(n)) * d
	p := 0.0
	for k := 1; k <= 100; k++ {
		p += 2 * math.Pow(-1, float64(k-1)) * math.Exp(-2*float64(k*k)*lambda*lambda)
	}
	return min(max(p, 0), 1)
}
