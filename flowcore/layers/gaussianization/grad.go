package gaussianization

import (
	"math"

	"github.com/gojammy/gojammy/simd"
)

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
// rS = w p/S, pi = w p/f, rho = w C/F, tau = w (1 − C)/S, d = ∂log p/∂v, v its argument, and with
// skewness eaF = w ∂C/∂log a / F, eaS = w ∂C/∂log a / S, pa = ∂log p/∂log a.
type kernelShares struct {
	rF, rS, pi, rho, tau, d, v, eaF, eaS, pa float64
}

// linearShares are the shares of an unskewed kernel in linear space, from ex = exp(−u) and the
// reciprocals of the mixture sums.
func linearShares(ex, u, w, wInvh, invF, invS, invf float64) kernelShares {
	q := 1 / (1 + ex)
	sigBar := ex * q
	wp := wInvh * sigBar * q
	return kernelShares{rF: wp * invF, rS: wp * invS, pi: wp * invf, rho: w * q * invF,
		tau: w * sigBar * invS, d: sigBar - q, v: u}
}

// logShares are the shares of any kernel in log space.
func (m mixture) logShares(y float64, e kernel, p *point) kernelShares {
	var s kernelShares
	p.withLogs()
	logC, logCbar, logp, logP, v := kernelLogs(y, e)
	lw := e.logw
	s.rF, s.rS, s.pi = math.Exp(lw+logp-p.logF), math.Exp(lw+logp-p.logS), math.Exp(lw+logp-p.logf)
	s.rho, s.tau = math.Exp(lw+logC-p.logF), math.Exp(lw+logCbar-p.logS)
	s.d, s.v = e.a*sigmoid(-v)-sigmoid(v), v
	if m.skew {
		// ∂C/∂log a = s·log P·P.
		s.eaF = e.sign * logP * math.Exp(lw+logP-p.logF)
		s.eaS = e.sign * logP * math.Exp(lw+logP-p.logS)
		s.pa = 1 + logP
	}
	return s
}

// dimGrad is the vector-Jacobian product of one dimension of the mixture at y: given the
// coefficients of d(log F), d(log S) and d(log f) in the output gradient, it returns the gradient
// with respect to y and, if gblk is not nil, adds the gradients with respect to the kernel
// parameters to gblk (ng slots per kernel). buf must hold K values.
func (m mixture) dimGrad(y float64, blk []float64, p *point, cF, cS, cf float64, gblk, buf []float64) float64 {
	k := m.k
	fOverF, fOverS := p.ratios()
	gy := cF*fOverF - cS*fOverS
	linear := !m.skew && p.linear()
	var invF, invS, invf float64
	if linear {
		invF, invS, invf = 1/p.F, 1/p.S, 1/p.f
		for j := 0; j < k; j++ {
			rec := blk[j*nf:]
			buf[j] = clampExpArg((rec[fMu] - y) * rec[fInvH])
		}
		simd.Exp(buf[:k], buf[:k])
	}
	for j := 0; j < k; j++ {
		rec := blk[j*nf : j*nf+nf]
		mu, invh := rec[fMu], rec[fInvH]
		var s kernelShares
		sign := 1.0
		if linear {
			s = linearShares(buf[j], (y-mu)*invh, rec[fW], rec[fWInvH], invF, invS, invf)
		} else {
			e := kernelAt(blk, j)
			s, sign = m.logShares(y, e, p), e.sign
		}
		dy := s.pi * s.d * sign * invh // this kernel's part of (1/f)·∂f/∂y
		gy += cf * dy
		if gblk == nil {
			continue
		}
		g := gblk[j*ng : (j+1)*ng : (j+1)*ng]
		cdf := -cF*s.rF + cS*s.rS
		g[gMu] += cdf - cf*dy
		g[gLogH] += (y-mu)*cdf + cf*s.pi*(-s.d*s.v-1)
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
