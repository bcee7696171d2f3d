package gaussianization

import "github.com/gojammy/gojammy/flowcore/ad"

// rowParams hands out prepared parameter blocks row by row, preparing a shared (one-row) parameter
// set only once and per-row parameters in chunks of prepareChunk rows.
type rowParams struct {
	m      mixture
	p      mixParams
	shared bool
	// rows is the number of parameter rows; blks holds the prepared blocks of rows lo to hi (or
	// the shared one); work is prepareRows'.
	rows, lo, hi int
	blks, work   []float64
}

// prepareChunk is the number of per-row parameter rows prepared together (their blocks stay in
// the L2 cache; the vector kernels run over all of them at once).
const prepareChunk = 32

// newRowParams prepares the parameter inputs p for points rows, with work space from tape t; if
// shared is not nil it is the prepared block of constant shared parameters and p is empty. The
// result is a value: callers keep it on the stack and hand a copy to a recorded backward step.
func newRowParams(t *ad.Tape, m mixture, p mixParams, points int, shared []float64) rowParams {
	if shared != nil {
		return rowParams{m: m, shared: true, rows: 1, hi: 1, blks: shared}
	}
	rows := p.rows(m, points)
	chunk := min(rows, prepareChunk)
	buf := t.Floats(chunk*m.blockLen() + m.prepareWork(chunk))
	rp := rowParams{m: m, p: p, shared: rows == 1, rows: rows, blks: buf[:chunk*m.blockLen()], work: buf[chunk*m.blockLen():]}
	if rp.shared {
		rp.prepare(0)
	}
	return rp
}

// prepare prepares the chunk of rows that starts at row lo.
func (rp *rowParams) prepare(lo int) {
	rp.lo, rp.hi = lo, min(rp.rows, lo+prepareChunk)
	rp.m.prepareRows(rp.p, rp.lo, rp.hi, rp.blks, rp.work)
}

// at returns the prepared block of row i (valid until a row of another chunk is asked for).
func (rp *rowParams) at(i int) []float64 {
	if rp.shared {
		return rp.blks
	}
	if i < rp.lo || i >= rp.hi {
		rp.prepare(i)
	}
	n := rp.m.blockLen()
	return rp.blks[(i-rp.lo)*n : (i-rp.lo+1)*n]
}

// paramsNeedGrad reports whether any parameter input needs a gradient.
func (rp *rowParams) paramsNeedGrad() bool {
	for _, n := range rp.p.nodes() {
		if n.NeedsGrad() {
			return true
		}
	}
	return false
}

// gradRows runs body for every row with the row's prepared block and, if the parameters need
// gradients, a zeroed gradient block that is scattered to the parameter inputs afterwards (once
// for shared parameters).
func (rp *rowParams) gradRows(rows int, body func(i int, blk, gblk []float64)) {
	var gblk []float64
	need := rp.paramsNeedGrad()
	if need {
		gblk = make([]float64, rp.m.d*rp.m.k*ng)
	}
	for i := 0; i < rows; i++ {
		blk := rp.at(i)
		body(i, blk, gblk)
		if need && !rp.shared {
			rp.p.scatter(rp.m, i, blk, gblk)
			clear(gblk)
		}
	}
	if need && rp.shared {
		rp.p.scatter(rp.m, 0, rp.blks, gblk)
	}
}

// dimBlock returns dimension j's part of a gradient block (nil stays nil).
func (m mixture) dimBlock(gblk []float64, j int) []float64 {
	if gblk == nil {
		return nil
	}
	return gblk[j*m.k*ng : (j+1)*m.k*ng]
}

// recordNeeded reports whether a custom op on tape t with these inputs will record its backward.
func recordNeeded(t *ad.Tape, x *ad.Node, p mixParams) bool {
	if !t.Recording() {
		return false
	}
	if x.NeedsGrad() {
		return true
	}
	for _, n := range p.nodes() {
		if n.NeedsGrad() {
			return true
		}
	}
	return false
}

