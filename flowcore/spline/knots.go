package spline

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// plan holds the knots of every spline of one call: one knot set per (parameter row, column).
// A knot set is [X₀..X_K][Y₀..Y_K][D₀..D_K][a][c][width shares][height shares]; a and c are the
// input and output rotations of a Circular spline (zero otherwise), the shares are the softmax
// values the knots were accumulated from (kept for the gradient).
type plan struct {
	cfg           Config
	p             Params
	k, cols, rows int
	stride        int
	ell           float64
	knots         []float64
	// scratch and discard are work space of the knot gradient.
	scratch, discard []float64
	// recs holds the bin records (simd.RQRecordLen values each) of every column, k per column,
	// when all points share one parameter row; tmp holds the last record built on the fly
	// otherwise.
	recs []float64
	tmp  [simd.RQRecordLen]float64
}

// newPlan checks the shapes of points and parameters and builds all knots.
func newPlan(cfg Config, p Params, points *ad.Node) *plan {
	k, cols := cfg.Bins, points.C
	rows := 1
	check := func(name string, n *ad.Node, per int) {
		if n == nil {
			if per > 0 {
				panic(fmt.Sprintf("spline: %s node missing", name))
			}
			return
		}
		if n.C != cols*per {
			panic(fmt.Sprintf("spline: %s node has %d columns, want %d (%d columns x %d)", name, n.C, cols*per, cols, per))
		}
		if n.R != 1 {
			if n.R != points.R {
				panic(fmt.Sprintf("spline: %s node has %d rows for %d points", name, n.R, points.R))
			}
			rows = n.R
		}
	}
	check("widths", p.Widths, k)
	check("heights", p.Heights, k)
	check("derivatives", p.Derivatives, cfg.numSlopes())
	if p.Bounds != nil {
		check("bounds", p.Bounds, 4)
	} else if cfg.Mode != Circular && cfg.Box == (Box{}) {
		panic("spline: neither Config.Box nor Params.Bounds is set")
	}
	pl := &plan{cfg: cfg, p: p, k: k, cols: cols, rows: rows, stride: 5*k + 5, ell: cfg.ratioBound(),
		scratch: make([]float64, k), discard: make([]float64, k+4)}
	pl.knots = make([]float64, rows*cols*pl.stride)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			pl.build(r, c)
		}
	}
	if rows == 1 {
		pl.recs = make([]float64, cols*k*simd.RQRecordLen)
		for c := 0; c < cols; c++ {
			xs, ys, ds, _ := pl.set(0, c)
			for b := 0; b < k; b++ {
				putRecord(pl.recs[(c*k+b)*simd.RQRecordLen:], xs, ys, ds, b)
			}
		}
	}
	return pl
}

// record returns the record of bin b of spline (r, c) (valid until the next call).
func (pl *plan) record(r, c, b int) []float64 {
	if pl.recs != nil {
		o := (c*pl.k + b) * simd.RQRecordLen
		return pl.recs[o : o+simd.RQRecordLen]
	}
	xs, ys, ds, _ := pl.set(r, c)
	putRecord(pl.tmp[:], xs, ys, ds, b)
	return pl.tmp[:]
}

// raw returns the parameters of spline (r, c) in node n (per values each).
func raw(n *ad.Node, r, c, per int) []float64 {
	if n.R == 1 {
		r = 0
	}
	off := r*n.C + c*per
	return n.Val[off : off+per]
}

// set returns knot set (r, c) split into knots, heights, slopes and the rotations.
func (pl *plan) set(r, c int) (xs, ys, ds, rot []float64) {
	return split(pl.knots[(r*pl.cols+c)*pl.stride:], pl.k)
}

// split cuts a knot set (or its gradient) of k bins into knots, heights, slopes and rotations.
func split(s []float64, k int) (xs, ys, ds, rot []float64) {
	k1 := k + 1
	return s[:k1], s[k1 : 2*k1], s[2*k1 : 3*k1], s[3*k1 : 3*k1+2]
}

// shares returns the width and height shares of knot set (r, c).
func (pl *plan) shares(r, c int) (pw, ph []float64) {
	s := pl.knots[(r*pl.cols+c)*pl.stride+3*pl.k+5:]
	return s[:pl.k], s[pl.k : 2*pl.k]
}

