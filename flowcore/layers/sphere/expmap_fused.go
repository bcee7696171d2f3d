package sphere

import (
	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/simd"
)

// mapAreaValues is mapWithDerivatives at the embedded points emb (R x 3) along the unit tangent
// vectors ∂x/∂θ and (∂x/∂φ)/sin θ, followed by the log area factor ½ log|d1 × d2|², for calls
// without gradients: one pass per row in plain arithmetic instead of tape operations on
// R x C nodes (the same sums, in the same order). psi and dpsi are the profile's values at the
// projections x·μ_k (dpsi nil for a linear potential). It returns T(x) (R x 3) and the log area.
func mapAreaValues(emb *ad.Node, sc geom.SinCos, pot potential, psi, dpsi *ad.Node) (t, logArea *ad.Node) {
	tp, rows := emb.Tape(), emb.R
	t, logArea = tp.NewRaw(rows, 3), tp.NewRaw(rows, 1)
	// Per row: v, g, the directional derivatives of g along the two tangent vectors and g·x, kept
	// between the passes (q and the sinc functions of q run as one vector pass over all rows).
	const keep = 13
	work := tp.FloatsRaw(rows * (keep + 4))
	rowVals, q := work[:rows*keep], work[rows*keep:rows*(keep+1)]
	c, s, s1 := work[rows*(keep+1):rows*(keep+2)], work[rows*(keep+2):rows*(keep+3)], work[rows*(keep+3):]
	for i := 0; i < rows; i++ {
		xi, p1, p2 := pointAndBasis(emb, sc, i)
		g, dg1, dg2 := potentialGradient(pot, psi, dpsi, i, p1, p2)
		gx := geom.Dot3(g, xi)
		r := rowVals[keep*i : keep*(i+1)]
		for j := range g {
			r[j], r[3+j], r[6+j], r[9+j] = g[j]-xi[j]*gx, g[j], dg1[j], dg2[j]
		}
		r[12] = gx
		v := [3]float64(r[:3])
		q[i] = geom.Dot3(v, v)
	}
	sincValues(c, s, s1, q)
	for i := 0; i < rows; i++ {
		xi, p1, p2 := pointAndBasis(emb, sc, i)
		r := rowVals[keep*i : keep*(i+1)]
		v, g, dg1, dg2, gx := [3]float64(r[0:3]), [3]float64(r[3:6]), [3]float64(r[6:9]), [3]float64(r[9:12]), r[12]
		ci, si, s1i := c[i], s[i], s1[i]
		dir := func(p, dg [3]float64) [3]float64 {
			dgx := geom.Dot3(g, p) + geom.Dot3(dg, xi)
			var dv [3]float64
			for j := range dv {
				dv[j] = p[j]*-gx - xi[j]*dgx + dg[j]
			}
			dq := geom.Dot3(v, dv) * 2
			var d [3]float64
			for j := range d {
				d[j] = p[j]*ci + xi[j]*(si*-0.5*dq) + dv[j]*si + v[j]*(s1i*dq)
			}
			return d
		}
		d1, d2 := dir(p1, dg1), dir(p2, dg2)
		for j := 0; j < 3; j++ {
			t.Val[3*i+j] = xi[j]*ci + v[j]*si
		}
		cr := [3]float64{d1[1]*d2[2] - d1[2]*d2[1], d1[2]*d2[0] - d1[0]*d2[2], d1[0]*d2[1] - d1[1]*d2[0]}
		logArea.Val[i] = geom.Dot3(cr, cr)
	}
	simd.Log(logArea.Val, logArea.Val)
	for i := range logArea.Val {
		logArea.Val[i] *= 0.5
	}
	return t, logArea
}

// pointAndBasis returns the embedded point of row i and its unit tangent vectors ∂x/∂θ =
// (cos θ cos φ, cos θ sin φ, −sin θ) and (−sin φ, cos φ, 0), as thetaBasis and phiBasis.
func pointAndBasis(emb *ad.Node, sc geom.SinCos, i int) (xi, p1, p2 [3]float64) {
	st, ct, sp, cp := sc.Sin[2*i], sc.Cos[2*i], sc.Sin[2*i+1], sc.Cos[2*i+1]
	return [3]float64(emb.Val[3*i : 3*i+3]), [3]float64{ct * cp, ct * sp, -st}, [3]float64{-sp, cp, 0}
}

// potentialGradient returns, for row i, g = Σ_k w_k ψ_k μ_k and its derivatives along the tangent
// vectors p1 and p2, Σ_k w_k ψ'_k (μ_k·p) μ_k (zero for dpsi nil), summed over the components in
// order as the tape operations do.
func potentialGradient(pot potential, psi, dpsi *ad.Node, i int, p1, p2 [3]float64) (g, dg1, dg2 [3]float64) {
	mu0, mu1, mu2, w, ps := rowOf(pot.mu[0], i), rowOf(pot.mu[1], i), rowOf(pot.mu[2], i), rowOf(pot.w, i), rowOf(psi, i)
	var g0, g1, g2, d10, d11, d12, d20, d21, d22 float64
	for k := range pot.w.C {
		m0, m1, m2, wk := mu0.at(k), mu1.at(k), mu2.at(k), w.at(k)
		a := wk * ps.at(k)
		g0 += m0 * a
		g1 += m1 * a
		g2 += m2 * a
		if dpsi == nil {
			continue
		}
		b := wk * rowOf(dpsi, i).at(k)
		b1, b2 := b*(m0*p1[0]+m1*p1[1]+m2*p1[2]), b*(m0*p2[0]+m1*p2[1]+m2*p2[2])
		d10 += m0 * b1
		d11 += m1 * b1
		d12 += m2 * b1
		d20 += m0 * b2
		d21 += m1 * b2
		d22 += m2 * b2
	}
	return [3]float64{g0, g1, g2}, [3]float64{d10, d11, d12}, [3]float64{d20, d21, d22}
}

// rowView is row i of a node broadcast to R x C: its values and the step between columns (0
// when one column is repeated).
type rowView struct {
	vals []float64
	step int
}

// rowOf returns the view of row i of n (its only row if n has one).
func rowOf(n *ad.Node, i int) rowView {
	r := i * n.RowStep()
	v := rowView{vals: n.Val[r*n.C : (r+1)*n.C], step: 1}
	if n.C == 1 {
		v.step = 0
	}
	return v
}

// at is the value of column k.
func (v rowView) at(k int) float64 { return v.vals[k*v.step] }
