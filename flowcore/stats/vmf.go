package stats

import (
	"math"
	"math/rand/v2"
)

// logBesselI returns log I_ν(x) for ν = 0 or 1 and x > 0: the power series below x = 30, the
// asymptotic expansion above (relative accuracy better than 1e-13 on both sides).
func logBesselI(nu int, x float64) float64 {
	if x < 30 {
		term := math.Pow(x/2, float64(nu)) / math.Gamma(float64(nu)+1)
		sum := term
		q := x * x / 4
		for k := 1; k < 200; k++ {
			term *= q / (float64(k) * float64(k+nu))
			sum += term
			if term < 1e-17*sum {
				break
			}
		}
		return math.Log(sum)
	}
	mu := 4 * float64(nu*nu)
	term, sum := 1.0, 1.0
	for k := 1; k < 12; k++ {
		term *= -(mu - float64((2*k-1)*(2*k-1))) / (float64(k) * 8 * x)
		sum += term
	}
	return x - 0.5*math.Log(2*math.Pi*x) + math.Log(sum)
}

// vmfMeanLength is A_p(κ), the mean resultant length of a von Mises–Fisher distribution on the
// sphere of embedding dimension p (2: circle, I1/I0; 3: sphere, coth κ − 1/κ).
func vmfMeanLength(p int, kappa float64) float64 {
	if p == 2 {
		return math.Exp(logBesselI(1, kappa) - logBesselI(0, kappa))
	}
	if kappa < 1e-4 {
		return kappa / 3
	}
	return 1/math.Tanh(kappa) - 1/kappa
}

// vmfLogNorm is log c_p(κ), the log normalization of exp(κ μ·x) on the circle (p = 2, arc
// length) or the sphere (p = 3, solid angle).
func vmfLogNorm(p int, kappa float64) float64 {
	if p == 2 {
		return -math.Log(2*math.Pi) - logBesselI(0, kappa)
	}
	if kappa < 1e-8 {
		return -math.Log(4 * math.Pi)
	}
	// log(κ / (2π (e^κ − e^−κ)))
	return math.Log(kappa) - math.Log(2*math.Pi) - kappa - math.Log1p(-math.Exp(-2*kappa))
}

// vmfKappa returns the maximum-likelihood concentration for mean resultant length rbar as
// jammy_flows does: the start rbar(p − rbar²)/(1 − rbar²) and up to 20 Newton steps on
// A_p(κ) = rbar, stopping when a step changes κ by less than absPrecision.
func vmfKappa(p int, rbar, absPrecision float64) float64 {
	k := rbar * (float64(p) - rbar*rbar) / (1 - rbar*rbar)
	for range 20 {
		a := vmfMeanLength(p, k)
		next := k - (a-rbar)/(1-a*a-float64(p-1)/k*a)
		diff := math.Abs(next - k)
		k = next
		if diff < absPrecision {
			break
		}
	}
	return k
}

// vmfEntropy is the entropy of a von Mises–Fisher distribution, −log c_p(κ) − κ A_p(κ).
func vmfEntropy(p int, kappa float64) float64 {
	return -vmfLogNorm(p, kappa) - kappa*vmfMeanLength(p, kappa)
}

// sampleVMF draws n unit vectors of dimension p = len(mu) from the von Mises–Fisher distribution
// with mean direction mu and concentration kappa (Wood's algorithm), appending them to dst.
func sampleVMF(dst []float64, mu []float64, kappa float64, n int, rng *rand.Rand) []float64 {
	p := len(mu)
	d1 := float64(p - 1)
	b := d1 / (2*kappa + math.Sqrt(4*kappa*kappa+d1*d1))
	x0 := (1 - b) / (1 + b)
	c := kappa*x0 + d1*math.Log(1-x0*x0)
	v := make([]float64, p)
	for range n {
		var w float64
		for {
			var z float64
			if p == 2 { // Beta(1/2, 1/2)
				z = (1 - math.Cos(math.Pi*rng.Float64())) / 2
			} else { // Beta(1, 1)
				z = rng.Float64()
			}
			w = (1 - (1+b)*z) / (1 - (1-b)*z)
			if kappa*w+d1*math.Log(1-x0*w)-c >= -rng.ExpFloat64() {
				break
			}
		}
		// a uniform direction orthogonal to mu
		var dot, norm float64
		for i := range v {
			v[i] = rng.NormFloat64()
			dot += v[i] * mu[i]
		}
		for i := range v {
			v[i] -= dot * mu[i]
			norm += v[i] * v[i]
		}
		norm = math.Sqrt(norm)
		s := math.Sqrt(max(0, 1-w*w))
		for i := range v {
			dst = append(dst, w*mu[i]+s*v[i]/norm)
		}
	}
	return dst
}
