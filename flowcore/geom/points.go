package geom

import "math"

// Points of S2 as plain 3-vectors, for the numerical solvers of the sphere layers.

// Geodesic returns exp_x(λd), renormalized.
func Geodesic(x, d [3]float64, lam float64) [3]float64 {
	n := lam * math.Sqrt(Dot3(d, d))
	if n == 0 {
		return x
	}
	c, s := math.Cos(n), math.Sin(n)*lam/n
	out := [3]float64{c*x[0] + s*d[0], c*x[1] + s*d[1], c*x[2] + s*d[2]}
	l := math.Sqrt(Dot3(out, out))
	return [3]float64{out[0] / l, out[1] / l, out[2] / l}
}

// TangentBasis returns the unit vectors ∂/∂θ and ∂/∂φ/sin θ at the unit vector x.
func TangentBasis(x [3]float64) (p1, p2 [3]float64) {
	theta := math.Atan2(math.Hypot(x[0], x[1]), x[2])
	phi := math.Atan2(x[1], x[0])
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return [3]float64{ct * cp, ct * sp, -st}, [3]float64{-sp, cp, 0}
}

// UnitVector is the embedding of (θ, φ).
func UnitVector(theta, phi float64) [3]float64 {
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return [3]float64{st * cp, st * sp, ct}
}

// AngleBetween is the angle between unit vectors, accurate for small angles.
func AngleBetween(a, b [3]float64) float64 {
	c := [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	return math.Atan2(math.Sqrt(Dot3(c, c)), Dot3(a, b))
}

// Dot3 is the dot product of two 3-vectors.
func Dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
