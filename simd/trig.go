package simd

import "math"

// Sin sets dst[i] = sin x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. For |x[i]| ≤ 10⁶ every implementation is within 1 ulp of the correctly rounded
// result (TestVecmathAccuracy). Larger arguments go to math.Sin, which
// reduces exactly only beyond 2²⁹ and can be far less accurate near zeros of sin below that.
// Sin(±Inf) = Sin(NaN) = NaN and Sin(±0) = ±0.
func Sin(dst, x []float64) { trigChunks(dst[:len(x)], x, vecmathUse.sin, sinGeneric) }

// Cos sets dst[i] = cos x[i] for i < len(x), with the accuracy and argument range of [Sin].
func Cos(dst, x []float64) { trigChunks(dst[:len(x)], x, vecmathUse.cos, cosGeneric) }

// Sincos sets sin[i] = sin x[i] and cos[i] = cos x[i] for i < len(x) in one pass sharing the
// argument reduction, with the accuracy and argument range of [Sin]. sin and cos must be at
// least as long as x; either may be x itself.
func Sincos(sin, cos, x []float64) {
	sin, cos = sin[:len(x)], cos[:len(x)]
	for len(x) > 0 {
		n := min(len(x), trigChunk)
		if trigInRange(x[:n]) {
			vecmathUse.sincos(sin[:n], cos[:n], x[:n])
		} else {
			sincosGeneric(sin[:n], cos[:n], x[:n])
		}
		sin, cos, x = sin[n:], cos[n:], x[n:]
	}
}

// trigLimit bounds the arguments the kernels reduce themselves (Cody–Waite with four parts of
// π/2, exact products up to 2²⁰ in the generic kernel); beyond it math.Sin and math.Cos do.
const trigLimit = 1e6

// trigChunk is the slice length checked for out-of-range arguments at a time.
const trigChunk = 256

// trigChunks applies kern to x chunk by chunk, or generic (which handles every argument) to a
// chunk holding an argument beyond trigLimit. Checking before computing keeps dst == x safe.
func trigChunks(dst, x []float64, kern, generic func(dst, x []float64)) {
	for len(x) > 0 {
		n := min(len(x), trigChunk)
		if trigInRange(x[:n]) {
			kern(dst[:n], x[:n])
		} else {
			generic(dst[:n], x[:n])
		}
		dst, x = dst[n:], x[n:]
	}
}

// trigInRange reports whether every finite value of x is within ±trigLimit (NaN and ±Inf are
// handled by the kernels).
func trigInRange(x []float64) bool {
	for _, v := range x {
		if a := math.Abs(v); a > trigLimit && a <= math.MaxFloat64 {
			return false
		}
	}
	return true
}

// π/2 in four parts (fdlibm's pio2_1, pio2_2, pio2_3 of 33 bits each and pio2_3t): j·pio2_k is
// exact for |j| < 2²⁰, and together they give π/2 to about 2⁻¹⁵⁰.
const (
	pio2_1  = 1.57079632673412561417e+00
	pio2_2  = 6.07710050630396597660e-11
	pio2_3  = 2.02226624871116645580e-21
	pio2_3t = 8.47842766036889956997e-32
	twoOvPi = 6.36619772367581382433e-01
)

// sinPoly holds (-1)ᵏ/(2k+1)! for k = 1..8: sin r = r + r·z·Σ sinPoly[k-1]·zᵏ⁻¹, z = r², with
// truncation below 2⁻⁶⁰ relative for |r| ≤ π/4. cosPoly holds (-1)ᵏ/(2k)! for k = 2..9:
// cos r = 1 - z/2 + z²·Σ cosPoly[k-2]·zᵏ⁻².
var (
	sinPoly = [8]float64{-1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800, 1.0 / 6227020800,
		-1.0 / 1307674368000, 1.0 / 355687428096000}
	cosPoly = [8]float64{1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600, -1.0 / 87178291200,
		1.0 / 20922789888000, -1.0 / 6402373705728000}
)

// sincosScalar returns sin v and cos v. For |v| ≤ trigLimit: j = round(v·2/π) and
// r + rLo = v - j·π/2 (Cody–Waite with four parts, the rounding errors of the last two steps
// kept in rLo by two-sums); sin and cos of r + rLo by sinPoly and cosPoly to first order in rLo
// (cos as fdlibm, with the rounding of 1 - z/2 recovered); the quadrant j mod 4 selects and
// signs them. Beyond trigLimit, math.Sincos.
func sincosScalar(v float64) (sin, cos float64) {
	if math.Abs(v) > trigLimit {
		return math.Sincos(v)
	}
	j := math.RoundToEven(v * twoOvPi)
	t, p2 := v-j*pio2_1, j*pio2_2 // exact for |j| < 2²⁰
	a, aErr := twoSum(t, -p2)
	w := j*pio2_3 + j*pio2_3t
	r := a - w
	rLo := aErr + ((a - r) - w)
	z := r * r
	s := sinPoly[7]
	c := cosPoly[7]
	for k := 6; k >= 0; k-- {
		s = s*z + sinPoly[k]
		c = c*z + cosPoly[k]
	}
	hz := 0.5 * z
	sr := r + (r*z*s + rLo*(1-hz))
	if v == 0 {
		sr = v // keeps -0
	}
	w = 1 - hz
	cr := w + (((1 - w) - hz) + (z*z*c - r*rLo))
	q := int64(j) & 3
	if q&1 != 0 {
		sr, cr = cr, -sr
	}
	if q&2 != 0 {
		sr, cr = -sr, -cr
	}
	return sr, cr
}

// sinGeneric, cosGeneric and sincosGeneric are the pure-Go twins of the assembly kernels
// (sincosScalar).
func sinGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 { s, _ := sincosScalar(v); return s })
}

func cosGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 { _, c := sincosScalar(v); return c })
}

func sincosGeneric(sin, cos, x []float64) {
	sin, cos = sin[:len(x)], cos[:len(x)]
	for i, v := range x {
		sin[i], cos[i] = sincosScalar(v)
	}
}
