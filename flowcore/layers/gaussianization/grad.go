package gaussianization

import "math"

// Per-kernel gradient slots in a gradient block (same kernel order as a prepared block): means,
// log-widths, normalized log-weights, log skew exponents.
const (
	gMu = iota
	gLogH
	gLogW
	gLogA
	ng
)

// kernelShares are one kernel's contributions relative to the mixture sums: rF = w p/F,
// rS = w p/S, pi = w p/f, rho = w C/F, tau = w (1 − C)/S, d = ∂log p/∂v, and with skewness
// eaF = w ∂C/∂log a / F, eaS = w ∂C/∂log a / S, pa = ∂log p/∂log a.
type kernelShares struct {
	rF, rS, pi, rho, tau, d, v, eaF, eaS, pa float64
}

// shares computes the kernel shares at y, in linear space when the mixture sums allow it.
func (m mixture) shares(y float64, e []float64, p *point) kernelShares {
	var s kernelShares
	if !m.skew && p.linear() {
		u := (y - e[fMu]) * e[fInvH]
		ex := math.Exp(-math.Abs(u))
		q := 1 / (1 + ex)
		sig, sigBar := q, ex*q
		if u < 0 {
			sig, sigBar = sigBar, sig
		}
		wp := e[fWInvH] * ex * q * q
		s.rF, s.rS, s.pi = wp/p.F, wp/p.S, wp/p.f
		s.rho, s.tau = e[fW]*sig/p.F, e[fW]*sigBar/p.S
		s.d, s.v = sigBar-sig, u
		return s
	}
	logC, logCbar, logp, logP, v := kernelLogs(y, e)
	lw := e[fLogW]
	s.rF, s.rS, s.pi = math.Exp(lw+logp-p.logF), math.Exp(lw+logp-p.logS), math.Exp(lw+logp-p.logf)
	s.rho, s.tau = math.Exp(lw+logC-p.logF), math.Exp(lw+logCbar-p.logS)
	s.d, s.v = e[fA]*sigmoid(-v)-sigmoid(v), v
	if m.skew {
		// ∂C/∂log a = s·log P·P.
		s.eaF = e[fSign] * logP * math.Exp(lw+logP-p.logF)
		s.eaS = e[fSign] * logP * math.Exp(lw+logP-p.logS)
		s.pa = 1 + logP
	}
	return s
}

// dimGrad is the vector-Jacobian product of one dimension of the mixture at y: given the
// coefficients of d(log F), d(log S) and d(log f) in the output gradient, it returns the gradient
// with respect to y and, if gblk is not nil, adds the gradients with respect to the kernel
// parameters to gblk (ng slots per kernel).
func (m mixture) dimGrad(y float64, blk []float64, p *point, cF, cS, cf float64, gblk []float64) float64 {
	fOverF, fOverS := p.ratios()
	gy := cF*fOverF - cS*fOverS
	for j := 0; j < m.k; j++ {
		e := blk[j*nf : (j+1)*nf]
		s := m.shares(y, e, p)
		dy := s.pi * s.d * e[fSign] * e[fInvH] // this kernel's part of (1/f)·∂f/∂y
		gy += cf * dy
		if gblk == nil {
			continue
		}
		g := gblk[j*ng : (j+1)*ng]
		cdf := -cF*s.rF + cS*s.rS
		g[gMu] += cdf - cf*dy
		g[gLogH] += (y-e[fMu])*cdf + cf*s.pi*(-s.d*s.v-1)
		g[gLogW] += cF*s.rho + cS*s.tau + cf*s.pi
		g[gLogA] += cF*s.eaF - cS*s.eaS + cf*s.pi*s.pa
	}
	return gy
}

// sigmoid is 1/(1 + e^{−x}), accurate for all x.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
