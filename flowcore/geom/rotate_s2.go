package geom

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// RotateKeep is the number of values kept per row of a rotation: RotateRow's sin θ, cos θ, sin φ,
// cos φ and rotated vector e', then RotateS2's θ' = atan2(ρ', z') before clamping.
const RotateKeep = 8

// RotateS2 rotates points (θ, φ) of S2 (R x 2) in embedding space by the 3x3 matrices of mat
// (1 row shared, or one per point; row-major) as one custom op: the embedding, the product and
// the way back to (θ, φ) with θ kept ThetaMargin away from the poles, as the sphere
// manifold's ToEmbedding and FromEmbedding. It also returns the log-det log sin θ - log sin θ'
// of the two coordinate changes.
func RotateS2(x, mat *ad.Node) (y, logDet *ad.Node) {
	t := x.Tape()
	rows := max(x.R, mat.R)
	y, logDet = t.New(rows, 2), t.New(rows, 1)
	keep := t.Floats(RotateKeep * rows)
	sc := NewSinCos(x)
	for i := 0; i < rows; i++ {
		k := keep[RotateKeep*i : RotateKeep*(i+1)]
		sIn := RotateRow(x, mat, sc, i, k)
		rho2 := k[4]*k[4] + k[5]*k[5]
		k[7] = math.Atan2(math.Sqrt(rho2), k[6])
		thOut := ClampTheta(k[7])
		y.Val[2*i], y.Val[2*i+1] = thOut, PolarAngle(k[4], k[5])
		// sin θ' = ρ'/‖e'‖ where θ' is not clamped.
		sOut := math.Sqrt(rho2 / (rho2 + k[6]*k[6]))
		if k[7] != thOut {
			sOut = math.Sin(thOut)
		}
		logDet.Val[i] = math.Log(sIn / sOut)
	}
	ins := []*ad.Node{x, mat}
	if t.Tracks(ins...) {
		t.Record([]*ad.Node{y, logDet}, ins, func() { rotateS2Backward(x, mat, y, logDet, keep) })
	}
	return y, logDet
}

// rotateS2Backward is the vector-Jacobian product of RotateS2.
func rotateS2Backward(x, mat, y, logDet *ad.Node, keep []float64) {
	gy, gl := y.Grad(), logDet.Grad()
	gx, gm := x.OptGrad(), mat.OptGrad()
	for i := range logDet.Val {
		gt, gp, gd := gy[2*i], gy[2*i+1], gl[i]
		if gt == 0 && gp == 0 && gd == 0 {
			continue // also keeps NaN rows out of shared gradients
		}
		k := keep[RotateKeep*i : RotateKeep*(i+1)]
		PullRotation(x, mat, i, k, RotatedGrad(k, gt, gp, gd), gd, gx, gm)
	}
}

// RotatedGrad is the gradient with respect to the rotated vector e' (kept values k) from the
// gradients gt, gp of the output (θ', φ') and gd of a -log sin θ' term (zero on the polar axis, as
// FromEmbedding).
func RotatedGrad(k []float64, gt, gp, gd float64) [3]float64 {
	ex, ey, ez := k[4], k[5], k[6]
	rho2 := ex*ex + ey*ey
	if rho2 <= 0 {
		return [3]float64{}
	}
	rho := math.Sqrt(rho2)
	if th := k[7]; th != ClampTheta(th) {
		gt = 0
	} else {
		gt -= gd * ez / rho // -d log sin θ'/dθ' = -cot θ' = -z/ρ.
	}
	r2 := rho2 + ez*ez
	a := gt * ez / (r2 * rho)
	return [3]float64{a*ex - gp*ey/rho2, a*ey + gp*ex/rho2, -gt * rho / r2}
}

// SinCos holds the sines and cosines of all values of a node, computed in one vector-kernel pass.
type SinCos struct{ Sin, Cos []float64 }

// NewSinCos returns the sines and cosines of x's values, in x's tape memory.
func NewSinCos(x *ad.Node) SinCos {
	buf := x.Tape().Floats(2 * len(x.Val))
	sc := SinCos{Sin: buf[:len(x.Val)], Cos: buf[len(x.Val):]}
	simd.Sincos(sc.Sin, sc.Cos, x.Val)
	return sc
}

// RotateRow fills the first 7 values of k for row i of a rotation of x by mat and returns sin θ of
// the input with θ clamped as ClampTheta; sc holds NewSinCos(x).
func RotateRow(x, mat *ad.Node, sc SinCos, i int, k []float64) float64 {
	xo, mo := 2*(i*x.RowStep()), 9*(i*mat.RowStep())
	th := x.Val[xo]
	k[0], k[1] = sc.Sin[xo], sc.Cos[xo]
	k[2], k[3] = sc.Sin[xo+1], sc.Cos[xo+1]
	e := [3]float64{k[0] * k[3], k[0] * k[2], k[1]}
	m := mat.Val[mo : mo+9]
	for p := 0; p < 3; p++ {
		k[4+p] = m[3*p]*e[0] + m[3*p+1]*e[1] + m[3*p+2]*e[2]
	}
	if th != ClampTheta(th) {
		return math.Sin(ClampTheta(th))
	}
	return k[0]
}

// PullRotation adds the gradients of row i of a rotation (kept values k) to the matrix (gm) and
// the input point (gx) from the gradient ge with respect to the rotated vector and the gradient
// gd of a log sin θ term of the input. gx or gm is nil if not needed.
func PullRotation(x, mat *ad.Node, i int, k []float64, ge [3]float64, gd float64, gx, gm []float64) {
	st, ct, sp, cp := k[0], k[1], k[2], k[3]
	g := PullMatrix(mat, i, [3]float64{st * cp, st * sp, ct}, ge, gm)
	if gx == nil {
		return
	}
	// Through the embedding.
	xo := 2 * (i * x.RowStep())
	gth := ct*(g[0]*cp+g[1]*sp) - g[2]*st
	if th := x.Val[xo]; th == ClampTheta(th) {
		gth += gd * ct / st
	}
	gx[xo] += gth
	gx[xo+1] += st * (g[1]*cp - g[0]*sp)
}

// PullMatrix adds ge·eᵀ to the gradient gm (if not nil) of row i of the matrices mat, for the
// rotated vector M·e with gradient ge, and returns the gradient Mᵀ·ge with respect to e.
func PullMatrix(mat *ad.Node, i int, e, ge [3]float64, gm []float64) [3]float64 {
	mo := 9 * (i * mat.RowStep())
	m := mat.Val[mo : mo+9]
	if gm != nil {
		for p := 0; p < 3; p++ {
			for q := 0; q < 3; q++ {
				gm[mo+3*p+q] += ge[p] * e[q]
			}
		}
	}
	var g [3]float64
	for q := 0; q < 3; q++ {
		g[q] = m[q]*ge[0] + m[3+q]*ge[1] + m[6+q]*ge[2]
	}
	return g
}
