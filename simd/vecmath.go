package simd

import "math"

// vecmathKernels is one implementation of the element-wise vector math family ("vecmath").
// Each function sets dst[i] = f(x[i]) for i < len(x); len(dst) == len(x). sin, cos and sincos
// (which sets both) need |x[i]| ≤ trigLimit or a non-finite x[i]; Sin, Cos and Sincos ensure it.
type vecmathKernels struct {
	exp, expm1, log, log1p, sigmoid, softplus, logSigmoid, tanh, sin, cos func(dst, x []float64)
	sincos                                                                func(sin, cos, x []float64)
	erf, erfc, normalCDF, normalQuantile, atan, asin, acos                func(dst, x []float64)
	atan2                                                                 func(dst, y, x []float64)
}

// vecmathUse is the vector math implementation chosen at start-up and vecmathLevel its level.
var vecmathUse, vecmathLevel = pick(active.level, func(k kernels) *vecmathKernels { return k.vecmath })

// Exp sets dst[i] = e^x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. Every implementation is within 1 ulp of the correctly rounded result
// (TestVecmathAccuracy); results that underflow are +0 or subnormal, those that overflow +Inf,
// and Exp(NaN) = NaN.
func Exp(dst, x []float64) { vecmathUse.exp(dst[:len(x)], x) }

// Log sets dst[i] = ln x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. Every implementation is within 1 ulp of the correctly rounded result
// (TestVecmathAccuracy); Log(±0) = -Inf, Log(+Inf) = +Inf, and Log(x) = NaN for x < 0 or NaN.
func Log(dst, x []float64) { vecmathUse.log(dst[:len(x)], x) }

// Expm1 sets dst[i] = e^x[i] - 1 for i < len(x), accurate also for x[i] near 0; dst must be
// at least as long as x and may be x itself. Every implementation is within 1 ulp of the
// correctly rounded result (TestVecmathAccuracy); Expm1(±0) = ±0, Expm1(-Inf) = -1,
// overflow gives +Inf and Expm1(NaN) = NaN.
func Expm1(dst, x []float64) { vecmathUse.expm1(dst[:len(x)], x) }

// Log1p sets dst[i] = ln(1 + x[i]) for i < len(x), accurate also for x[i] near 0; dst must be
// at least as long as x and may be x itself. Every implementation is within 1 ulp of the
// correctly rounded result (TestVecmathAccuracy); Log1p(±0) = ±0, Log1p(-1) = -Inf,
// Log1p(+Inf) = +Inf, and Log1p(x) = NaN for x < -1 or NaN.
func Log1p(dst, x []float64) { vecmathUse.log1p(dst[:len(x)], x) }

// Sigmoid sets dst[i] = σ(x[i]) = 1/(1 + e^-x[i]) (the logistic function) for i < len(x),
// without overflow; dst must be at least as long as x and may be x itself. Every
// implementation is within 2 ulp of the correctly rounded result (TestVecmathAccuracy).
func Sigmoid(dst, x []float64) { vecmathUse.sigmoid(dst[:len(x)], x) }

// Softplus sets dst[i] = ln(1 + e^x[i]) for i < len(x), without overflow for large x[i] and
// accurate for very negative ones; dst must be at least as long as x and may be x itself.
// Every implementation is within 2 ulp of the correctly rounded result (TestVecmathAccuracy).
func Softplus(dst, x []float64) { vecmathUse.softplus(dst[:len(x)], x) }

// LogSigmoid sets dst[i] = ln σ(x[i]) = -ln(1 + e^-x[i]) for i < len(x), without overflow;
// dst must be at least as long as x and may be x itself. Every implementation is within 2 ulp
// of the correctly rounded result (TestVecmathAccuracy).
func LogSigmoid(dst, x []float64) { vecmathUse.logSigmoid(dst[:len(x)], x) }

// Tanh sets dst[i] = tanh x[i] for i < len(x), accurate also near 0; dst must be at least as
// long as x and may be x itself. Every implementation is within 2 ulp of the correctly rounded
// result (TestVecmathAccuracy).
func Tanh(dst, x []float64) { vecmathUse.tanh(dst[:len(x)], x) }

var vecmathGeneric = vecmathKernels{
	exp: expGeneric, expm1: expm1Generic, log: logGeneric, log1p: log1pGeneric,
	sigmoid: sigmoidGeneric, softplus: softplusGeneric, logSigmoid: logSigmoidGeneric, tanh: tanhGeneric,
	sin: sinGeneric, cos: cosGeneric, sincos: sincosGeneric,
	erf: erfGeneric, erfc: erfcGeneric, normalCDF: normalCDFGeneric, normalQuantile: normalQuantileGeneric,
	atan: atanGeneric, atan2: atan2Generic, asin: asinGeneric, acos: acosGeneric,
}

