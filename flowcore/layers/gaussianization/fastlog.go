package gaussianization

import "math"

// Table of fastLog: x = 2^k·z with z in [0.6875, 1.375) split into 128 bins by the top mantissa
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

// fastLog is log x, within 2 ulp of the exact value, faster than math.Log (no division): with
// x = 2^k·z and r = z·inv − 1 (|r| < 0.0044, one rounding with the fused multiply-add),
// log x = k·ln 2 + log(1/inv) + log1p(r), log1p by its degree-7 Taylor polynomial. Values within
// 1/16 of 1 (where the sum would cancel), non-positive, subnormal, infinite or NaN arguments go
// to math.Log.
func fastLog(x float64) float64 {
	if !(x > 0x1p-1022 && x < math.MaxFloat64) || math.Abs(x-1) < 0.0625 {
		return math.Log(x)
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
