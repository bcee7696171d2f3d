package simd

import (
	"fmt"
	"math"
)

// RQRecordLen is the length of one rational-quadratic bin record of [RQSplineForward] and
// [RQSplineInverse]: x0, x1, y0, y1, d0, d1, w, h, s, k, that is the bin's knots (x0, y0) and
// (x1, y1), its end slopes d0 and d1, w = x1 − x0, h = y1 − y0, s = h/w and k = d0 + d1 − 2s.
const RQRecordLen = 10

// Offsets of the fields in a bin record.
const (
	rqX0 = iota
	rqX1
	rqY0
	rqY1
	rqD0
	rqD1
	rqW
	rqH
	rqS
	rqK
)

// rqsplineKernels is one implementation of the rational-quadratic spline family ("rqspline"):
// the bin map in both directions at many points, each point with its own bin record.
type rqsplineKernels struct {
	forward, inverse func(out, der, in, bins []float64, at []int32)
}

// rqsplineUse is the spline implementation chosen at start-up and rqsplineLevel its level.
var rqsplineUse, rqsplineLevel = pick(active.level, func(k kernels) *rqsplineKernels { return k.rqspline })

var rqsplineGeneric = rqsplineKernels{forward: rqForwardGeneric, inverse: rqInverseGeneric}

// RQSplineForward maps the points x through rational-quadratic bins: point i lies in the bin
// whose record (see [RQRecordLen]) starts at bins[at[i]], and with ξ = (x − x0)/w,
// t = ξ(1 − ξ) it sets
//
//	y[i]   = y0 + h·(s ξ² + d0 t)/(s + k t)   (limited to [y0, y1]),
//	der[i] = s²·(d1 ξ² + 2 s t + d0 (1 − ξ)²)/(s + k t)²   (dy/dx).
//
// The points must lie in their bins (the caller handles tails and the support); a NaN point
// gives NaN. y and der must be as long as x. Every implementation computes each point the same
// way, fused multiply-adds included, so results do not depend on the implementation or on the
// other points.
func RQSplineForward(y, der, x, bins []float64, at []int32) {
	checkRQ(x, bins, at)
	rqsplineUse.forward(y[:len(x)], der[:len(x)], x, bins, at)
}

// RQSplineInverse solves the bins of [RQSplineForward] for the points y: x[i] in [x0, x1] with
// forward(x[i]) = y[i] (the root of a quadratic in ξ, taken in the form that avoids
// cancellation, ξ limited to [0, 1]), and der[i] = dy/dx of the forward map there.
func RQSplineInverse(x, der, y, bins []float64, at []int32) {
	checkRQ(y, bins, at)
	rqsplineUse.inverse(x[:len(y)], der[:len(y)], y, bins, at)
}

// checkRQ panics unless every point has a bin record inside bins.
func checkRQ(in, bins []float64, at []int32) {
	if len(at) < len(in) {
		panic(fmt.Sprintf("simd: RQSpline: %d record offsets for %d points", len(at), len(in)))
	}
	for _, o := range at[:len(in)] {
		if o < 0 || int(o)+RQRecordLen > len(bins) {
			panic(fmt.Sprintf("simd: RQSpline: record offset %d outside the %d bin values", o, len(bins)))
		}
	}
}

// clampRQ limits v to [lo, hi] as the assembly does: lo if lo > v, hi if hi < v, else v (NaN
// stays NaN).
func clampRQ(v, lo, hi float64) float64 {
	if lo > v {
		v = lo
	}
	if hi < v {
		v = hi
	}
	return v
}

// rqDeriv returns dy/dx = (s/den)²·n2 of bin r at position ξ, with den = s + k t and
// n2 = d1 ξ² + 2 s t + d0 (1 − ξ)², t = ξ(1 − ξ); it also returns t and den.
func rqDeriv(r []float64, xi float64) (der, t, den float64) {
	s, d0 := r[rqS], r[rqD0]
	om := 1 - xi
	t = xi * om
	den = math.FMA(r[rqK], t, s)
	n2 := math.FMA(r[rqD1]*xi, xi, math.FMA(s+s, t, d0*om*om))
	q := s / den
	return q * q * n2, t, den
}

// rqForwardGeneric is the pure-Go twin of the assembly forward kernels.
func rqForwardGeneric(y, der, x, bins []float64, at []int32) {
	for i, v := range x {
		r := bins[at[i] : at[i]+RQRecordLen]
		s := r[rqS]
		xi := (v - r[rqX0]) / r[rqW]
		d, t, den := rqDeriv(r, xi)
		num := math.FMA(s*xi, xi, r[rqD0]*t)
		y[i] = clampRQ(math.FMA(r[rqH], num/den, r[rqY0]), r[rqY0], r[rqY1])
		der[i] = d
	}
}

// RQInverseXiOf returns the position ξ ∈ [0, 1] at which the bin with record rec (see
// [RQRecordLen]) takes the value y: the ξ that [RQSplineInverse] uses, bit for bit. With
// dy = y − y0 it solves a ξ² + b ξ + c = 0, a = dy k + h (s − d0), b = h d0 − dy k, c = −s dy,
// as ξ = 2c/(−b − √(b² − 4ac)), the form without cancellation.
func RQInverseXiOf(rec []float64, y float64) float64 {
	s, h, k, d0 := rec[rqS], rec[rqH], rec[rqK], rec[rqD0]
	dy := y - rec[rqY0]
	qa := math.FMA(dy, k, h*(s-d0))
	qb := math.FMA(-dy, k, h*d0)
	qc := -(s * dy)
	disc := clampRQ(math.FMA(qb, qb, -((4*qa)*qc)), 0, math.Inf(1))
	return clampRQ((qc+qc)/(-qb-math.Sqrt(disc)), 0, 1)
}

// rqInverseGeneric is the pure-Go twin of the assembly inverse kernels.
func rqInverseGeneric(x, der, y, bins []float64, at []int32) {
	for i, v := range y {
		r := bins[at[i] : at[i]+RQRecordLen]
		xi := RQInverseXiOf(r, v)
		x[i] = clampRQ(math.FMA(xi, r[rqW], r[rqX0]), r[rqX0], r[rqX1])
		der[i], _, _ = rqDeriv(r, xi)
	}
}