// density is the fused density-direction map of the mixture layer: for every entry of y (R x d),
// z = ψ(F(y)) and, per row, the log-determinant Σ_dims log ψ'(y). The parameters are the nodes p,
// or the prepared block shared (see newRowParams).
func (m mixture) density(kind invKind, y *ad.Node, p mixParams, shared []float64) (*ad.Node, *ad.Node) {
	t, d := y.Tape(), m.d
	rp := newRowParams(t, m, p, y.R, shared)
	if m.batched(&rp, y.R) {
		return m.densityShared(kind, y, p, &rp)
	}
	z, logDet := t.New(y.R, d), t.New(y.R, 1)
	need := recordNeeded(t, y, p)
	var saved []point
	if need {
		saved = make([]point, y.R*d)
	}
	scratch := t.Floats(m.scratchLen())
	for i := 0; i < y.R; i++ {
		blk := rp.at(i)
		sum := newLogSum()
		for j := 0; j < d; j++ {
			pt := m.eval(y.Val[i*d+j], m.dim(blk, j), scratch)
			o := kind.psi(&pt, false)
			z.Val[i*d+j] = o.z
			sum.add(&o)
			if need {
				saved[i*d+j] = pt
			}
		}
		logDet.Val[i] = sum.value()
	}
	if !need {
		return z, logDet
	}
	kept := rp // the backward step's copy (only this one is allocated on the heap)
	t.Record([]*ad.Node{z, logDet}, append([]*ad.Node{y}, p.nodes()...), func() {
		gz, gl := z.Grad(), logDet.Grad()
		buf := make([]float64, m.k)
		kept.gradRows(y.R, func(i int, blk, gblk []float64) {
			for j := 0; j < d; j++ {
				k := i*d + j
				pt := &saved[k]
				o := kind.psi(pt, true)
				g := m.dimGrad(y.Val[k], m.dim(blk, j), pt, gz[k]*o.a+gl[i]*o.ag, gz[k]*o.b+gl[i]*o.bg, gl[i], m.dimBlock(gblk, j), buf)
				if y.NeedsGrad() {
					y.Grad()[k] += g
				}
			}
		})
	})
	return z, logDet
}

// sample is the fused sampling-direction map: it solves ψ(F(y)) = z for every entry of z (R x d)
// and returns y with the per-row log-determinant −Σ_dims log ψ'(y). Gradients follow the implicit
// function rule at the root: dy = (dz − ∂ψ/∂θ·dθ)/ψ'(y).
func (m mixture) sample(kind invKind, z *ad.Node, p mixParams, shared *preparedCache) (*ad.Node, *ad.Node) {
	t, d := z.Tape(), m.d
	rp := newRowParams(t, m, p, z.R, shared.block())
	y, logDet := t.New(z.R, d), t.New(z.R, 1)
	need := recordNeeded(t, z, p)
	var saved []point
	if need {
		saved = make([]point, z.R*d)
	}
	if m.batched(&rp, z.R) {
		var tabs []startTable
		if shared != nil && t.CallRows() >= startTableMinRows {
			tabs = shared.starts()
		}
		m.sampleShared(kind, z, y, logDet, rp.blks, tabs, saved)
	} else {
		scratch := t.Floats(m.scratchLen())
		for i := 0; i < z.R; i++ {
			blk := rp.at(i)
			sum := newLogSum()
			for j := 0; j < d; j++ {
				yv, pt := m.solve(kind, z.Val[i*d+j], m.dim(blk, j), scratch)
				y.Val[i*d+j] = yv
				o := kind.psi(&pt, false)
				sum.add(&o)
				if need {
					saved[i*d+j] = pt
				}
			}
			logDet.Val[i] = -sum.value()
		}
	}
	if !need {
		return y, logDet
	}
	kept := rp // the backward step's copy (only this one is allocated on the heap)
	t.Record([]*ad.Node{y, logDet}, append([]*ad.Node{z}, p.nodes()...), func() {
		gy, gld := y.Grad(), logDet.Grad()
		buf := make([]float64, m.k)
		kept.gradRows(z.R, func(i int, blk, gblk []float64) {
			gl := -gld[i]
			for j := 0; j < d; j++ {
				k := i*d + j
				pt, bd := &saved[k], m.dim(blk, j)
				o := kind.psi(pt, true)
				// Total gradient on y: directly and through log ψ'(y).
				gyTot := gy[k] + m.dimGrad(y.Val[k], bd, pt, gl*o.ag, gl*o.bg, gl, nil, buf)
				fF, fS := pt.ratios()
				lam := gyTot / (o.a*fF - o.b*fS)
				if z.NeedsGrad() {
					z.Grad()[k] += lam
				}
				if gblk != nil {
					m.dimGrad(y.Val[k], bd, pt, -lam*o.a+gl*o.ag, -lam*o.b+gl*o.bg, gl, m.dimBlock(gblk, j), buf)
				}
			}
		})
	})
	return y, logDet
}
