package gaussianization

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// mixture is the per-dimension logistic mixture of the g layer: K kernels per dimension with means
// μ, widths h, weights w (a softmax of the log-norms) and, with skewness, exponents a and
// orientations s (+1 for the first ⌊K/2⌋ kernels, −1 for the others).
//
// With v = s·(y − μ)/h a kernel has CDF C = σ(v)^a (s = +1) or 1 − σ(v)^a (s = −1) and density
// p = a·σ(v)^a·σ(−v)/h; without skewness a = s = 1 (C = σ(u), p = σ(u)σ(−u)/h). The mixture has
// CDF F = Σ w C, survival S = Σ w (1 − C) (accumulated separately, so that both tails keep full
// relative precision) and density f = Σ w p.
type mixture struct {
	k, d int
	skew bool
	// signs holds the kernel orientations s.
	signs []float64
}

// Fields of a prepared parameter block. A prepared block holds one part per dimension (see dim),
// and a part holds one record of nf fields per kernel: field f of kernel j is at j·nf + f. The
// first four fields are the record simd.LogisticMixture reads.
const (
	fMu = iota
	fInvH
	fW
	fWInvH
	fH
	fLogH
	fLogW
	fA
	fLogA
	fSign
	nf
)

// tiny is the smallest mixture value the linear-space sums are trusted with; below it the kernel
// terms may have lost precision to underflow and the log-space path takes over.
const tiny = 1e-280

func newMixture(k, d int, skew bool) mixture {
	m := mixture{k: k, d: d, skew: skew, signs: make([]float64, k)}
	for j := range m.signs {
		m.signs[j] = 1
		if skew && j >= k/2 {
			m.signs[j] = -1
		}
	}
	return m
}

// blockLen is the length of a prepared block (all dimensions).
func (m mixture) blockLen() int { return m.d * m.k * nf }

// prepareRows fills blks, one prepared block of blockLen() values per row, from the rows lo to
// hi of the parameter inputs p (each in jammy_flows' (K, d) row-major layout: means, log-widths,
// unnormalized log-weights (nil: equal weights) and log skew exponents (nil without skewness)).
// The exponentials and logs of all rows run through a few vector-kernel calls; work must hold
// prepareWork(hi-lo) values.
func (m mixture) prepareRows(p mixParams, lo, hi int, blks, work []float64) {
	k, d, n := m.k, m.d, hi-lo
	kd, nk, nd := k*d, (hi-lo)*k*d, (hi-lo)*d
	// eh and ea receive exp of the log-widths and log skew exponents of every kernel of every row
	// (rows of kd values in the (K, d) layout), ew the normalized weights and lw their logs; lse
	// is the log normalization of each row's weights per dimension, with the maxima mx and the
	// reciprocals inv of the sums of exp(logw − mx).
	eh, ea, ew, lw := work[:nk], work[nk:2*nk], work[2*nk:3*nk], work[3*nk:4*nk]
	lse, mx, inv := work[4*nk:4*nk+nd], work[4*nk+nd:4*nk+2*nd], work[4*nk+2*nd:4*nk+3*nd]
	if p.logw == nil {
		fill(lse, math.Log(float64(k)))
		fill(ew, 1/float64(k))
	} else {
		// Softmax over the kernels per dimension: w = exp(logw − max) / Σ exp(logw − max), and
		// lse = max + log Σ exp(logw − max).
		for r := 0; r < n; r++ {
			lwr, e := row(p.logw, lo+r), ew[r*kd:(r+1)*kd]
			for i := 0; i < d; i++ {
				m := math.Inf(-1)
				for j := 0; j < k; j++ {
					m = max(m, lwr[j*d+i])
				}
				for j := 0; j < k; j++ {
					e[j*d+i] = lwr[j*d+i] - m
				}
				mx[r*d+i] = m
			}
		}
		simd.Exp(ew, ew)
		for r := 0; r < n; r++ {
			e := ew[r*kd : (r+1)*kd]
			for i := 0; i < d; i++ {
				s := 0.0
				for j := 0; j < k; j++ {
					s += e[j*d+i]
				}
				lse[r*d+i], inv[r*d+i] = s, 1/s
				for j := 0; j < k; j++ {
					e[j*d+i] *= inv[r*d+i]
				}
			}
		}
		simd.Log(lse, lse)
		for i, m := range mx {
			lse[i] += m
		}
	}
	for r := 0; r < n; r++ {
		copy(eh[r*kd:(r+1)*kd], row(p.logh, lo+r))
		logWeights(lw[r*kd:(r+1)*kd], row(p.logw, lo+r), lse[r*d:(r+1)*d])
		if p.loga != nil {
			copy(ea[r*kd:(r+1)*kd], row(p.loga, lo+r))
		}
	}
	exps := work[:nk]
	if p.loga != nil {
		exps = work[:2*nk]
	}
	simd.Exp(exps, exps)
	for r := 0; r < n; r++ {
		blk, mu, logh, loga := blks[r*m.blockLen():(r+1)*m.blockLen()], row(p.mu, lo+r), row(p.logh, lo+r), row(p.loga, lo+r)
		for i := 0; i < d; i++ {
			part := m.dim(blk, i)
			for j := 0; j < k; j++ {
				src, at := j*d+i, r*kd+j*d+i
				rec := part[j*nf : (j+1)*nf]
				h, w := eh[at], ew[at]
				rec[fMu], rec[fH], rec[fInvH], rec[fLogH] = mu[src], h, 1/h, logh[src]
				rec[fW], rec[fLogW], rec[fWInvH] = w, lw[at], w/h
				rec[fA], rec[fLogA], rec[fSign] = 1, 0, m.signs[j]
				if loga != nil {
					rec[fA], rec[fLogA] = ea[at], loga[src]
				}
			}
		}
	}
}

