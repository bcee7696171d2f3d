package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// vmfLeave is the last step of the f layer's sampling direction as one custom op: from cosines c
// (R x 1) and κ ((1 or R) x 1) it returns θ = acos(clamp(s·W(s·c, κ))) and -Λ(W, κ) - log sin θ,
// the log-det of the inverse vMF map and of the change from cos θ back to θ.
func vmfLeave(c, kappa *ad.Node, sign float64) (theta, logDet *ad.Node) {
	t := c.Tape()
	rows := max(c.R, kappa.R)
	theta, logDet = t.New(rows, 1), t.New(rows, 1)
	kt := vmfKappas(kappa)
	ins := []*ad.Node{c, kappa}
	tracks := t.Tracks(ins...)
	// keep holds L = κ(W-1) = log1p(-u·d/2), u = 1 - s·c, per row for the backward step.
	var keep []float64
	if tracks {
		keep = t.Floats(rows)
	}
	for i := 0; i < rows; i++ {
		kj := kt[i*kappa.RowStep()]
		u := 1 - sign*c.Val[i*c.RowStep()]
		l := math.Log1p(-u * kj.d / 2)
		if tracks {
			keep[i] = l
		}
		v := clampCosF(sign * (1 + l/kj.k))
		theta.Val[i] = math.Acos(v)
		logDet.Val[i] = -kj.norm - l - 0.5*math.Log((1-v)*(1+v))
	}
	if !tracks {
		return theta, logDet
	}
	t.Record([]*ad.Node{theta, logDet}, ins, func() {
		gt, gl := theta.Grad(), logDet.Grad()
		gc, gk := c.OptGrad(), kappa.OptGrad()
		for i := 0; i < rows; i++ {
			a, b := gt[i], gl[i]
			if a == 0 && b == 0 {
				continue // also keeps NaN rows out of shared gradients
			}
			ci, j := i*c.RowStep(), i*kappa.RowStep()
			kj, l := kt[j], keep[i]
			u := 1 - sign*c.Val[ci]
			// Through θ = acos(v) and -log sin θ to v = s·W (zero where v is clamped).
			gw := 0.0
			if v := sign * (1 + l/kj.k); v == clampCosF(v) {
				s2 := (1 - v) * (1 + v)
				gw = sign * (-a/math.Sqrt(s2) + b*v/s2)
			}
			dk, du := kj.leaveGrad(u, gw, b)
			if gk != nil {
				gk[j] += dk
			}
			if gc != nil {
				gc[ci] -= sign * du
			}
		}
	})
	return theta, logDet
}

// leaveGrad returns the gradients with respect to κ and u = 1 - s·c of the inverse vMF map, given
// the gradient gw of its value W and gd of its log-det term -Λ(W) = -norm - L, L = κ(W-1) =
// log1p(-u·d/2): ∂L/∂u = -(d/2)/(1-u·d/2) and ∂L/∂κ = -u·e^{-2κ}/(1-u·d/2).
func (c vmfKappa) leaveGrad(u, gw, gd float64) (gk, gu float64) {
	den := 1 - u*c.d/2
	gk = gw*uniformToVmfDk(u, c.k) + gd*(u*c.e2/den-c.dNorm)
	gu = (gd - gw/c.k) * c.d / 2 / den
	return gk, gu
}
