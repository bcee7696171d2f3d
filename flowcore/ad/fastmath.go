package ad

import "math"

// A fast scalar float64 logarithm for hot kernels, as accurate as the math package's to
// within an ulp or so.

// Table of FastLog: x = 2^k·z with z in [0.6875, 1.375) split into 128 bins by the top mantissa
// bits of bits(x) − bits(0.6875); bin i has a reciprocal centre logInv[i] and logC[i] =
// −log(logInv[i]).
const (
	logTableBits = 7
	logOff       = 0x3fe6000000000000 // bits of 0.6875
	logLn2Hi     = 0x1.62e42fefa3800p-1
	logLn2Lo     = 0x1.ef35793c76730p-45
)

var logInv, logC = func() (inv, c [1 << logTableBits]float64) {
	for i := range inv {
		centre := math.Float64frombits(logOff + uint64(i)<<(52-logTableBits) + 1<<(51-logTableBits))
		inv[i] = 1 / centre
		c[i] = -math.Log(inv[i])
	}
	return inv, c
}()

// FastLog is log x, within 2 ulp of the exact value, faster than math.Log: with x = 2^k·z and
// r = z·inv − 1 (|r| < 0.0044, one rounding with the fused multiply-add), log x = k·ln 2 +
// log(1/inv) + log1p(r), log1p by its degree-7 Taylor polynomial (no division). Within 1/16 of 1,
// where that sum would cancel, it uses log(1 + f) = 2·atanh(s) = f − f²/2 + s·(f²/2 + R) with
// f = x − 1 (exact), s = f/(2 + f) and R = 2s²/3 + 2s⁴/5 + … to s¹⁰ (math.Log's form on a
// narrower range). Non-positive, subnormal, infinite or NaN arguments go to math.Log.
func FastLog(x float64) float64 {
	if !(x > 0x1p-1022 && x < math.MaxFloat64) {
		return math.Log(x)
	}
	if f := x - 1; math.Abs(f) < 0.0625 {
		s := f / (2 + f)
		s2 := s * s
		r := s2 * (2.0/3 + s2*(2.0/5+s2*(2.0/7+s2*(2.0/9+s2*(2.0/11)))))
		hfsq := 0.5 * f * f
		return f - (hfsq - s*(hfsq+r))
	}
	ix := math.Float64bits(x)
	tmp := ix - logOff
	k := float64(int64(tmp) >> 52)
	i := (tmp >> (52 - logTableBits)) & (1<<logTableBits - 1)
	z := math.Float64frombits(ix - tmp&(0xfff<<52))
	r := math.FMA(z, logInv[i], -1)
	r2 := r * r
	p := r - r2*(0.5-r*(1.0/3-r*(0.25-r*(0.2-r*(1.0/6-r*(1.0/7))))))
	return k*logLn2Hi + logC[i] + (k*logLn2Lo + p)
}