// logWeights sets dst (the (K, d) layout) to the normalized log-weights logw − lse of one row's
// kernels, lse holding the log normalization per dimension (logw nil: equal weights, −lse).
func logWeights(dst, logw, lse []float64) {
	d := len(lse)
	for src := range dst {
		dst[src] = -lse[src%d]
		if logw != nil {
			dst[src] += logw[src]
		}
	}
}

// prepareWork is the length of prepareRows' work space for rows rows.
func (m mixture) prepareWork(rows int) int { return rows * (4*m.k*m.d + 3*m.d) }

func fill(s []float64, v float64) {
	for i := range s {
		s[i] = v
	}
}

// scratchLen is the length of the scratch space that eval and evalLog need.
func (m mixture) scratchLen() int { return max(3*m.k, 4) }

// dim returns the part of a prepared block that belongs to dimension i.
func (m mixture) dim(blk []float64, i int) []float64 {
	return blk[i*m.k*nf : (i+1)*m.k*nf]
}

// kernel holds the prepared parameters of one kernel that the log-space paths use.
type kernel struct {
	mu, invh, w, logh, logw, a, loga, sign float64
}

// kernelAt reads kernel j from a dimension's part of a prepared block.
func kernelAt(part []float64, j int) kernel {
	at := func(f int) float64 { return part[j*nf+f] }
	return kernel{mu: at(fMu), invh: at(fInvH), w: at(fW), logh: at(fLogH), logw: at(fLogW), a: at(fA),
		loga: at(fLogA), sign: at(fSign)}
}

// point holds the mixture CDF F, survival function S and density f at one point and, once
// computed (always on the log-space path), their logs.
type point struct {
	F, S, f, logF, logS, logf float64
	hasLogs                   bool
}

// linear reports whether the linear-space values are trustworthy (no underflow).
func (p *point) linear() bool { return p.F >= tiny && p.S >= tiny && p.f >= tiny }

// withLogs fills in the logs if they are missing.
func (p *point) withLogs() {
	if !p.hasLogs {
		p.logF, p.logS, p.logf, p.hasLogs = simd.LogOf(p.F), simd.LogOf(p.S), simd.LogOf(p.f), true
	}
}

