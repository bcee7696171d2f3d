package gaussianization

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/root"
	"github.com/gojammy/gojammy/simd"
)

// maxSolveIter bounds the Newton/bisection iterations of one root search.
const maxSolveIter = 100

// solveTol is the relative step size at which the root search stops (the step is still applied).
const solveTol = 2e-15

// targets sets logF[i] and logS[i] to the log CDF and log survival value F* the mixture must reach
// for ψ(F*) = z[i]: the exact inverse of each branch of ψ. A z that falls in the small gap
// jammy_flows' inverse normal leaves where the exact middle and an approximate tail meet is mapped
// to the joining CDF value. The exact middle's log Φ(−|z|) and the log1p(−F*) of the other side
// run as vector kernels (logF and logS may not alias z).
func (k invKind) targets(z, logF, logS []float64) {
	n := len(z)
	small, large := logF[:n], logS[:n]
	if k == isigmoid {
		for i, v := range z {
			large[i] = -v
		}
		simd.Softplus(large, large)
		for i, v := range z {
			logF[i], logS[i] = -large[i], -large[i]-v
		}
		return
	}
	// small is the log of the tail-side value (F for z < 0, S for z > 0).
	for i, v := range z {
		small[i] = -math.Abs(v)
	}
	simd.NormalCDF(small, small)
	simd.Log(small, small)
	for i, v := range z {
		if k != fullPade && small[i] > math.Log(padeBound) {
			continue
		}
		if k == partlyCrude {
			small[i] = crudeTail(math.Abs(v))
		} else {
			small[i] = winitzkiTail(math.Abs(v))
		}
		if k != fullPade && small[i] > math.Log(padeBound) {
			small[i] = math.Log(padeBound)
		}
	}
	for i, s := range small {
		large[i] = -math.Exp(s)
	}
	simd.Log1p(large, large)
	for i, v := range z {
		if v >= 0 || v != v {
			logF[i], logS[i] = large[i], small[i]
		}
	}
}

// winitzkiTail inverts the Winitzki form: the log of the smaller of F and 1 − F whose |ψ| is r,
// from log(4F(1 − F)) = −x²(4/π + a x²)/(1 + a x²) with x = r/√2.
func winitzkiTail(r float64) float64 {
	x2 := r * r / 2
	l := -x2 * (4/math.Pi + padeA*x2) / (1 + padeA*x2)
	// F = (1 − √(1 − e^L))/2 = e^L / (2(1 + √(1 − e^L))).
	return l - math.Ln2 - math.Log1p(math.Sqrt(-math.Expm1(l)))
}

// crudeTail inverts the crude tail √(−2(log F + log(1 − F))) − 0.4717 = r for the smaller F.
func crudeTail(r float64) float64 {
	m := -0.5 * (r + crudeShift) * (r + crudeShift)
	lf := m
	for i := 0; i < 3; i++ {
		lf = m - math.Log1p(-math.Exp(lf))
	}
	return lf
}

// solve finds y with ψ(F(y)) = z in one dimension (a prepared block from dim) and returns it with
// the mixture at the last evaluation (within the final, negligible Newton step of y).
//
// The CDF target F* is obtained from z analytically, which brackets the root: at the smallest
// (largest) of the per-kernel solutions of C_j(y) = F* every kernel CDF is ≤ F* (≥ F*), so the
// mixture is too. Newton's method then runs on logit F(y) = logit F* — nearly linear in y, exactly
// so for one kernel — falling back to bisection whenever a step leaves the shrinking bracket.
func (m mixture) solve(kind invKind, z float64, blk, scratch []float64) (float64, point) {
	scratch[0] = z
	kind.targets(scratch[0:1], scratch[1:2], scratch[2:3])
	lF, lS := scratch[1], scratch[2]
	tStar := lF - lS
	if math.IsNaN(tStar) || math.IsInf(tStar, 0) {
		return nanRoot(z, tStar)
	}
	br, y, scale := m.start(blk, lF, lS)
	var pt point
	for it := 0; it < maxSolveIter; it++ {
		pt = m.eval(y, blk, scratch)
		next, done := step(&pt, newtonLogit(&pt, scratch), y, tStar, scale, &br)
		y = next
		if done {
			return y, pt
		}
	}
	return y, m.eval(y, blk, scratch)
}

// nanRoot is the result of a root search whose target logit ts is not finite (z NaN or beyond
// the float64 range of the CDF).
func nanRoot(z, ts float64) (float64, point) {
	nan := math.NaN()
	y := ts
	if math.IsNaN(y) {
		y = z
	}
	return y, point{F: nan, S: nan, f: nan, logF: nan, logS: nan, logf: nan, hasLogs: true}
}

// start returns the bracket of the root for the target (log F*, log S*), the first iterate
// (the weighted mean of the per-kernel solutions, or the bracket's middle) and the length scale of
// the convergence test (the smallest width).
func (m mixture) start(blk []float64, lF, lS float64) (br root.Bracket, y, scale float64) {
	tStar := lF - lS
	lo, hi := math.Inf(1), math.Inf(-1)
	scale = math.Inf(1)
	for j := 0; j < m.k; j++ {
		rec := blk[j*nf : j*nf+nf]
		mu, h, w := rec[fMu], rec[fH], rec[fW]
		u := tStar
		if m.skew {
			e := kernelAt(blk, j)
			lsig := lF
			if e.sign < 0 {
				lsig = lS
			}
			lsig /= e.a
			u = e.sign * (lsig - math.Log(-math.Expm1(lsig)))
		}
		yj := mu + h*u
		if yj < lo {
			lo = yj
		}
		if yj > hi {
			hi = yj
		}
		y += w * yj
		if h < scale {
			scale = h
		}
	}
	if y < lo || y > hi {
		y = 0.5 * (lo + hi)
	}
	return root.Bracket{Lo: lo, Hi: hi}, y, scale
}

// newtonLogit is the logit of the mixture point pt for a Newton step: on the linear path computed
// with the vector log as batch.logits does, so that a root does not depend on how many points are
// solved together. scratch must hold one value.
func newtonLogit(pt *point, scratch []float64) float64 {
	if pt.hasLogs {
		return pt.logit()
	}
	scratch[0] = pt.F / pt.S
	simd.Log(scratch[:1], scratch[:1])
	return scratch[0]
}

// step is one bracketed Newton step from y, where the mixture is pt with logit F = logit,
// towards logit F = tStar; the convergence length scale is scale (see root.Bracket.Step).
func step(pt *point, logit, y, tStar, scale float64, br *root.Bracket) (next float64, done bool) {
	r := logit - tStar
	return br.Step(y, r, r*pt.slopeInv(), solveTol*(math.Abs(y)+scale))
}
