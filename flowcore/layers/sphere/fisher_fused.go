package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/simd"
)

// rotateVMF is the whole density direction of an f layer without sub-flows or extra rotation,
// as one custom op: the rotation of the points x = (θ, φ) by the matrices mat (as geom.RotateS2),
// then the vMF map of the rotated cos θ' (as vmfEnter and vmfExit). The log sin θ' terms of the
// two steps cancel and are left out.
func rotateVMF(x, mat, kappa *ad.Node, sign float64) (y, logDet *ad.Node) {
	t := x.Tape()
	rows := max(x.R, mat.R, kappa.R)
	y, logDet = t.NewRaw(rows, 2), t.NewRaw(rows, 1)
	kt := vmfKappas(kappa)
	// keep holds geom.RotateRow's values and, in the last slot (θ' in geom.RotateS2), expm1(κ(w-1)) per
	// row for the backward step; without it one row's scratch is reused.
	const n, emSlot = geom.RotateKeep, geom.RotateKeep - 1
	ins := []*ad.Node{x, mat, kappa}
	tracks := t.Tracks(ins...)
	var keep []float64
	var scratch [n]float64
	if tracks {
		keep = t.Floats(n * rows)
	}
	// Per row the rotation; then vector kernels over all rows for expm1(κ(w-1)), acos of the new
	// cos θ, the polar angle of the rotated vector and the log term.
	sc := geom.NewSinCos(x)
	buf := t.FloatsRaw(6 * rows)
	kv, em, cs, px, py, lg := buf[:rows], buf[rows:2*rows], buf[2*rows:3*rows], buf[3*rows:4*rows], buf[4*rows:5*rows], buf[5*rows:]
	for i := 0; i < rows; i++ {
		k := scratch[:]
		if tracks {
			k = keep[n*i : n*(i+1)]
		}
		lg[i] = geom.RotateRow(x, mat, sc, i, k) // sin θ of the input
		kv[i] = kt[i*kappa.RowStep()].k * (sign*clampedCos(k) - 1)
		px[i], py[i] = k[4], k[5]
	}
	simd.Expm1(em, kv)
	for i := range em {
		c := clampCosF(sign * (1 + 2*em[i]/kt[i*kappa.RowStep()].d))
		// log sin θ - log sin θ'' = ½ log(sin²θ / (1-c²)).
		cs[i], lg[i] = c, lg[i]*lg[i]/((1-c)*(1+c))
		if tracks {
			keep[n*i+emSlot] = em[i]
		}
	}
	simd.Acos(cs, cs)
	simd.Log(lg, lg)
	geom.PolarAnglesInto(px, px, py)
	for i := range cs {
		y.Val[2*i], y.Val[2*i+1] = cs[i], px[i]
		logDet.Val[i] = 0.5*lg[i] + kt[i*kappa.RowStep()].norm + kv[i]
	}
	if !tracks {
		return y, logDet
	}
	t.Record([]*ad.Node{y, logDet}, ins, func() {
		gy, gl := y.Grad(), logDet.Grad()
		gx, gm, gk := x.OptGrad(), mat.OptGrad(), kappa.OptGrad()
		for i := 0; i < rows; i++ {
			gt, gp, gd := gy[2*i], gy[2*i+1], gl[i]
			if gt == 0 && gp == 0 && gd == 0 {
				continue // also keeps NaN rows out of shared gradients
			}
			k, j := keep[n*i:n*(i+1)], i*kappa.RowStep()
			kj, em := kt[j], k[emSlot]
			v := sign*clampedCos(k) - 1
			// Through θ'' = acos(c) and -log sin θ'' to c (zero where c is clamped).
			gc := 0.0
			if cv := sign * (1 + 2*em/kj.d); cv == clampCosF(cv) {
				s2 := (1 - cv) * (1 + cv)
				gc = -gt/math.Sqrt(s2) + gd*cv/s2
			}
			ex := math.Exp(kj.k * v)
			if gk != nil {
				gk[j] += gc*sign*kj.toUniformDk(v, ex, em) + gd*(v+kj.dNorm)
			}
			// Through w = s cos θ' to the rotated vector e' (cos θ' = z'/‖e'‖ where not clamped).
			gw := gc*sign*2*kj.k*ex/kj.d + gd*kj.k
			var ge [3]float64
			ex3, ey3, ez3 := k[4], k[5], k[6]
			if cos := ez3 / math.Sqrt(ex3*ex3+ey3*ey3+ez3*ez3); cos == clampedCos(k) {
				r2 := ex3*ex3 + ey3*ey3 + ez3*ez3
				a := gw * sign / (r2 * math.Sqrt(r2))
				ge = [3]float64{-a * ez3 * ex3, -a * ez3 * ey3, a * (ex3*ex3 + ey3*ey3)}
			}
			if rho2 := ex3*ex3 + ey3*ey3; rho2 > 0 {
				ge[0] -= gp * ey3 / rho2
				ge[1] += gp * ex3 / rho2
			}
			geom.PullRotation(x, mat, i, k, ge, gd, gx, gm)
		}
	})
	return y, logDet
}

// cosMaxTheta is cos(geom.ThetaMargin), the largest |cos θ| of a clamped zenith angle.
var cosMaxTheta = math.Cos(geom.ThetaMargin)

// clampedCos is cos θ' = z'/‖e'‖ of a rotated point with kept values k, with θ' clamped as
// geom.ClampTheta (that is, cos θ' clamped to ±cos(ThetaMargin)).
func clampedCos(k []float64) float64 {
	c := k[6] / math.Sqrt(k[4]*k[4]+k[5]*k[5]+k[6]*k[6])
	return ad.ClampF(c, -cosMaxTheta, cosMaxTheta)
}