// logDensity returns log f.
func (p *point) logDensity() float64 {
	if p.hasLogs {
		return p.logf
	}
	return simd.LogOf(p.f)
}

// logit returns log F − log S.
func (p *point) logit() float64 {
	if p.hasLogs {
		return p.logF - p.logS
	}
	return simd.LogOf(p.F / p.S)
}

// ratios returns f/F and f/S.
func (p *point) ratios() (float64, float64) {
	if p.linear() {
		return p.f / p.F, p.f / p.S
	}
	return math.Exp(p.logf - p.logF), math.Exp(p.logf - p.logS)
}

// slopeInv returns 1/(d logit F/dy) = F·S/f.
func (p *point) slopeInv() float64 {
	if p.linear() {
		return p.F * p.S / p.f
	}
	return math.Exp(p.logF + p.logS - p.logf)
}

// eval evaluates the mixture of one dimension (a block from dim) at y. scratch must hold scratchLen() values.
func (m mixture) eval(y float64, blk, scratch []float64) point {
	if !m.skew {
		var p point
		p.F, p.S, p.f = evalLinear(y, blk, scratch)
		if p.linear() {
			return p
		}
	}
	return m.evalLog(y, blk, scratch)
}

// maxExpArg bounds a kernel's exponent as simd.LogisticMixture does: beyond it a kernel's smaller
// tail value is below e^{−700} and cannot matter unless the whole sum is below tiny (then the
// log-space path runs).
const maxExpArg = 700

// clampExpArg limits v to [−maxExpArg, maxExpArg] (NaN passes through).
func clampExpArg(v float64) float64 { return min(max(v, -maxExpArg), maxExpArg) }

// evalLinear sums the kernels of an unskewed mixture in linear space at one point with
// simd.LogisticMixture (one exponential and no branch per kernel, full relative precision in both
// tails for |u| ≤ 700), the same computation as the batched path's. buf must hold 4 values.
func evalLinear(y float64, part, buf []float64) (F, S, f float64) {
	buf[0] = y
	simd.LogisticMixture(buf[1:2], buf[2:3], buf[3:4], buf[0:1], part, len(part)/nf, nf)
	return buf[1], buf[2], buf[3]
}

// kernelLogs returns, for one kernel at y, the logs of its CDF C, of 1 − C, of its density p and of
// P = σ(v)^a, with v = s·(y − μ)/h.
func kernelLogs(y float64, e kernel) (logC, logCbar, logp, logP, v float64) {
	v = e.sign * (y - e.mu) * e.invh
	spNeg := softplus(-v) // −log σ(v)
	logP = -e.a * spNeg
	var logQ float64
	if v > 700 {
		// 1 − σ(v)^a = a·e^{−v}(1 + O(e^{−v})) once softplus(−v) underflows.
		logQ = e.loga - v
	} else {
		logQ = math.Log(-math.Expm1(logP))
	}
	logp = e.loga + logP - (spNeg + v) - e.logh
	if e.sign > 0 {
		return logP, logQ, logp, logP, v
	}
	return logQ, logP, logp, logP, v
}

// evalLog evaluates the mixture in log space (any skewness, any distance from the kernels).
func (m mixture) evalLog(y float64, blk, scratch []float64) point {
	k := m.k
	lc, ls, lp := scratch[:k], scratch[k:2*k], scratch[2*k:3*k]
	for j := 0; j < k; j++ {
		e := kernelAt(blk, j)
		c, cb, p, _, _ := kernelLogs(y, e)
		lw := e.logw
		lc[j], ls[j], lp[j] = lw+c, lw+cb, lw+p
	}
	p := point{hasLogs: true}
	p.logF, p.logS, p.logf = ad.LogSumExpF(lc), ad.LogSumExpF(ls), ad.LogSumExpF(lp)
	p.F, p.S, p.f = math.Exp(p.logF), math.Exp(p.logS), math.Exp(p.logf)
	return p
}

// softplus is log(1 + eˣ), accurate for all x.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}
