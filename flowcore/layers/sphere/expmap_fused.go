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
	comps := pot.w.C
	for i := 0; i < rows; i++ {
		xi, p1, p2 := pointAndBasis(emb, sc, i)
		var g, dg1, dg2 [3]float64
		for k := 0; k < comps; k++ {
			mu := [3]float64{at(pot.mu[0], i, k), at(pot.mu[1], i, k), at(pot.mu[2], i, k)}
			w := at(pot.w, i, k)
			a := w * at(psi, i, k)
			for j := range g {
				g[j] += mu[j] * a
			}
			if dpsi != nil {
				b := w * at(dpsi, i, k)
				b1, b2 := b*dot(mu, p1), b*dot(mu, p2)
				for j := range g {
					dg1[j] += mu[j] * b1
					dg2[j] += mu[j] * b2
				}
			}
		}
		gx := dot(g, xi)
		r := rowVals[keep*i : keep*(i+1)]
		for j := range g {
			r[j], r[3+j], r[6+j], r[9+j] = g[j]-xi[j]*gx, g[j], dg1[j], dg2[j]
		}
		r[12] = gx
		q[i] = dot3(r[:3])
	}
	sincValues(c, s, s1, q)
	for i := 0; i < rows; i++ {
		xi, p1, p2 := pointAndBasis(emb, sc, i)
		r := rowVals[keep*i : keep*(i+1)]
		v, g, dg1, dg2, gx := [3]float64(r[0:3]), [3]float64(r[3:6]), [3]float64(r[6:9]), [3]float64(r[9:12]), r[12]
		ci, si, s1i := c[i], s[i], s1[i]
		dir := func(p, dg [3]float64) [3]float64 {
			dgx := dot(g, p) + dot(dg, xi)
			var dv [3]float64
			for j := range dv {
				dv[j] = p[j]*-gx - xi[j]*dgx + dg[j]
			}
			dq := dot(v, dv) * 2
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
		logArea.Val[i] = dot3(cr[:])
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

// at is element (i, k) of a node broadcast to R x C (one row or one column is repeated).
func at(n *ad.Node, i, k int) float64 {
	col := k
	if n.C == 1 {
		col = 0
	}
	return n.Val[i*n.RowStep()*n.C+col]
}

// dot is a·b of two 3-vectors.
func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// dot3 is |a|² of a 3-vector held in a slice.
func dot3(a []float64) float64 { return a[0]*a[0] + a[1]*a[1] + a[2]*a[2] }
