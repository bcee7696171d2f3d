package coverage

import (
	"cmp"
	"math"
	"slices"
)

// hpd orders the cells of a scan by density, for highest-density regions: the probability of
// the points denser than a given density, and the volume of the densest cells holding a given
// probability.
//
// A cell is not counted as wholly inside or outside a region: within a cell the log-density is
// modelled as its centre value plus a term spread uniformly over [-Δ/2, Δ/2] (Δ: the cell's
// spread, its log-density gradient times its size), so that cells crossed by a region's boundary
// contribute the probability of their denser part. This removes the error of one boundary cell
// that an in-or-out count makes.
type hpd struct {
	logp   []float64 // cell log-densities, descending
	spread []float64 // the cells' spreads Δ
	mass   []float64 // normalized probability of the cells 0..i
	vol    []float64 // volume of the cells 0..i
	// maxSpread is the largest Δ: only cells within maxSpread/2 of a density can straddle it.
	maxSpread float64
}

// newHPD orders cells with log-densities logp, volumes vol and spreads spread (cells with a
// non-finite log-density carry no probability).
func newHPD(logp, vol, spread []float64) hpd {
	type cell struct{ lp, v, d float64 }
	cells := make([]cell, len(logp))
	lmax := math.Inf(-1)
	h := hpd{logp: make([]float64, len(cells)), spread: make([]float64, len(cells)), mass: make([]float64, len(cells)), vol: make([]float64, len(cells))}
	for i, lp := range logp {
		if math.IsNaN(lp) {
			lp = math.Inf(-1)
		}
		d := spread[i]
		if !(d >= 0) || math.IsInf(d, 1) {
			d = 0
		}
		cells[i] = cell{lp, vol[i], d}
		lmax = max(lmax, lp)
		h.maxSpread = max(h.maxSpread, d)
	}
	slices.SortFunc(cells, func(a, b cell) int { return cmp.Compare(b.lp, a.lp) })
	var m, v float64
	for i, c := range cells {
		if !math.IsInf(lmax, -1) {
			m += math.Exp(c.lp-lmax) * c.v
		}
		v += c.v
		h.logp[i], h.spread[i], h.mass[i], h.vol[i] = c.lp, c.d, m, v
	}
	if m > 0 {
		for i := range h.mass {
			h.mass[i] /= m
		}
	}
	return h
}

// above counts the cells whose log-density exceeds l.
func (h hpd) above(l float64) int {
	k, _ := slices.BinarySearchFunc(h.logp, l, func(e, t float64) int { return cmp.Compare(t, e) })
	return k
}

// coverage is the probability of the points with a log-density above logp (NaN for NaN).
func (h hpd) coverage(logp float64) float64 {
	if math.IsNaN(logp) || len(h.logp) == 0 {
		return math.NaN()
	}
	// cells [0, lo) are wholly denser; cells [lo, hi) may straddle logp
	lo, hi := h.above(logp+h.maxSpread/2), h.above(logp-h.maxSpread/2)
	c := 0.0
	if lo > 0 {
		c = h.mass[lo-1]
	}
	for i := lo; i < hi; i++ {
		m := h.mass[i]
		if i > 0 {
			m -= h.mass[i-1]
		}
		c += m * fractionAbove(h.logp[i]-logp, h.spread[i])
	}
	return min(c, 1)
}

// fractionAbove is the probability share of a cell whose log-density is its centre value plus u,
// u uniform in [-Δ/2, Δ/2], in the part where the log-density exceeds the centre value minus d.
func fractionAbove(d, spread float64) float64 {
	t, half := -d, spread/2 // the part u > t
	switch {
	case t <= -half:
		return 1
	case t >= half:
		return 0
	}
	// ∫_t^{Δ/2} e^u du / ∫_{-Δ/2}^{Δ/2} e^u du
	return math.Expm1(half-t) * math.Exp(t+half) / math.Expm1(spread)
}

// volume is the volume of the smallest set of densest cells holding probability level.
func (h hpd) volume(level float64) float64 {
	k, _ := slices.BinarySearch(h.mass, level)
	return h.vol[min(k, len(h.vol)-1)]
}

// argmax is the position of the densest cell in the unsorted logp (-1 if none is finite).
func argmax(logp []float64) int {
	best, lmax := -1, math.Inf(-1)
	for i, lp := range logp {
		if lp > lmax {
			best, lmax = i, lp
		}
	}
	return best
}
