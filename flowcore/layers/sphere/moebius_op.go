package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// moebiusMap holds the derived coefficients α, ρ and weights w, each (rows of params) x bases.
type moebiusMap struct {
	alpha, rho, w *ad.Node
}

// moebiusPoint is one basis map at u = x-α and radius ρ (its lift L(u) comes from moebiusLifts):
// the Möbius derivative D(u) = L'(u) and the partial derivatives ∂L/∂ρ, ∂D/∂u and ∂D/∂ρ (see
// moebiusDen for the denominator, free of cancellation near u = 0).
type moebiusPoint struct{ d, dlr, ddu, ddr float64 }

// moebiusLifts sets s[q] = sin(half[q]), c[q] = cos(half[q]) and l[q] = L = 2 atan2(K s, c) for
// all q = i·nb + k (row i, basis k), with the vector kernels (l may be half). kk holds
// K = (1+ρ)/(1-ρ) per coefficient row and basis; row i uses coefficient row i mod (len(kk)/nb).
func moebiusLifts(s, c, l, half, kk []float64, nb int) {
	simd.Sincos(s, c, half)
	np := len(kk) / nb
	for i := 0; i*nb < len(l); i++ {
		kr, sr, lr := kk[i%np*nb:(i%np+1)*nb], s[i*nb:(i+1)*nb], l[i*nb:(i+1)*nb]
		for k := range lr {
			lr[k] = kr[k] * sr[k]
		}
	}
	simd.Atan2(l, l, c)
	for q := range l {
		l[q] *= 2
	}
}

// moebiusDen is 1+ρ²-2ρ cos u = (1-ρ)² + 4ρs² from s = sin(u/2).
func moebiusDen(s, r float64) float64 { return (1-r)*(1-r) + 4*r*s*s }

// moebiusHalf is the moebiusPoint from s = sin(u/2) and c = cos(u/2).
func moebiusHalf(s, c, r float64) moebiusPoint {
	den := moebiusDen(s, r)
	sinU, oneR2 := 2*s*c, 1-r*r
	d := oneR2 / den
	return moebiusPoint{
		d:   d,
		dlr: 2 * sinU / den,
		ddu: -2 * r * d * sinU / den,
		// 2ρ - 2cos u = 4s² - 2(1-ρ).
		ddr: (-2*r*den - oneR2*(4*s*s-2*(1-r))) / (den * den),
	}
}

// moebiusEval returns h(x) and h'(x) for signed angles x (R x 1) as one custom op, where
// h(x) = Σ_k w_k (L_k(x-α_k) - L_k(-π-α_k)) - π; the coefficient rows of m are shared (1 row)
// or one per row of x.
func moebiusEval(x *ad.Node, m moebiusMap) (h, dh *ad.Node) {
	t := x.Tape()
	nb, np := m.alpha.C, m.alpha.R
	rows := max(x.R, np)
	h, dh = t.New(rows, 1), t.New(rows, 1)
	// pin holds L_k(-π-α_k), ∂L/∂ρ and D there, per parameter row and basis.
	pin := t.Floats(3 * np * nb)
	pb := t.Floats(5 * np * nb)
	ps, pc, pl, kk, wd := pb[:np*nb], pb[np*nb:2*np*nb], pb[2*np*nb:3*np*nb], pb[3*np*nb:4*np*nb], pb[4*np*nb:]
	// per coefficient row and basis: K = (1+ρ)/(1-ρ) and w(1-ρ²), the numerator of w·D
	for j, r := range m.rho.Val {
		kk[j], wd[j] = (1+r)/(1-r), m.w.Val[j]*(1-r*r)
	}
	for j := range pl {
		pl[j] = (-math.Pi - m.alpha.Val[j]) / 2
	}
	moebiusLifts(ps, pc, pl, pl, kk, nb)
	for j := range pl {
		p := moebiusHalf(ps[j], pc[j], m.rho.Val[j])
		pin[3*j], pin[3*j+1], pin[3*j+2] = pl[j], p.dlr, p.d
	}
	// The sines, cosines and lifts of all rows and bases run as vector kernels: keep holds
	// s = sin(u/2), c = cos(u/2) and the lift L (rows·nb each, row-major), also for the backward
	// step.
	n := rows * nb
	keep := t.Floats(3 * n)
	ks, kc, kl := keep[:n], keep[n:2*n], keep[2*n:]
	for i := 0; i < rows; i++ {
		xi, o := x.Val[i*x.RowStep()], i%np*nb
		for k := 0; k < nb; k++ {
			kl[i*nb+k] = (xi - m.alpha.Val[o+k]) / 2
		}
	}
	moebiusLifts(ks, kc, kl, kl, kk, nb)
	for i := 0; i < rows; i++ {
		o := i % np * nb
		v, dv := -math.Pi, 0.0
		for k := 0; k < nb; k++ {
			q := i*nb + k
			v += m.w.Val[o+k] * (kl[q] - pin[3*(o+k)])
			dv += wd[o+k] / moebiusDen(ks[q], m.rho.Val[o+k])
		}
		h.Val[i], dh.Val[i] = v, dv
	}
	ins := []*ad.Node{x, m.alpha, m.rho, m.w}
	if t.Tracks(ins...) {
		t.Record([]*ad.Node{h, dh}, ins, func() { moebiusBackward(x, m, h, dh, pin, ks, kc, kl) })
	}
	return h, dh
}

// moebiusBackward is the vector-Jacobian product of moebiusEval.
// ks, kc and kl are moebiusEval's sines, cosines and lifts per row and basis.
func moebiusBackward(x *ad.Node, m moebiusMap, h, dh *ad.Node, pin, ks, kc, kl []float64) {
	nb, np := m.alpha.C, m.alpha.R
	gh, gdh := h.Grad(), dh.Grad()
	ga, gr, gw := m.alpha.Grad(), m.rho.Grad(), m.w.Grad()
	var gx []float64
	if x.NeedsGrad() {
		gx = x.Grad()
	}
	for i := range h.Val {
		a, b := gh[i], gdh[i]
		if a == 0 && b == 0 {
			continue // also keeps NaN rows out of shared gradients
		}
		o := i % np * nb
		sx := 0.0
		for k := 0; k < nb; k++ {
			j, q := o+k, i*nb+k
			w := m.w.Val[j]
			p := moebiusHalf(ks[q], kc[q], m.rho.Val[j])
			// ∂L_k(-π-α)/∂α = -D_k(-π-α).
			sx += w * (a*p.d + b*p.ddu)
			ga[j] += w * (a*(pin[3*j+2]-p.d) - b*p.ddu)
			gr[j] += w * (a*(p.dlr-pin[3*j+1]) + b*p.ddr)
			gw[j] += a*(kl[q]-pin[3*j]) + b*p.d
		}
		if gx != nil {
			gx[i*x.RowStep()] += sx
		}
	}
}
