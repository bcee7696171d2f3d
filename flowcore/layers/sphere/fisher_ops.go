package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/geom"
)

// vmfEnter is the first step of the f layer's density direction as one custom op: from zenith
// angles θ (R x 1) and κ ((1 or R) x 1) it returns c = clamp(s·V(s cos θ, κ)) and
// log sin θ + Λ(s cos θ, κ), the log sin θ of the change from θ to cos θ included.
func vmfEnter(theta, kappa *ad.Node, sign float64) (c, logDet *ad.Node) {
	t := theta.Tape()
	rows := max(theta.R, kappa.R)
	c, logDet = t.New(rows, 1), t.New(rows, 1)
	kt := vmfKappas(kappa)
	ins := []*ad.Node{theta, kappa}
	tracks := t.Tracks(ins...)
	// keep holds sin θ and cos θ per row for the backward step.
	var keep []float64
	if tracks {
		keep = t.Floats(2 * rows)
	}
	for i := 0; i < rows; i++ {
		th, kj := theta.Val[i*theta.RowStep()], kt[i*kappa.RowStep()]
		st, ct := math.Sincos(th)
		if tracks {
			keep[2*i], keep[2*i+1] = st, ct
		}
		if th != geom.ClampTheta(th) {
			st = math.Sin(geom.ClampTheta(th))
		}
		v := sign*ct - 1
		c.Val[i] = clampCosF(sign * (1 + 2*math.Expm1(kj.k*v)/kj.d))
		logDet.Val[i] = math.Log(st) + kj.norm + kj.k*v
	}
	if !tracks {
		return c, logDet
	}
	t.Record([]*ad.Node{c, logDet}, ins, func() {
		gc, gl := c.Grad(), logDet.Grad()
		gk := kappa.Grad()
		var gth []float64
		if theta.NeedsGrad() {
			gth = theta.Grad()
		}
		for i := 0; i < rows; i++ {
			a, b := gc[i], gl[i]
			if a == 0 && b == 0 {
				continue // also keeps NaN rows out of shared gradients
			}
			ti, j := i*theta.RowStep(), i*kappa.RowStep()
			kj, st, ct := kt[j], keep[2*i], keep[2*i+1]
			v := sign*ct - 1
			ex, em := math.Exp(kj.k*v), math.Expm1(kj.k*v)
			if cv := sign * (1 + 2*em/kj.d); cv != clampCosF(cv) {
				a = 0
			}
			gk[j] += a*sign*kj.toUniformDk(v, ex, em) + b*(v+kj.dNorm)
			if gth == nil {
				continue
			}
			// dV/dw = 2κ e^{κ(w-1)}/(1-e^{-2κ}), dw/dθ = -s sin θ and s² = 1.
			g := -st * (a*2*kj.k*ex/kj.d + b*kj.k*sign)
			if th := theta.Val[ti]; th == geom.ClampTheta(th) {
				g += b * ct / st
			}
			gth[ti] += g
		}
	})
	return c, logDet
}

// vmfExit is the last step of the f layer's density direction as one custom op: from cosines c
// (R x 1) it returns θ = acos(clamp(c)) and -log sin θ.
func vmfExit(c *ad.Node) (theta, logDet *ad.Node) {
	t := c.Tape()
	theta, logDet = t.New(c.R, 1), t.New(c.R, 1)
	for i, v := range c.Val {
		v = clampCosF(v)
		theta.Val[i] = math.Acos(v)
		logDet.Val[i] = -0.5 * math.Log((1-v)*(1+v))
	}
	if !t.Tracks(c) {
		return theta, logDet
	}
	t.Record([]*ad.Node{theta, logDet}, []*ad.Node{c}, func() {
		gt, gl, gc := theta.Grad(), logDet.Grad(), c.Grad()
		for i, v := range c.Val {
			if (gt[i] == 0 && gl[i] == 0) || v != clampCosF(v) {
				continue
			}
			// dθ/dc = -1/sin θ and d(-log sin θ)/dc = c/sin²θ.
			s2 := (1 - v) * (1 + v)
			gc[i] += -gt[i]/math.Sqrt(s2) + gl[i]*v/s2
		}
	})
	return theta, logDet
}

// clampCosF keeps one cosine within cosMargin of ±1.
func clampCosF(c float64) float64 { return ad.ClampF(c, -1+cosMargin, 1-cosMargin) }
