package simplex

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// asymptoticBelow is where logNormalCDF switches to the asymptotic series (Φ(z) is still a normal
// float64 there; the series' first omitted term is below 1e-40).
const asymptoticBelow = -37

// logNormalPDF is log φ(z).
func logNormalPDF(z float64) float64 { return -0.5*z*z - ad.LogSqrt2Pi }

// logNormalCDF is log Φ(z) to full relative precision for every z: log1p(−Φ(−z)) above 0,
// log Φ(z) down to asymptoticBelow, and below it log(φ(z)/|z|) + log Σ_k (−1)^k (2k−1)!!/z^{2k}.
func logNormalCDF(z float64) float64 {
	switch {
	case z > 0:
		return math.Log1p(-0.5 * math.Erfc(z/math.Sqrt2))
	case z >= asymptoticBelow:
		return math.Log(0.5 * math.Erfc(-z/math.Sqrt2))
	}
	s, term, inv := 1.0, 1.0, 1/(z*z)
	for k := 1; k <= 12; k++ {
		term *= -float64(2*k-1) * inv
		s += term
	}
	return logNormalPDF(z) - math.Log(-z) + math.Log(s)
}

// logNegLogPhi is log(−log Φ(z)); above −asymptoticBelow it is log Φ(−z) (−log Φ(z) = Φ(−z) to
// rounding there).
func logNegLogPhi(z float64) float64 {
	if z > -asymptoticBelow {
		return logNormalCDF(-z)
	}
	return math.Log(-logNormalCDF(z))
}

// gumbelLogSlope is log dg/dz of g = −log(−log Φ(z)): log φ(z) − log Φ(z) − log(−log Φ(z)).
func gumbelLogSlope(z float64) float64 {
	return logNormalPDF(z) - logNormalCDF(z) - logNegLogPhi(z)
}

// expSlope is dg/dz.
func expSlope(z float64) float64 { return math.Exp(gumbelLogSlope(z)) }

// expRatio is φ(z)/Φ(z) given lp = log Φ(z).
func expRatio(z, lp float64) float64 { return math.Exp(logNormalPDF(z) - lp) }

// gumbelToNormal is z = Φ⁻¹(F(g)) for the standard Gumbel CDF F(g) = exp(−e^{−g}), from whichever
// of F and 1 − F is below ½, in the log domain (quantileFromLog). g is kept above −700, where
// z ≈ −10^152 and the density has long underflowed, so that F stays representable in logs.
func gumbelToNormal(g float64) float64 {
	logF := -math.Exp(-max(g, -700))
	if logF <= -math.Ln2 {
		return quantileFromLog(logF)
	}
	// log(1 − F); once 1 − F is below the smallest normal float64 it is e^{−g} to rounding.
	logSF := -g
	if logF < -0x1p-1022 {
		logSF = math.Log(-math.Expm1(logF))
	}
	return -quantileFromLog(logSF)
}

// quantileFromLog is Φ⁻¹(e^L) for L <= log ½: directly where e^L is a normal float64, and by
// Newton's method on log Φ(z) = L below (log Φ is concave, so the iteration from the left
// converges monotonically).
func quantileFromLog(L float64) float64 {
	if L > -708 {
		return simd.NormalQuantileOf(math.Exp(L))
	}
	z := -math.Sqrt(-2 * L)
	for range 100 {
		lp := logNormalCDF(z)
		step := (lp - L) / expRatio(z, lp)
		z -= step
		if math.Abs(step) <= 1e-15*math.Abs(z) {
			break
		}
	}
	return z
}
