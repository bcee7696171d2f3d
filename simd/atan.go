package simd

import "math"

// Atan sets dst[i] = atan x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. Every implementation is within 1 ulp of the correctly rounded result
// (TestVecmathAccuracy); Atan(±0) = ±0, Atan(±Inf) = ±π/2 and Atan(NaN) = NaN.
func Atan(dst, x []float64) { vecmathUse.atan(dst[:len(x)], x) }

// Atan2 sets dst[i] = atan2(y[i], x[i]), the angle of the point (x[i], y[i]) in [-π, π], for
// i < len(x), with the special values of [math.Atan2] (signed zeros, infinities, NaN); dst and
// y must be at least as long as x, and dst may be x or y itself. Every implementation is within
// 2 ulp of the correctly rounded result (TestAtan2; measured maximum 1 ulp).
func Atan2(dst, y, x []float64) { vecmathUse.atan2(dst[:len(x)], y[:len(x)], x) }

// Asin sets dst[i] = asin x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. Every implementation is within 2 ulp of the correctly rounded result
// (TestVecmathAccuracy); Asin(±0) = ±0, Asin(±1) = ±π/2, and |x| > 1 or NaN give NaN.
func Asin(dst, x []float64) { vecmathUse.asin(dst[:len(x)], x) }

// Acos sets dst[i] = acos x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. Every implementation is within 2 ulp of the correctly rounded result
// (TestVecmathAccuracy); Acos(1) = +0, Acos(-1) = π, and |x| > 1 or NaN give NaN.
func Acos(dst, x []float64) { vecmathUse.acos(dst[:len(x)], x) }

// Bounds of atanUnit's intervals on t in [0, 1] (fdlibm's s_atan.c).
const (
	atanSplit1 = 7.0 / 16
	atanSplit2 = 11.0 / 16
)

// atanRed holds, per interval k of t (columns; k = 0: t < atanSplit1, 1: t < atanSplit2, 2:
// beyond), the reduction r = (a·t - b)/(c + d·t) as rows a, b, c, d and atan(t₀) = hi + lo of
// its centre t₀ (0, ½, 1): atan t = atan(t₀) + atan r.
var atanRed = [6][4]float64{
	{1, 2, 1},
	{0, 1, 1},
	{1, 2, 1},
	{0, 1, 1},
	{0, 4.63647609000806093515e-01, 7.85398163397448278999e-01},
	{0, 2.26987774529616870924e-17, 3.06161699786838301793e-17},
}

// atanPoly holds fdlibm's coefficients of atan r = r - r·Σ atanPoly[j]·r²⁽ʲ⁺¹⁾ for |r| ≤ 7/16.
var atanPoly = [11][1]float64{
	{3.33333333333329318027e-01}, {-1.99999999998764832476e-01}, {1.42857142725034663711e-01},
	{-1.11111104054623557880e-01}, {9.09088713343650656196e-02}, {-7.69187620504482999495e-02},
	{6.66107313738753120669e-02}, {-5.83357013379057348645e-02}, {4.97687799461593236017e-02},
	{-3.65315727442169155270e-02}, {1.62858201153657823623e-02},
}

// atanQuad holds, per quadrant case q = [|y| > |x|] + 2·[x negative] (columns), the result
// |atan2| = c + (s·a + cLo) of a = atan(min/max) as rows c, cLo, s: a, π/2 - a, π - a, π/2 + a.
var atanQuad = [3][4]float64{
	{0, 1.57079632679489655800e+00, 3.14159265358979311600e+00, 1.57079632679489655800e+00},
	{0, 6.12323399573676603587e-17, 1.22464679914735317720e-16, 6.12323399573676603587e-17},
	{1, -1, -1, 1},
}

// atanUnit is atan t for t in [0, 1] (fdlibm): r by atanRed's reduction, atan r by atanPoly
// (even and odd terms in w = r⁴ as two Horner chains), and atan t = hi - ((r·S - lo) - r).
func atanUnit(t float64) float64 {
	k := 0
	if t >= atanSplit1 {
		k++
	}
	if t >= atanSplit2 {
		k++
	}
	r := math.FMA(atanRed[0][k], t, -atanRed[1][k]) / math.FMA(atanRed[3][k], t, atanRed[2][k])
	z := r * r
	w := z * z
	s1 := atanPoly[10][0]
	for j := 8; j >= 0; j -= 2 {
		s1 = math.FMA(s1, w, atanPoly[j][0])
	}
	s2 := atanPoly[9][0]
	for j := 7; j >= 1; j -= 2 {
		s2 = math.FMA(s2, w, atanPoly[j][0])
	}
	s := math.FMA(s2, w, z*s1)
	return atanRed[4][k] - (math.FMA(r, s, -atanRed[5][k]) - r)
}

// atan2Scalar is atan2(y, x): a = atan(min(|x|, |y|)/max(|x|, |y|)) (0/0 taken as 0, ∞/∞ as 1)
// placed in its octant by atanQuad, with y's sign.
func atan2Scalar(y, x float64) float64 {
	if x != x || y != y {
		return x + y
	}
	ax, ay := math.Abs(x), math.Abs(y)
	if math.IsInf(ax, 0) && math.IsInf(ay, 0) {
		ax, ay = 1, 1
	}
	q := 0
	if ay > ax {
		q++
	}
	if math.Signbit(x) {
		q += 2
	}
	t := 0.0
	if den := max(ax, ay); den != 0 {
		t = min(ax, ay) / den
	}
	a := math.FMA(atanQuad[2][q], atanUnit(t), atanQuad[1][q])
	return math.Copysign(atanQuad[0][q]+a, y)
}

// asinScalar is asin v = atan2(v, √(1 - v²)), 1 - v² fused (exact before its rounding).
func asinScalar(v float64) float64 { return atan2Scalar(v, math.Sqrt(math.FMA(-v, v, 1))) }

// acosScalar is acos v = atan2(√(1 - v²), v).
func acosScalar(v float64) float64 { return atan2Scalar(math.Sqrt(math.FMA(-v, v, 1)), v) }

// atanGeneric, atan2Generic, asinGeneric and acosGeneric are the pure-Go twins of the assembly
// kernels (atan2Scalar; atan x = atan2(x, 1)).
func atanGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 { return atan2Scalar(v, 1) })
}

func atan2Generic(dst, y, x []float64) {
	dst, y = dst[:len(x)], y[:len(x)]
	for i, v := range x {
		dst[i] = atan2Scalar(y[i], v)
	}
}

func asinGeneric(dst, x []float64) { mapScalar(dst, x, asinScalar) }

func acosGeneric(dst, x []float64) { mapScalar(dst, x, acosScalar) }