// box returns the box of spline (r, c).
func (pl *plan) box(r, c int) Box {
	if pl.p.Bounds == nil {
		return pl.cfg.box()
	}
	b := raw(pl.p.Bounds, r, c, 4)
	return Box{b[0], b[1], b[2], b[3]}
}

// build fills knot set (r, c).
func (pl *plan) build(r, c int) {
	cfg, k := pl.cfg, pl.k
	xs, ys, ds, rot := pl.set(r, c)
	pw, ph := pl.shares(r, c)
	b := pl.box(r, c)
	pinned := !cfg.LinearTails
	pl.cumulate(xs, pw, raw(pl.p.Widths, r, c, k), b.Left, b.Right, cfg.MinWidth, pinned)
	pl.cumulate(ys, ph, raw(pl.p.Heights, r, c, k), b.Bottom, b.Top, cfg.MinHeight, pinned)
	switch cfg.Mode {
	case Free:
		for j, v := range raw(pl.p.Derivatives, r, c, k+1) {
			ds[j] = cfg.MinDerivative + ad.SoftplusF(v)
		}
	case SmoothC2:
		bd := raw(pl.p.Derivatives, r, c, 2)
		ds[0], ds[k] = cfg.MinDerivative+ad.SoftplusF(bd[0]), cfg.MinDerivative+ad.SoftplusF(bd[1])
		if k > 1 {
			d := smoothSlope(k, xs[1]-xs[0], xs[2]-xs[1], ys[1]-ys[0], ys[2]-ys[1], ds[0], ds[k])
			for j := 1; j < k; j++ {
				ds[j] = d
			}
		}
	case Circular:
		w1, w2, h1, h2 := xs[1]-xs[0], xs[2]-xs[1], ys[1]-ys[0], ys[2]-ys[1]
		d := circularSlope(w1, w2, h1, h2)
		ds[0], ds[1], ds[2] = d, d, d
		rot[0] = math.Pi - w1/2
		rot[1] = circularShift(w1, w2, h1, h2, d)
	}
}

// squash applies the optional ratio restriction u = 2ℓσ(r) − ℓ.
func squash(r, ell float64) float64 {
	if ell == 0 {
		return r
	}
	return 2*ad.SigmoidF(r)*ell - ell
}

// softmax writes the softmax of the squashed raw values into dst.
func softmax(dst, rawv []float64, ell float64) {
	m := math.Inf(-1)
	for j, r := range rawv {
		u := squash(r, ell)
		dst[j] = u
		if u > m {
			m = u
		}
	}
	sum := 0.0
	for j := range dst {
		dst[j] = math.Exp(dst[j] - m)
		sum += dst[j]
	}
	for j := range dst {
		dst[j] /= sum
	}
}

// cumulate writes the K+1 knots lo = X₀ < … < X_K = hi from K raw sizes: each bin gets
// minFrac + (1 − K·minFrac)·share of [lo, hi], the shares (written to p) being the softmax of the
// raw sizes. Pinned knots set X_K = hi exactly.
func (pl *plan) cumulate(knots, p, rawv []float64, lo, hi, minFrac float64, pinned bool) {
	k := len(rawv)
	softmax(p, rawv, pl.ell)
	scale := 1 - minFrac*float64(k)
	cum := 0.0
	knots[0] = lo
	for j := 0; j < k; j++ {
		cum += minFrac + scale*p[j]
		knots[j+1] = (hi-lo)*cum + lo
	}
	if pinned {
		knots[k] = hi
	}
}

// cumulateGrad adds to graw the gradient of the raw sizes given gk, the gradient with respect to the
// knots of cumulate (which produced the shares p), and returns the gradients with respect to lo and
// hi.
func (pl *plan) cumulateGrad(graw, p, rawv, gk []float64, lo, hi, minFrac float64, pinned bool) (glo, ghi float64) {
	k := len(rawv)
	gp := pl.scratch
	scale := 1 - minFrac*float64(k)
	cum := 0.0
	glo = gk[0]
	for j := 1; j <= k; j++ {
		cum += minFrac + scale*p[j-1]
		c := cum
		if pinned && j == k {
			c = 1
		}
		glo += gk[j] * (1 - c)
		ghi += gk[j] * c
	}
	last := k
	if pinned {
		last = k - 1
	}
	acc, dot := 0.0, 0.0
	for j := k - 1; j >= 0; j-- {
		if j+1 <= last {
			acc += (hi - lo) * gk[j+1]
		}
		gp[j] = scale * acc
		dot += p[j] * gp[j]
	}
	for j := range graw {
		g := p[j] * (gp[j] - dot)
		if pl.ell != 0 {
			s := ad.SigmoidF(rawv[j])
			g *= 2 * pl.ell * s * (1 - s)
		}
		graw[j] += g
	}
	return glo, ghi
}

