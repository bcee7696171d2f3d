package simd

import "math"

// mixtureKernels is one implementation of the logistic-mixture family ("mixture"): the sums of
// [LogisticMixture], alone and with the kernel terms kept ([LogisticMixtureTerms]).
type mixtureKernels struct {
	sums  func(F, S, f, y, par []float64, k, stride int)
	terms func(F, S, f, q, s, y, par []float64, k, stride, ldq int)
}

// mixtureUse is the logistic-mixture implementation chosen at start-up and mixtureLevel its level.
var mixtureUse, mixtureLevel = pick(active.level, func(k kernels) *mixtureKernels { return k.mixture })

var mixtureGeneric = mixtureKernels{
	sums: func(F, S, f, y, par []float64, k, stride int) {
		logisticMixtureGeneric(F, S, f, nil, nil, y, par, k, stride, 0)
	},
	terms: logisticMixtureGeneric,
}

// maxMixtureArg bounds a kernel's exponent (μ − y)/h: beyond it the kernel's smaller tail term is
// below e⁻⁷⁰⁰ and the larger one is 1 to full precision.
const maxMixtureArg = 700

// LogisticMixture evaluates a one-dimensional mixture of logistic kernels at the points y. Kernel
// j has mean μⱼ, width hⱼ and weight wⱼ; par holds μⱼ, 1/hⱼ, wⱼ and wⱼ/hⱼ at par[j·stride:]
// (stride ≥ 4, so par may be a larger per-kernel record) for j < k. With u = (y − μⱼ)/hⱼ it
// sets
//
//	F[i] = Σⱼ wⱼ·σ(u),  S[i] = Σⱼ wⱼ·σ(−u),  f[i] = Σⱼ (wⱼ/hⱼ)·σ(u)·σ(−u),
//
// the mixture's CDF, survival function and density, each summed over j in order. Every term is
// computed from x = e^(−u) (exponent clamped to ±700) as σ(u) = 1/(1 + x), σ(−u) = x·σ(u), so
// both tails keep full relative precision until a term underflows. A NaN point gives NaN sums;
// ±Inf points give the limits. F, S and f must be at least as long as y. A point's results do
// not depend on the other points (each implementation computes every point the same way).
func LogisticMixture(F, S, f, y, par []float64, k, stride int) {
	checkMixture(par, k, stride)
	mixtureUse.sums(F[:len(y)], S[:len(y)], f[:len(y)], y, par, k, stride)
}

// LogisticMixtureTerms is [LogisticMixture] that also keeps the kernel terms for a gradient:
// q[j·len(y) + i] = σ(u) and s[j·len(y) + i] = σ(−u) of kernel j at point i. q and s must hold
// k·len(y) values.
func LogisticMixtureTerms(F, S, f, q, s, y, par []float64, k, stride int) {
	checkMixture(par, k, stride)
	n := len(y)
	mixtureUse.terms(F[:n], S[:n], f[:n], q[:k*n], s[:k*n], y, par, k, stride, n)
}

// checkMixture panics unless par holds k kernel records of stride ≥ 4 values (the last may be
// just 4 long).
func checkMixture(par []float64, k, stride int) {
	if k < 0 || stride < 4 || (k > 0 && len(par) < (k-1)*stride+4) {
		panic("simd: LogisticMixture: par must hold k kernels of stride ≥ 4 values")
	}
}

// logisticMixtureGeneric is the pure-Go twin of the assembly logistic-mixture kernels: kernel j's
// terms go to q[j·ldq:] and s[j·ldq:], unless q and s are nil.
func logisticMixtureGeneric(F, S, f, q, s, y, par []float64, k, stride, ldq int) {
	for i, yi := range y {
		var sF, sS, sf float64
		for j := 0; j < k; j++ {
			p := par[j*stride : j*stride+4]
			a := min(max((p[0]-yi)*p[1], -maxMixtureArg), maxMixtureArg) // NaN stays NaN
			x := mixtureExp(a)
			sig := 1 / (1 + x)
			sigBar := x * sig
			sF += p[2] * sig
			sS += p[2] * sigBar
			sf += p[3] * sigBar * sig
			if q != nil {
				q[j*ldq+i], s[j*ldq+i] = sig, sigBar
			}
		}
		F[i], S[i], f[i] = sF, sS, sf
	}
}

// mixtureShifter is 1.5·2⁵²: adding it rounds |v| < 2⁵¹ to an integer held in the low mantissa
// bits.
const mixtureShifter = 0x1.8p52

// mixtureExp is eᵃ for |a| ≤ maxMixtureArg (NaN for NaN), the exponential of the logistic-mixture
// kernels, computed exactly as the assembly does: n = round(a/ln2), r = a − n·ln2Hi − n·ln2Lo,
// eʳ by expPoly in Estrin's scheme (a short dependency chain), times 2ⁿ. Within 2 ulp of the
// correctly rounded result (TestMixtureExp).
func mixtureExp(a float64) float64 {
	t := math.FMA(a, log2e, mixtureShifter)
	n := t - mixtureShifter
	r := math.FMA(-n, ln2Hi, a)
	r = math.FMA(-n, ln2Lo, r)
	r2 := r * r
	r4 := r2 * r2
	r8 := r4 * r4
	pair := func(k int) float64 { return math.FMA(expPoly[k+1], r, expPoly[k]) }
	quad := func(k int) float64 { return math.FMA(pair(k+2), r2, pair(k)) }
	s0 := math.FMA(quad(4), r4, quad(0))
	s1 := math.FMA(pair(12), r4, quad(8))
	e := math.FMA(s1, r8, s0)
	if a != a {
		return a
	}
	return e * math.Float64frombits(uint64(int64(n)+1023)<<52)
}
