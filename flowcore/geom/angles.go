// Package geom is the geometry of the circle S1 and the 2-sphere S2 shared by the manifolds and
// the sphere layers: the pole guard of zenith angles, polar angles, batches of 3-vectors, and the
// rotation of points of S1 and S2 in embedding space as custom ad ops with hand-written gradients.
package geom

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// ThetaMargin keeps zenith angles inside [ThetaMargin, π-ThetaMargin] wherever sin θ enters a
// log-Jacobian, so that densities stay finite at the poles (as jammy_flows).
const ThetaMargin = 1e-7

const twoPi = 2 * math.Pi

// ClampTheta clamps one zenith angle into [ThetaMargin, π-ThetaMargin].
func ClampTheta(theta float64) float64 {
	return ad.ClampF(theta, ThetaMargin, math.Pi-ThetaMargin)
}

// SafeTheta clamps zenith angles into [ThetaMargin, π-ThetaMargin] (zero gradient outside).
func SafeTheta(theta *ad.Node) *ad.Node {
	return ad.Clamp(theta, ThetaMargin, math.Pi-ThetaMargin)
}

// LogSinTheta is log sin θ elementwise, with θ kept ThetaMargin away from the poles (zero
// gradient where clamped).
func LogSinTheta(theta *ad.Node) *ad.Node {
	return ad.MapBatched(theta, logSinThetaFill, logSinThetaDerivs)
}

// logSinThetaFill sets dst[i] to log sin of the clamped src[i] (dst may be src), with the
// vector sine and log.
func logSinThetaFill(dst, src []float64) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = ClampTheta(v)
	}
	simd.Sin(dst, dst)
	simd.Log(dst, dst)
}

// logSinThetaDerivs sets dst[i] to cot θ at theta[i], 0 where θ is clamped.
func logSinThetaDerivs(dst, theta, _ []float64) {
	var cos [256]float64
	for lo := 0; lo < len(theta); lo += len(cos) {
		n := min(len(cos), len(theta)-lo)
		d, c, th := dst[lo:lo+n], cos[:n], theta[lo:lo+n]
		simd.Sincos(d, c, th)
		for i, v := range th {
			d[i] = c[i] / d[i]
			if v < ThetaMargin || v > math.Pi-ThetaMargin {
				d[i] = 0
			}
		}
	}
}

// PolarAngle is the angle of (x, y) in [0, 2π) (+0 at the origin and on the positive x axis).
func PolarAngle(x, y float64) float64 {
	phi := math.Atan2(y, x) + 0 // −0 (y = −0) → +0
	if phi < 0 {
		phi += twoPi
	}
	return phi
}

// PolarAnglesInto sets dst[i] to PolarAngle(x[i], y[i]) with the vector atan2 kernel (dst may be x
// or y).
func PolarAnglesInto(dst, x, y []float64) {
	simd.Atan2(dst, y, x)
	for i, p := range dst[:len(x)] {
		p += 0 // −0 → +0
		dst[i] = p + IfNegative(p, twoPi)
	}
}

// IfNegative returns a if p < 0 and 0 otherwise (−0 counts as 0; a NaN p with the sign bit set
// gives a), without a branch: for angles the sign is a coin flip that a branch predictor misses
// half the time.
func IfNegative(p, a float64) float64 {
	mask := uint64(int64(math.Float64bits(p+0)) >> 63)
	return math.Float64frombits(mask & math.Float64bits(a))
}

// PolarAngles returns the angles of the points (x, y) in [0, 2π) (0 at the origin, where its
// gradient is taken as 0).
func PolarAngles(x, y *ad.Node) *ad.Node {
	return ad.Binary("PolarAngles", x, y, PolarAngle, func(a, b, _ float64) float64 {
		if r2 := a*a + b*b; r2 > 0 {
			return -b / r2
		}
		return 0
	}, func(a, b, _ float64) float64 {
		if r2 := a*a + b*b; r2 > 0 {
			return a / r2
		}
		return 0
	})
}
