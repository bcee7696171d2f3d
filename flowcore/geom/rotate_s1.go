package geom

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// RotateS1 rotates angles φ of S1 (R x 1) in embedding space by the 2x2 matrices of mat (1 row
// shared, or one per point; row-major) as one custom op: φ' is the polar angle of M·(cos φ, sin φ)
// (zero gradients at the origin, as the circle's FromEmbedding). The map preserves length, so its
// log-det is zero.
func RotateS1(x, mat *ad.Node) (y, logDet *ad.Node) {
	t := x.Tape()
	rows := max(x.R, mat.R)
	y, logDet = t.NewRaw(rows, 1), t.New(rows, 1)
	ins := []*ad.Node{x, mat}
	tracks := t.Tracks(ins...)
	if alpha, ok := rotationAngle(mat); ok && !tracks {
		// One rotation for all points and no gradient: φ' = φ + α modulo 2π, without the sines,
		// cosines and polar angles (the same angles up to rounding).
		for i := range y.Val {
			y.Val[i] = wrapAngle(x.Val[i*x.RowStep()] + alpha)
		}
		return y, logDet
	}
	if beta, ok := reflectionAngle(mat); ok && !tracks {
		// One reflection for all points and no gradient: φ' = β − φ modulo 2π.
		for i := range y.Val {
			y.Val[i] = wrapAngle(beta - x.Val[i*x.RowStep()] + twoPi)
		}
		return y, logDet
	}
	// keep holds sin φ, cos φ and the rotated vector per row (also for the backward step); the
	// sines, cosines and polar angles run as vector kernels over all rows.
	keep := t.FloatsRaw(4 * rows)
	sc := NewSinCos(x)
	buf := t.FloatsRaw(2 * rows)
	ex, ey := buf[:rows], buf[rows:]
	xStep, mStep := x.RowStep(), mat.RowStep()
	for i := 0; i < rows; i++ {
		k := keep[4*i : 4*(i+1)]
		k[0], k[1] = sc.Sin[i*xStep], sc.Cos[i*xStep]
		m := mat.Val[4*i*mStep : 4*i*mStep+4]
		k[2], k[3] = m[0]*k[1]+m[1]*k[0], m[2]*k[1]+m[3]*k[0]
		ex[i], ey[i] = k[2], k[3]
	}
	PolarAnglesInto(y.Val, ex, ey)
	if !tracks {
		return y, logDet
	}
	t.Record([]*ad.Node{y}, ins, func() {
		gy := y.Grad()
		gx, gm := x.OptGrad(), mat.OptGrad()
		for i := 0; i < rows; i++ {
			k := keep[4*i : 4*(i+1)]
			r2 := k[2]*k[2] + k[3]*k[3]
			if gy[i] == 0 || !(r2 > 0) {
				continue // also keeps NaN rows out of shared gradients
			}
			// dφ'/de' = (-y', x')/ρ'², then e' = M·e with e = (cos φ, sin φ).
			g0, g1 := -gy[i]*k[3]/r2, gy[i]*k[2]/r2
			mo := 4 * i * mStep
			if gm != nil {
				gm[mo] += g0 * k[1]
				gm[mo+1] += g0 * k[0]
				gm[mo+2] += g1 * k[1]
				gm[mo+3] += g1 * k[0]
			}
			if gx != nil {
				m := mat.Val[mo : mo+4]
				ge0, ge1 := m[0]*g0+m[2]*g1, m[1]*g0+m[3]*g1
				gx[i*xStep] += ge1*k[1] - ge0*k[0]
			}
		}
	})
	return y, logDet
}

// rotationAngle returns α if mat is one shared 2x2 rotation matrix [[cos α, −sin α], [sin α, cos α]]
// (to rounding: a matrix built from Householder reflections differs from it in the last bits),
// and false otherwise.
func rotationAngle(mat *ad.Node) (float64, bool) {
	if mat.R != 1 {
		return 0, false
	}
	m := mat.Val
	if !nearly(m[0], m[3]) || !nearly(m[1], -m[2]) || !nearly(m[0]*m[0]+m[2]*m[2], 1) {
		return 0, false
	}
	return math.Atan2(m[2], m[0]), true
}

// nearly reports whether a and b (at most about 1 in size) agree to rounding.
func nearly(a, b float64) bool { return math.Abs(a-b) <= 1e-15 }

// reflectionAngle returns β if mat is one shared 2x2 reflection [[cos β, sin β], [sin β, −cos β]]
// (to rounding), which maps the angle φ to β − φ, and false otherwise.
func reflectionAngle(mat *ad.Node) (float64, bool) {
	if mat.R != 1 {
		return 0, false
	}
	m := mat.Val
	if !nearly(m[0], -m[3]) || !nearly(m[1], m[2]) || !nearly(m[0]*m[0]+m[2]*m[2], 1) {
		return 0, false
	}
	return math.Atan2(m[2], m[0]), true
}

// wrapAngle maps an angle in [−π, 3π] to [0, 2π).
func wrapAngle(phi float64) float64 {
	switch {
	case phi >= twoPi:
		return phi - twoPi
	case phi < 0:
		return phi + twoPi
	}
	return phi
}
