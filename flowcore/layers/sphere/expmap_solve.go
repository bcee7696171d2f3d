package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
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
		target[i] = geom.UnitVector(y.Val[2*i], y.Val[2*i+1])
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
			res := geom.AngleBetween(ev.t[a], target[i])
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
			x[i] = geom.Geodesic(acc[i], step[i], lam[i])
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
		ev.p1[a], ev.p2[a] = geom.TangentBasis(x[i])
		for j := 0; j < 3; j++ {
			pt[j][a], b1[j][a], b2[j][a] = x[i][j], ev.p1[a][j], ev.p2[a][j]
		}
	}
	col := func(v [3][]float64) geom.Vec3 {
		return geom.Vec3{tp.Const(n, 1, v[0]), tp.Const(n, 1, v[1]), tp.Const(n, 1, v[2])}
	}
	t, d1, d2 := e.mapWithDerivatives(col(pt), col(b1), col(b2), e.coefs(ad.GatherRows(tp, own, rows)))
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
	c := geom.Dot3(t, y)
	u := [3]float64{y[0] - c*t[0], y[1] - c*t[1], y[2] - c*t[2]}
	var r [3]float64
	if nu := math.Sqrt(geom.Dot3(u, u)); nu > 0 {
		f := geom.AngleBetween(t, y) / nu
		r = [3]float64{f * u[0], f * u[1], f * u[2]}
	}
	m11, m12, m22 := geom.Dot3(d1, d1), geom.Dot3(d1, d2), geom.Dot3(d2, d2)
	b1, b2 := geom.Dot3(d1, r), geom.Dot3(d2, r)
	det := m11*m22 - m12*m12
	s1, s2 := (m22*b1-m12*b2)/det, (m11*b2-m12*b1)/det
	p1, p2 := ev.p1[a], ev.p2[a]
	return [3]float64{s1*p1[0] + s2*p2[0], s1*p1[1] + s2*p2[1], s1*p1[2] + s2*p2[2]}
}
