package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/simd"
)

// vmfRotate is the whole sampling direction of an f layer without sub-flows or extra rotation,
// as one custom op: the inverse vMF map of the points z = (θ, φ) (as vmfLeave on cos θ, with the
// log sin θ of the change to cos θ), then the rotation by the matrices mat (as geom.RotateS2). The
// log sin θ” terms of the two steps cancel and are left out, and the embedding of θ” is built
// from its cosine directly.
func vmfRotate(z, mat, kappa *ad.Node, sign float64) (y, logDet *ad.Node) {
	t := z.Tape()
	rows := max(z.R, mat.R, kappa.R)
	y, logDet = t.NewRaw(rows, 2), t.NewRaw(rows, 1)
	kt := vmfKappas(kappa)
	// keep holds, per row, the rotation's values (as geom.RotateS2, with sin θ'' and cos θ'' first),
	// then sin θ, cos θ of the input and L = κ(W-1). The transcendental functions run as vector
	// kernels over all rows between the per-row passes: sin and cos of the input, log1p for L,
	// atan2 for θ', the polar angle and the log term.
	const n = geom.RotateKeep + 3
	ins := []*ad.Node{z, mat, kappa}
	tracks := t.Tracks(ins...)
	keep := t.FloatsRaw(n * rows)
	sc := geom.NewSinCos(z)
	buf := t.FloatsRaw(5 * rows)
	ls, ra, rb, lg, phi := buf[:rows], buf[rows:2*rows], buf[2*rows:3*rows], buf[3*rows:4*rows], buf[4*rows:]
	for i := 0; i < rows; i++ {
		k, zo := keep[n*i:n*(i+1)], 2*(i*z.RowStep())
		k[8], k[9] = sc.Sin[zo], sc.Cos[zo]
		ls[i] = -(1 - sign*k[9]) * kt[i*kappa.RowStep()].d / 2
	}
	simd.Log1p(ls, ls)
	for i := 0; i < rows; i++ {
		k, kj, zo := keep[n*i:n*(i+1)], kt[i*kappa.RowStep()], 2*(i*z.RowStep())
		k[10] = ls[i]
		v := clampCosF(sign * (1 + ls[i]/kj.k))
		k[0], k[1] = math.Sqrt((1-v)*(1+v)), v
		k[2], k[3] = sc.Sin[zo+1], sc.Cos[zo+1]
		e := [3]float64{k[0] * k[3], k[0] * k[2], v}
		mo := 9 * (i * mat.RowStep())
		m := mat.Val[mo : mo+9]
		for p := 0; p < 3; p++ {
			k[4+p] = m[3*p]*e[0] + m[3*p+1]*e[1] + m[3*p+2]*e[2]
		}
		ra[i], rb[i] = math.Sqrt(k[4]*k[4]+k[5]*k[5]), k[6]
	}
	simd.Atan2(ra, ra, rb)
	for i := 0; i < rows; i++ {
		k, zo := keep[n*i:n*(i+1)], 2*(i*z.RowStep())
		k[7] = ra[i]
		thOut := geom.ClampTheta(k[7])
		rho2 := k[4]*k[4] + k[5]*k[5]
		sOut := math.Sqrt(rho2 / (rho2 + k[6]*k[6]))
		if k[7] != thOut {
			sOut = math.Sin(thOut)
		}
		st := k[8]
		if th := z.Val[zo]; th != geom.ClampTheta(th) {
			st = math.Sin(geom.ClampTheta(th))
		}
		lg[i], y.Val[2*i] = st/sOut, thOut
		ra[i], rb[i] = k[4], k[5]
	}
	simd.Log(lg, lg)
	geom.PolarAnglesInto(phi, ra, rb)
	for i := 0; i < rows; i++ {
		y.Val[2*i+1] = phi[i]
		logDet.Val[i] = lg[i] - kt[i*kappa.RowStep()].norm - ls[i]
	}
	if tracks {
		t.Record([]*ad.Node{y, logDet}, ins, func() { vmfRotateBackward(z, mat, kappa, y, logDet, kt, keep, sign) })
	}
	return y, logDet
}

// vmfRotateBackward is the vector-Jacobian product of vmfRotate.
func vmfRotateBackward(z, mat, kappa, y, logDet *ad.Node, kt []vmfKappa, keep []float64, sign float64) {
	const n = geom.RotateKeep + 3
	gy, gl := y.Grad(), logDet.Grad()
	gz, gm, gk := z.OptGrad(), mat.OptGrad(), kappa.OptGrad()
	for i := range logDet.Val {
		gt, gp, gd := gy[2*i], gy[2*i+1], gl[i]
		if gt == 0 && gp == 0 && gd == 0 {
			continue // also keeps NaN rows out of shared gradients
		}
		k, j := keep[n*i:n*(i+1)], i*kappa.RowStep()
		s, v, sp, cp := k[0], k[1], k[2], k[3]
		g := geom.PullMatrix(mat, i, [3]float64{s * cp, s * sp, v}, geom.RotatedGrad(k, gt, gp, gd), gm)
		// e = (sin θ'' cos φ, sin θ'' sin φ, v) with sin θ'' = √(1-v²) > 0 (v is clamped).
		gw := 0.0
		if vr := sign * (1 + k[10]/kt[j].k); vr == clampCosF(vr) {
			gw = sign * (g[2] - (g[0]*cp+g[1]*sp)*v/s)
		}
		st, ct := k[8], k[9]
		dk, du := kt[j].leaveGrad(1-sign*ct, gw, gd)
		if gk != nil {
			gk[j] += dk
		}
		if gz == nil {
			continue
		}
		zo := 2 * (i * z.RowStep())
		gth := du * sign * st
		if th := z.Val[zo]; th == geom.ClampTheta(th) {
			gth += gd * ct / st
		}
		gz[zo] += gth
		gz[zo+1] += s * (g[1]*cp - g[0]*sp)
	}
}