// Constants shared by the generic and assembly kernels (simd/_asm repeats them).
const (
	ln2Hi = 6.93147180369123816490e-01 // ln 2 rounded to 32 significant bits: n·ln2Hi is exact
	ln2Lo = 1.90821492927058770002e-10 // ln 2 - ln2Hi
	log2e = 1.44269504088896338700e+00 // 1 / ln 2
	// Exp's argument is clamped to [expMin, expMax], outside of which eˣ rounds to 0 or +Inf.
	expMin = -746.0
	expMax = 710.0
	// log's reduced mantissa lies in [√½, √2].
	sqrt2 = 1.41421356237309514547
)

// expPoly holds 1/k! for k = 0..13: eʳ's Taylor polynomial, whose truncation error is below
// 2⁻⁵⁶ relative for |r| ≤ ln2/2.
var expPoly = [14]float64{
	1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
	1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800,
}

// logPoly holds 2/(2k+1) for k = 1..10: ln((1+s)/(1-s)) = 2s + s·Σ logPoly[k-1]·s²ᵏ, truncated
// below 2⁻⁵⁹ relative for |s| ≤ (√2-1)/(√2+1).
var logPoly = [10]float64{2.0 / 3, 2.0 / 5, 2.0 / 7, 2.0 / 9, 2.0 / 11, 2.0 / 13, 2.0 / 15, 2.0 / 17, 2.0 / 19, 2.0 / 21}

// shifter is 1.5·2⁵²: v + shifter, rounded, holds round(v) (to even) in its low mantissa bits
// for |v| < 2⁵¹, so that fma(v, c, shifter) - shifter is v·c rounded once to an integer.
const shifter = 0x1.8p52

// pow2Split returns 2^n1 and 2^(n-n1) with n1 = round(n/2): both are normal for |n| ≤ 1077, so
// that scaling by them rounds only once, also near overflow and in the subnormal range.
func pow2Split(n float64) (float64, float64) {
	n1 := math.RoundToEven(n * 0.5)
	return math.Float64frombits(uint64(int64(n1)+1023) << 52), math.Float64frombits(uint64(int64(n-n1)+1023) << 52)
}

// expGeneric is the pure-Go twin of the assembly exp kernels (expScalar).
func expGeneric(dst, x []float64) { mapScalar(dst, x, expScalar) }

// expScalar is eᵛ (expSum with no low part).
func expScalar(v float64) float64 {
	if v != v {
		return v
	}
	return expSum(v, 0)
}

// expSum is e^(a+b) for a not NaN and |b| ≤ 1 (a carries a value's high part, b its low part):
// with a clamped to [expMin, expMax], n = round((a+b)/ln2) and r = (a - n·ln2Hi + b) - n·ln2Lo
// (a - n·ln2Hi is exact), e^(a+b) = 2ⁿ·eʳ with eʳ by expPoly and 2ⁿ applied in two factors
// (pow2Split). Every product-sum is fused, in the order of the assembly kernels, so that the
// results are the same bits.
func expSum(a, b float64) float64 {
	a = min(max(a, expMin), expMax)
	n := math.FMA(a+b, log2e, shifter) - shifter
	r := math.FMA(-n, ln2Lo, math.FMA(-n, ln2Hi, a)+b)
	p := expPoly[13]
	for k := 12; k >= 0; k-- {
		p = math.FMA(p, r, expPoly[k])
	}
	s1, s2 := pow2Split(n)
	return p * s1 * s2
}

// expm1Generic is the pure-Go twin of the assembly expm1 kernels (expm1Scalar).
func expm1Generic(dst, x []float64) { mapScalar(dst, x, expm1Scalar) }

// expm1Scalar is eᵛ - 1. With n = round(v/ln2) and r = v - n·ln2 as in expSum (r's rounding
// error rErr recovered exactly by Knuth's two-sum), q = eʳ - 1 = r + r²·Σ expPoly[k]·rᵏ⁻² (k ≥ 2) is kept as
// qHi + qLo (qLo also holds rErr·eʳ), and eᵛ - 1 = 2ⁿ·q + 2ⁿ - 1 is evaluated as
// ((2^n1·qHi + (2^n1 - 2^-n2)) + 2^n1·qLo)·2^n2 with 2^n1, 2^n2 from pow2Split: the low parts
// keep the result within 1 ulp where 2ⁿ - 1 cancels part of 2ⁿ·q, and 2ⁿ cannot overflow
// before the end.
func expm1Scalar(v float64) float64 {
	if v != v || v == 0 {
		return v
	}
	v = min(max(v, expMin), expMax)
	n := math.RoundToEven(v * log2e)
	rHi, rLo := v-n*ln2Hi, -n*ln2Lo
	r, rErr := twoSum(rHi, rLo)
	p := expPoly[13]
	for k := 12; k >= 2; k-- {
		p = p*r + expPoly[k]
	}
	p *= r * r
	qHi := r + p
	qLo := (r - qHi) + p + (rErr + rErr*qHi)
	s1, s2 := pow2Split(n)
	return ((s1*qHi + (s1 - 1/s2)) + s1*qLo) * s2
}

