package gaussianization

import (
	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"

	"fmt"
	"math"
)

// invKind is jammy_flows' inverse_function_type: the map ψ from the mixture CDF to the layer's
// output.
type invKind int

const (
	isigmoid invKind = iota
	partlyPrecise
	fullPade
	partlyCrude
)

// invNames are the option values, in invKind order.
var invNames = []string{"isigmoid", "inormal_partly_precise", "inormal_full_pade", "inormal_partly_crude"}

func parseInvKind(s string) (invKind, error) {
	for i, n := range invNames {
		if n == s {
			return invKind(i), nil
		}
	}
	return 0, fmt.Errorf("option %q = %q: must be one of %v", optInverse, s, invNames)
}

// Constants of jammy_flows' inverse normal CDF.
const (
	// padeBound: below this CDF (or survival) value the tails use an approximation.
	padeBound = 0.5e-7
	// padeA is the constant of Winitzki's erfinv approximation.
	padeA = 0.147
	// crudeShift is the offset of the crude tail approximation.
	crudeShift = 0.4717
	log4       = 2 * math.Ln2
	sqrt2Pi    = 2.5066282746310002
)

// logPadeFlat is log(2.506628), the value the full Padé form uses for log dψ/dF within 1e-5 of
// F = 1/2, where its analytic derivative is numerically unstable.
var logPadeFlat = math.Log(2.506628)

// psiOut is ψ at one point and the log-derivative log dψ/dy = G(F, S) + log f, given as
// ell + log(factor) so that the logs of several factors can be taken at once (see logSum), with
// the partial derivatives A = F ∂ψ/∂F, B = S ∂ψ/∂S, Ag = F ∂G/∂F, Bg = S ∂G/∂S.
//
// ψ and G are functions of F and S, which the layer keeps equal to 1 − F; off that line they are
// extended by whatever form is numerically best. Only derivatives along the line enter the layer's
// gradients (the weights are normalized inside the fused operation), so any extension is exact.
type psiOut struct {
	z, ell, factor, a, b, ag, bg float64
}

// psi evaluates the inverse function at a mixture point. With partials false only z, ell and
// factor are set.
func (k invKind) psi(p *point, partials bool) psiOut {
	o := psiOut{factor: 1}
	if k == isigmoid {
		// ψ = log F − log S; log ψ' = log(1/F + 1/S) + log f = log(f/(F·S)) with F + S = 1.
		o.a, o.b, o.ag, o.bg = 1, -1, -1, -1
		if !p.hasLogs {
			o.z, o.ell, o.factor, _ = k.psiLinear(p.F, p.S, p.f)
			return o
		}
		o.z, o.ell = p.logF-p.logS, p.logf-p.logF-p.logS
		return o
	}
	if k.exactMiddle(p.F, p.S) {
		return middle(p, partials)
	}
	lower := p.F <= 0.5
	p.withLogs()
	sign := 1.0
	if lower {
		sign = -1
	}
	if k == partlyCrude {
		// |ψ| = √(−2(log F + log S)) − 0.4717; jammy_flows' log dψ/dF = −½log(−2M) − M with
		// M = log F + log S (it leaves out the factor |1 − 2F| ≈ 1 of the exact derivative).
		m := p.logF + p.logS
		r := math.Sqrt(-2 * m)
		o.z = sign * (r - crudeShift)
		o.ell = -math.Log(r) - m + p.logf
		if partials {
			o.a = -sign / r
			o.b = o.a
			o.ag = 1/(r*r) - 1
			o.bg = o.ag
		}
		return o
	}
	// Winitzki: |ψ| = h(L) with L = log(4FS) = log(1 − (2F − 1)²).
	w := winitzki(p.logF + p.logS + log4)
	o.z = sign * w.h
	if k == fullPade && p.F >= 0.49999 && p.F <= 0.50001 {
		o.ell = logPadeFlat + p.logf
		if partials {
			// dψ/dF → √(2π) at F = 1/2; within 1e-5 of it the difference is O(1e-10).
			o.a = p.F * sqrt2Pi
		}
		return o
	}
	diff := p.S - p.F
	o.ell = w.lam + math.Log(math.Abs(diff)) - p.logF - p.logS + p.logf
	if partials {
		o.a = sign * w.dh
		o.b = o.a
		o.ag = w.dlam - p.F/diff - 1
		o.bg = w.dlam + p.S/diff - 1
	}
	return o
}

// exactMiddle reports whether ψ is the exact inverse normal CDF at F (and S = 1 − F).
func (k invKind) exactMiddle(F, S float64) bool {
	return k != isigmoid && k != fullPade && F > padeBound && S > padeBound
}

// middleZ is the exact inverse normal CDF ψ = Φ⁻¹(F), computed from the smaller of F and S.
func middleZ(F, S float64) float64 {
	if F <= 0.5 {
		return simd.NormalQuantileOf(F)
	}
	return -simd.NormalQuantileOf(S)
}

