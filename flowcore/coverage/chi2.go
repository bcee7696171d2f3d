package coverage

import "math"

// chi2CDF is the cumulative distribution function of the χ² distribution with k degrees of
// freedom at x: the regularized lower incomplete gamma function P(k/2, x/2).
func chi2CDF(x float64, k int) float64 {
	switch {
	case math.IsNaN(x):
		return math.NaN()
	case x <= 0:
		return 0
	case math.IsInf(x, 1):
		return 1
	}
	return gammaP(float64(k)/2, x/2)
}

// gammaP is the regularized lower incomplete gamma function P(a, x) for a > 0, x > 0: its power
// series below x = a+1, one minus the continued fraction of Q(a, x) (modified Lentz) above.
func gammaP(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	prefactor := math.Exp(a*math.Log(x) - x - lg)
	if x < a+1 {
		sum, term := 1/a, 1/a
		for n := 1; n < 1000; n++ {
			term *= x / (a + float64(n))
			sum += term
			if math.Abs(term) < math.Abs(sum)*1e-16 {
				break
			}
		}
		return sum * prefactor
	}
	const tiny = 1e-300
	b := x + 1 - a
	c, d := 1/tiny, 1/b
	h := d
	for n := 1; n < 1000; n++ {
		an := -float64(n) * (float64(n) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		delta := d * c
		h *= delta
		if math.Abs(delta-1) < 1e-16 {
			break
		}
	}
	return 1 - prefactor*h
}
