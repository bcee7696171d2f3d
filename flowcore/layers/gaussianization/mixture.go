package gaussianization

import "math"

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

// Fields of one kernel in a prepared parameter block. A prepared block holds, for every dimension
// i and kernel j, nf values at ((i·K + j)·nf).
const (
	fMu = iota
	fH
	fInvH
	fLogH
	fW
	fLogW
	fWInvH
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

// prepare fills blk from one row of each parameter input, all in jammy_flows' (K, d) row-major
// layout: means, log-widths, unnormalized log-weights (nil: equal weights) and log skew exponents
// (nil without skewness).
func (m mixture) prepare(mu, logh, logw, loga, blk []float64) {
	k, d := m.k, m.d
	for i := 0; i < d; i++ {
		lse := math.Log(float64(k))
		if logw != nil {
			mx := math.Inf(-1)
			for j := 0; j < k; j++ {
				mx = math.Max(mx, logw[j*d+i])
			}
			s := 0.0
			for j := 0; j < k; j++ {
				s += math.Exp(logw[j*d+i] - mx)
			}
			lse = mx + math.Log(s)
		}
		for j := 0; j < k; j++ {
			e := blk[(i*k+j)*nf : (i*k+j+1)*nf]
			src := j*d + i
			lw := -lse
			if logw != nil {
				lw += logw[src]
			}
			e[fMu], e[fLogH], e[fLogW] = mu[src], logh[src], lw
			e[fH] = math.Exp(logh[src])
			e[fInvH] = 1 / e[fH]
			e[fW] = math.Exp(lw)
			e[fWInvH] = e[fW] * e[fInvH]
			e[fA], e[fLogA], e[fSign] = 1, 0, m.signs[j]
			if loga != nil {
				e[fLogA] = loga[src]
				e[fA] = math.Exp(loga[src])
			}
		}
	}
}

// dim returns the part of a prepared block that belongs to dimension i.
func (m mixture) dim(blk []float64, i int) []float64 {
	return blk[i*m.k*nf : (i+1)*m.k*nf]
}

// point holds the mixture CDF, survival function and density at one point, with their logs.
type point struct {
	F, S, f, logF, logS, logf float64
}

// linear reports whether the linear-space values are trustworthy (no underflow).
func (p *point) linear() bool { return p.F >= tiny && p.S >= tiny && p.f >= tiny }

// ratios returns f/F and f/S.
func (p *point) ratios() (float64, float64) {
	if p.linear() {
		return p.f / p.F, p.f / p.S
	}
	return math.Exp(p.logf - p.logF), math.Exp(p.logf - p.logS)
}

// eval evaluates the mixture of one dimension (a block from dim) at y. scratch must hold 3K values.
func (m mixture) eval(y float64, blk, scratch []float64) point {
	if !m.skew {
		var p point
		p.F, p.S, p.f = evalLinear(y, blk)
		if p.linear() {
			p.logF, p.logS, p.logf = math.Log(p.F), math.Log(p.S), math.Log(p.f)
			return p
		}
	}
	return m.evalLog(y, blk, scratch)
}

// evalLinear sums the kernels of an unskewed mixture in linear space with one exponential per
// kernel: for e = exp(−|u|), σ(|u|) = 1/(1+e), σ(−|u|) = e/(1+e) and σ(u)σ(−u) = e/(1+e)².
func evalLinear(y float64, blk []float64) (F, S, f float64) {
	for o := 0; o+nf <= len(blk); o += nf {
		e := blk[o : o+nf : o+nf]
		u := (y - e[fMu]) * e[fInvH]
		ex := math.Exp(-math.Abs(u))
		q := 1 / (1 + ex)
		small := ex * q
		w := e[fW]
		if u >= 0 {
			F += w * q
			S += w * small
		} else {
			F += w * small
			S += w * q
		}
		f += e[fWInvH] * small * q
	}
	return F, S, f
}

// kernelLogs returns, for one kernel at y, the logs of its CDF C, of 1 − C, of its density p and of
// P = σ(v)^a, with v = s·(y − μ)/h.
func kernelLogs(y float64, e []float64) (logC, logCbar, logp, logP, v float64) {
	v = e[fSign] * (y - e[fMu]) * e[fInvH]
	spNeg := softplus(-v) // −log σ(v)
	logP = -e[fA] * spNeg
	var logQ float64
	if v > 700 {
		// 1 − σ(v)^a = a·e^{−v}(1 + O(e^{−v})) once softplus(−v) underflows.
		logQ = e[fLogA] - v
	} else {
		logQ = math.Log(-math.Expm1(logP))
	}
	logp = e[fLogA] + logP - (spNeg + v) - e[fLogH]
	if e[fSign] > 0 {
		return logP, logQ, logp, logP, v
	}
	return logQ, logP, logp, logP, v
}

// evalLog evaluates the mixture in log space (any skewness, any distance from the kernels).
func (m mixture) evalLog(y float64, blk, scratch []float64) point {
	k := m.k
	lc, ls, lp := scratch[:k], scratch[k:2*k], scratch[2*k:3*k]
	for j := 0; j < k; j++ {
		e := blk[j*nf : (j+1)*nf]
		c, cb, p, _, _ := kernelLogs(y, e)
		lw := e[fLogW]
		lc[j], ls[j], lp[j] = lw+c, lw+cb, lw+p
	}
	var p point
	p.logF, p.logS, p.logf = logSumExp(lc), logSumExp(ls), logSumExp(lp)
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

// logSumExp is log Σ exp(v), computed stably.
func logSumExp(v []float64) float64 {
	mx := math.Inf(-1)
	for _, a := range v {
		if a > mx || math.IsNaN(a) {
			mx = a
		}
	}
	if math.IsInf(mx, 0) || math.IsNaN(mx) {
		return mx
	}
	s := 0.0
	for _, a := range v {
		s += math.Exp(a - mx)
	}
	return mx + math.Log(s)
}