// middle is ψ in the exact middle of the inverse normal, with log dψ/dF = log √(2π) + ψ²/2.
func middle(p *point, partials bool) psiOut {
	o := psiOut{factor: 1}
	o.z = middleZ(p.F, p.S)
	o.ell = ad.LogSqrt2Pi + 0.5*o.z*o.z
	if p.hasLogs {
		o.ell += p.logf
	} else {
		o.factor = p.f
	}
	if partials {
		o.a, o.b, o.ag, o.bg = middlePartials(p.F, p.S, o.z)
	}
	return o
}

// middlePartials are the partials A, B, Ag, Bg (see psiOut) of the exact middle at F, S with
// ψ = z.
func middlePartials(F, S, z float64) (a, b, ag, bg float64) {
	inv := sqrt2Pi * math.Exp(0.5*z*z) // 1/φ(ψ)
	if F <= 0.5 {
		a = F * inv
		return a, 0, z * a, 0
	}
	b = -S * inv
	return 0, b, 0, z * b
}

// psiLinear is psi without partials at a point on the linear path (F, S, f, no logs) for the
// common forms, the logistic inverse and the exact middle of the inverse normal, with scalar
// results: z = ψ and log ψ' = ell + log(factor). ok is false where psi's general form is needed.
func (k invKind) psiLinear(F, S, f float64) (z, ell, factor float64, ok bool) {
	switch {
	case k == isigmoid:
		z = simd.LogOf(F / S)
	case k.exactMiddle(F, S):
		z = middleZ(F, S)
	default:
		return 0, 0, 0, false
	}
	ell, factor, ok = k.psiLinearAt(F, S, f, z)
	return z, ell, factor, ok
}

// psiLinearAt is psiLinear's log-derivative given its z (batch.psiZ computes many at once).
func (k invKind) psiLinearAt(F, S, f, z float64) (ell, factor float64, ok bool) {
	if k == isigmoid {
		// ψ = log F − log S; log ψ' = log(1/F + 1/S) + log f = log(f/(F·S)) with F + S = 1.
		return 0, f / (F * S), true
	}
	if !k.exactMiddle(F, S) {
		return 0, 0, false
	}
	return ad.LogSqrt2Pi + 0.5*z*z, f, true
}

// partialsAt returns the partials A, B, Ag, Bg of psi (see psiOut) at F, S with ψ = z for the
// forms psiLinear covers; ok is false elsewhere.
func (k invKind) partialsAt(F, S, z float64) (a, b, ag, bg float64, ok bool) {
	if k == isigmoid {
		return 1, -1, -1, -1, true
	}
	if !k.exactMiddle(F, S) {
		return 0, 0, 0, 0, false
	}
	a, b, ag, bg = middlePartials(F, S, z)
	return a, b, ag, bg, true
}

// pade holds Winitzki's approximation h(L) = √2·erfinv(√(1 − e^L)) and what its derivatives need:
// dh = h'(L), lam = log(−h'(L)) and dlam = λ'(L).
type pade struct {
	h, dh, lam, dlam float64
}

// winitzki evaluates h(L) = √(2(F₂ − F_m)) with F_m = 2/(πa) + L/2, F₂ = √(F_m² − L/a), for L ≤ 0.
func winitzki(l float64) pade {
	const c = 2 / (math.Pi * padeA)
	fm := c + l/2
	f2 := math.Sqrt(fm*fm - l/padeA)
	// F₂ − F_m is computed as jammy_flows does; near L = 0 (only reached by the full Padé form
	// close to F = 1/2) this loses relative precision, which keeps the densities equal to
	// upstream's to ~1e-12 instead of differing by up to ~1e-9 there.
	gap := f2 - fm
	if !(gap > 0) {
		gap = 0
	}
	var p pade
	p.h = math.Sqrt(2 * gap)
	num := gap + 1/padeA
	df2 := (fm - 1/padeA) / (2 * f2)
	p.dh = (df2 - 0.5) / p.h
	p.lam = math.Log(num) - math.Ln2 - math.Log(f2) - math.Log(p.h)
	p.dlam = (df2-0.5)/num - df2/f2 - p.dh/p.h
	return p
}

// logSum accumulates a sum of log-derivatives ell + log(factor), multiplying the factors and
// taking one logarithm where their product stays well inside the float64 range.
type logSum struct {
	sum, prod float64
}

func newLogSum() logSum { return logSum{prod: 1} }

// add adds one log-derivative.
func (a *logSum) add(o *psiOut) { a.addLog(o.ell, o.factor) }

// addLog adds the log-derivative ell + log(f).
func (a *logSum) addLog(ell, f float64) {
	a.sum += ell
	if f > 1e-100 && f < 1e100 {
		a.prod *= f
		if a.prod > 1e-200 && a.prod < 1e200 {
			return
		}
		f, a.prod = a.prod, 1
	}
	a.sum += simd.LogOf(f)
}

// value returns the sum.
func (a *logSum) value() float64 { return a.sum + simd.LogOf(a.prod) }