// addBinSizes adds gradients with respect to the sizes of the first two bins to the knot gradients.
func addBinSizes(gx, gy []float64, gw1, gw2, gh1, gh2 float64) {
	gx[0] -= gw1
	gx[1] += gw1 - gw2
	gx[2] += gw2
	gy[0] -= gh1
	gy[1] += gh1 - gh2
	gy[2] += gh2
}

// backward propagates the gradient g of knot set (r, c) (same layout as a knot set) to the raw
// parameter nodes that need gradients. g is modified.
func (pl *plan) backward(r, c int, g []float64) {
	cfg, k := pl.cfg, pl.k
	xs, ys, ds, _ := pl.set(r, c)
	pw, ph := pl.shares(r, c)
	gx, gy, gd, grot := split(g, k)
	switch cfg.Mode {
	case SmoothC2:
		if k > 1 {
			gi := 0.0
			for j := 1; j < k; j++ {
				gi += gd[j]
			}
			w1, w2, h1, h2 := xs[1]-xs[0], xs[2]-xs[1], ys[1]-ys[0], ys[2]-ys[1]
			a, b, e, f, d0, dk := smoothSlopeGrad(k, w1, w2, h1, h2, ds[0], ds[k])
			addBinSizes(gx, gy, gi*a, gi*b, gi*e, gi*f)
			gd[0] += gi * d0
			gd[k] += gi * dk
		}
	case Circular:
		w1, w2, h1, h2 := xs[1]-xs[0], xs[2]-xs[1], ys[1]-ys[0], ys[2]-ys[1]
		cw1, cw2, ch1, ch2, cd := circularShiftGrad(w1, w2, h1, h2, ds[0])
		gdd := gd[0] + gd[1] + gd[2] + grot[1]*cd
		sw1, sw2, sh1, sh2 := circularSlopeGrad(w1, w2, h1, h2)
		addBinSizes(gx, gy, grot[1]*cw1+gdd*sw1-grot[0]/2, grot[1]*cw2+gdd*sw2,
			grot[1]*ch1+gdd*sh1, grot[1]*ch2+gdd*sh2)
	}
	b := pl.box(r, c)
	pinned := !cfg.LinearTails
	var gb [4]float64
	if n := pl.p.Widths; n.NeedsGrad() || pl.p.Bounds != nil {
		gb[0], gb[1] = pl.cumulateGrad(pl.gradOf(n, r, c, k), pw, raw(n, r, c, k), gx, b.Left, b.Right, cfg.MinWidth, pinned)
	}
	if n := pl.p.Heights; n.NeedsGrad() || pl.p.Bounds != nil {
		gb[2], gb[3] = pl.cumulateGrad(pl.gradOf(n, r, c, k), ph, raw(n, r, c, k), gy, b.Bottom, b.Top, cfg.MinHeight, pinned)
	}
	if n := pl.p.Derivatives; n != nil && n.NeedsGrad() {
		rd, grd := raw(n, r, c, cfg.numSlopes()), pl.gradOf(n, r, c, cfg.numSlopes())
		switch cfg.Mode {
		case Free:
			for j, v := range rd {
				grd[j] += gd[j] * ad.SigmoidF(v)
			}
		case SmoothC2:
			grd[0] += gd[0] * ad.SigmoidF(rd[0])
			grd[1] += gd[k] * ad.SigmoidF(rd[1])
		}
	}
	if n := pl.p.Bounds; n != nil && n.NeedsGrad() {
		gr := pl.gradOf(n, r, c, 4)
		for j := range gb {
			gr[j] += gb[j]
		}
	}
}

// gradOf returns the gradient slice of spline (r, c) in node n, or a zeroed throw-away slice when n
// does not need a gradient.
func (pl *plan) gradOf(n *ad.Node, r, c, per int) []float64 {
	if !n.NeedsGrad() {
		d := pl.discard[:per]
		clear(d)
		return d
	}
	if n.R == 1 {
		r = 0
	}
	off := r*n.C + c*per
	return n.Grad()[off : off+per]
}
