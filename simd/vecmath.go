package simd

import "math"

// vecmathKernels is one implementation of the element-wise vector math family ("vecmath").
// Each function sets dst[i] = f(x[i]) for i < len(x); len(dst) == len(x).
type vecmathKernels struct {
	exp, log func(dst, x []float64)
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

var vecmathGeneric = vecmathKernels{exp: expGeneric, log: logGeneric}

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

// expGeneric is the pure-Go twin of the assembly exp kernels: eˣ = 2ⁿ·eʳ with n = round(x/ln2)
// and r = x - n·ln2 (Cody–Waite, two parts), eʳ by expPoly, and 2ⁿ applied in two factors so
// that results near overflow and in the subnormal range are rounded once.
func expGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		if v != v {
			dst[i] = v
			continue
		}
		v = min(max(v, expMin), expMax)
		n := math.RoundToEven(v * log2e)
		r := v - n*ln2Hi - n*ln2Lo
		p := expPoly[13]
		for k := 12; k >= 0; k-- {
			p = p*r + expPoly[k]
		}
		n1 := math.RoundToEven(n * 0.5)
		dst[i] = p * math.Float64frombits(uint64(int64(n1)+1023)<<52) * math.Float64frombits(uint64(int64(n-n1)+1023)<<52)
	}
}

// logGeneric is the pure-Go twin of the assembly log kernels: x = 2ᵉ·m with m in [√½, √2]
// (subnormals scaled by 2⁵² first), ln m = 2·atanh(s) with s = (m-1)/(m+1) by logPoly, and
// ln x = e·ln2Hi + (ln m + e·ln2Lo).
func logGeneric(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		switch {
		case v < 0 || v != v:
			dst[i] = math.NaN()
			continue
		case v == 0:
			dst[i] = math.Inf(-1)
			continue
		case v > math.MaxFloat64:
			dst[i] = v
			continue
		}
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
		f := m - 1
		s := f / (2 + f)
		z := s * s
		q := logPoly[9]
		for k := 8; k >= 0; k-- {
			q = q*z + logPoly[k]
		}
		dst[i] = e*ln2Hi + (2*s + s*(z*q) + e*ln2Lo)
	}
}
