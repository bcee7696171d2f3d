package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// solve returns intrinsic points x (R x 2 values) with T(x) = y for the intrinsic targets y, by a
// damped Riemannian Newton iteration started at y (T moves points by at most one radian): at the
// current point the tangent step δ solves J·δ = log_{T(x)}(y) in the least-squares sense (J the
// differential of T in orthonormal tangent bases), the point moves along the geodesic exp_x(λδ),
// and λ is halved while the angular residual does not decrease. Rows stop when the residual reaches
// rounding; NaN rows stay NaN; at most max_num_newton_iter evaluations.
func (e *expMap) solve(y, own *ad.Node) []float64 {
	n := y.R
	target := make([][3]float64, n)
	for i := range target {
		target[i] = unitVector(y.Val[2*i], y.Val[2*i+1])
	}
	x := append([][3]float64(nil), target...)
	acc := append([][3]float64(nil), target...)
	step := make([][3]float64, n)
	best := make([]float64, n)
	lam := make([]float64, n)
	done := make([]bool, n)
	for i := range best {
		best[i] = math.Inf(1)
	}
	tp := ad.NewTape(false)
	for it := 0; it < e.maxIter; it++ {
		var active []int
		for i, d := range done {
			if !d {
				active = append(active, i)
			}
		}
		if len(active) == 0 {
			break
		}
		ev := e.evalAt(tp, x, active, own)
		for a, i := range active {
			res := angleBetween(ev.t[a], target[i])
			switch {
			case math.IsNaN(res):
				x[i], done[i] = [3]float64{math.NaN(), math.NaN(), math.NaN()}, true
				continue
			case res < best[i]:
				acc[i], best[i], lam[i] = x[i], res, 1
				if res <= 1e-15 {
					done[i] = true
					continue
				}
				step[i] = newtonStep(ev, a, target[i])
			case best[i] < 1e-12:
				// No further decrease at the rounding floor.
				x[i], done[i] = acc[i], true
				continue
			default:
				lam[i] /= 2
				if lam[i] < 1e-12 {
					x[i], done[i] = acc[i], true
					continue
				}
			}
			x[i] = geodesic(acc[i], step[i], lam[i])
		}
	}
	out := make([]float64, 0, 3*n)
	for i := range x {
		if !done[i] {
			x[i] = acc[i]
		}
		out = append(out, x[i][:]...)
	}
	tp.Reset()
	return append([]float64(nil), e.m.FromEmbedding(tp.Const(n, 3, out)).Val...)
}

// evaluation holds T and its derivatives along the tangent basis at a batch of points.
type evaluation struct {
	t, d1, d2, p1, p2 [][3]float64
}

// evalAt evaluates T at the points x[rows] on the value-only tape tp (reset first).
func (e *expMap) evalAt(tp *ad.Tape, x [][3]float64, rows []int, own *ad.Node) evaluation {
	tp.Reset()
	n := len(rows)
	ev := evaluation{t: make([][3]float64, n), d1: make([][3]float64, n), d2: make([][3]float64, n),
		p1: make([][3]float64, n), p2: make([][3]float64, n)}
	var pt, b1, b2 [3][]float64
	for j := 0; j < 3; j++ {
		pt[j], b1[j], b2[j] = make([]float64, n), make([]float64, n), make([]float64, n)
	}
	for a, i := range rows {
		ev.p1[a], ev.p2[a] = tangentBasis(x[i])
		for j := 0; j < 3; j++ {
			pt[j][a], b1[j][a], b2[j][a] = x[i][j], ev.p1[a][j], ev.p2[a][j]
		}
	}
	col := func(v [3][]float64) vec3 {
		return vec3{tp.Const(n, 1, v[0]), tp.Const(n, 1, v[1]), tp.Const(n, 1, v[2])}
	}
	t, d1, d2 := e.mapWithDerivatives(col(pt), col(b1), col(b2), e.coefs(gatherRows(tp, own, rows)))
	for a := 0; a < n; a++ {
		for j := 0; j < 3; j++ {
			ev.t[a][j], ev.d1[a][j], ev.d2[a][j] = t[j].Val[a], d1[j].Val[a], d2[j].Val[a]
		}
	}
	return ev
}

// newtonStep solves [d1 d2]·δ = log_T(y) (least squares) and returns the tangent step δ₁p₁+δ₂p₂.
func newtonStep(ev evaluation, a int, y [3]float64) [3]float64 {
	t, d1, d2 := ev.t[a], ev.d1[a], ev.d2[a]
	c := dot3(t, y)
	u := [3]float64{y[0] - c*t[0], y[1] - c*t[1], y[2] - c*t[2]}
	var r [3]float64
	if nu := math.Sqrt(dot3(u, u)); nu > 0 {
		f := angleBetween(t, y) / nu
		r = [3]float64{f * u[0], f * u[1], f * u[2]}
	}
	m11, m12, m22 := dot3(d1, d1), dot3(d1, d2), dot3(d2, d2)
	b1, b2 := dot3(d1, r), dot3(d2, r)
	det := m11*m22 - m12*m12
	s1, s2 := (m22*b1-m12*b2)/det, (m11*b2-m12*b1)/det
	p1, p2 := ev.p1[a], ev.p2[a]
	return [3]float64{s1*p1[0] + s2*p2[0], s1*p1[1] + s2*p2[1], s1*p1[2] + s2*p2[2]}
}

// geodesic returns exp_x(λd), renormalized.
func geodesic(x, d [3]float64, lam float64) [3]float64 {
	n := lam * math.Sqrt(dot3(d, d))
	if n == 0 {
		return x
	}
	c, s := math.Cos(n), math.Sin(n)*lam/n
	out := [3]float64{c*x[0] + s*d[0], c*x[1] + s*d[1], c*x[2] + s*d[2]}
	l := math.Sqrt(dot3(out, out))
	return [3]float64{out[0] / l, out[1] / l, out[2] / l}
}

// tangentBasis returns the unit vectors ∂/∂θ and ∂/∂φ/sin θ at the unit vector x.
func tangentBasis(x [3]float64) (p1, p2 [3]float64) {
	theta := math.Atan2(math.Hypot(x[0], x[1]), x[2])
	phi := math.Atan2(x[1], x[0])
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return [3]float64{ct * cp, ct * sp, -st}, [3]float64{-sp, cp, 0}
}

// unitVector is the embedding of (θ, φ).
func unitVector(theta, phi float64) [3]float64 {
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return [3]float64{st * cp, st * sp, ct}
}

// angleBetween is the angle between unit vectors, accurate for small angles.
func angleBetween(a, b [3]float64) float64 {
	c := [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
	return math.Atan2(math.Sqrt(dot3(c, c)), dot3(a, b))
}

func dot3(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