// twoSum returns s = a + b rounded and its rounding error (Knuth).
func twoSum(a, b float64) (s, err float64) {
	s = a + b
	bb := s - a
	return s, (a - (s - bb)) + (b - bb)
}

// mapScalar sets dst[i] = f(x[i]) for i < len(x).
func mapScalar(dst, x []float64, f func(float64) float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = f(v)
	}
}

// logScalar is ln v for finite v > 0: v = 2ᵉ·m with m in [√½, √2] (subnormals scaled by 2⁵²
// first), ln m = 2·atanh(s) with s = (m-1)/(m+1) by logPoly, and ln v = e·ln2Hi + ln m + e·ln2Lo.
func logScalar(v float64) float64 {
	adj := 0.0
	if v < 0x1p-1022 {
		v *= 0x1p52
		adj = 52
	}
	bits := math.Float64bits(v)
	e := float64(bits>>52) - 1023 - adj
	m := math.Float64frombits(bits&(1<<52-1) | 0x3ff<<52)
	if m > sqrt2 {
		m *= 0.5
		e++
	}
	f := m - 1 // exact
	s := f / (2 + f)
	z := s * s
	q := logPoly[9]
	for k := 8; k >= 0; k-- {
		q = math.FMA(q, z, logPoly[k])
	}
	// ln m = 2s + s·z·q = f - (hfsq - s·(hfsq + z·q)) with hfsq = f²/2 (as fdlibm): the exact f
	// dominates and the rounding errors sit in the small correction. The products are fused as
	// in the assembly kernels (float64() keeps the others unfused), so the results are the same.
	hfsq := 0.5 * f * f
	return math.FMA(e, ln2Hi, -((hfsq - math.FMA(e, ln2Lo, s*(hfsq+float64(z*q)))) - f))
}

// logGeneric is the pure-Go twin of the assembly log kernels.
func logGeneric(dst, x []float64) { mapScalar(dst, x, LogOf) }

// LogOf is ln v for one value: what every implementation of [Log] gives at v (they compute the
// same operations), for scalar code that must agree with batched code.
func LogOf(v float64) float64 {
	switch {
	case !(v < math.Inf(1)): // +Inf, NaN
		return v
	case v < 0:
		return math.NaN()
	case v == 0:
		return math.Inf(-1)
	}
	return logScalar(v)
}

// log1pGeneric is the pure-Go twin of the assembly log1p kernels (log1pScalar).
func log1pGeneric(dst, x []float64) { mapScalar(dst, x, log1pScalar) }

// log1pScalar is ln(1 + v): with u = 1 + v rounded, ln(1 + v) = ln u + (v - (u - 1))/u, the
// second term correcting the rounding of u to first order.
func log1pScalar(v float64) float64 {
	switch {
	case !(v < math.Inf(1)) || v == 0: // +Inf, NaN, ±0
		return v
	case v < -1:
		return math.NaN()
	case v == -1:
		return math.Inf(-1)
	}
	u := 1 + v
	return logScalar(u) + (v-(u-1))/u
}

// sigmoidGeneric is the pure-Go twin of the assembly sigmoid kernels: with t = e^-|x|,
// σ(x) = 1/(1 + t) for x ≥ 0 and t/(1 + t) otherwise, so that nothing overflows.
func sigmoidGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 {
		t := expScalar(-math.Abs(v))
		if v >= 0 {
			return 1 / (1 + t)
		}
		return t / (1 + t)
	})
}

// softplusGeneric is the pure-Go twin of the assembly softplus kernels:
// ln(1 + eˣ) = max(x, 0) + ln(1 + e^-|x|), which neither overflows nor loses small results.
func softplusGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 { return max(v, 0) + log1pScalar(expScalar(-math.Abs(v))) })
}

// logSigmoidGeneric is the pure-Go twin of the assembly log-sigmoid kernels:
// ln σ(x) = -ln(1 + e⁻ˣ) = min(x, 0) - ln(1 + e^-|x|).
func logSigmoidGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 { return min(v, 0) - log1pScalar(expScalar(-math.Abs(v))) })
}

// tanhGeneric is the pure-Go twin of the assembly tanh kernels: with t = e^(-2|x|) - 1 (expm1,
// accurate for small x), tanh|x| = -t/(t + 2), and tanh is odd.
func tanhGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 {
		t := expm1Scalar(-2 * math.Abs(v))
		return math.Copysign(-t/(t+2), v)
	})
}
