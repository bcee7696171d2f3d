package gaussianization

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/root"
)

// solveShared is solve for every point of one dimension with an unskewed part: the same iterations
// per point, run side by side so that each step evaluates the mixture for all unfinished points at
// once. zs are the targets; the roots and the mixture at each point's last evaluation go to ys and
// pts. tab (nil: none) is the dimension's start table.
func (m mixture) solveShared(kind invKind, zs, ys []float64, pts []point, part []float64, tab *startTable, b *batch, scratch []float64) {
	n := len(zs)
	// Per point: target logit and bracket; active lists the unfinished points.
	tStar, br := b.t.Floats(n), make([]root.Bracket, n)
	active := make([]int, 0, n)
	scale := 0.0
	logs := b.t.Floats(2 * n)
	logF, logS := logs[:n], logs[n:]
	kind.targets(zs, logF, logS)
	for i, z := range zs {
		lF, lS := logF[i], logS[i]
		tStar[i] = lF - lS
		if math.IsNaN(tStar[i]) || math.IsInf(tStar[i], 0) {
			ys[i], pts[i] = nanRoot(z, tStar[i])
			continue
		}
		active = append(active, i)
		if tab != nil {
			var ok bool
			if br[i], ys[i], ok = tab.at(tStar[i]); ok {
				scale = tab.scale
				continue
			}
		}
		br[i], ys[i], scale = m.start(part, lF, lS)
	}
	m.newton(active, tStar, ys, br, scale, pts, part, b, scratch)
}

// newton runs the bracketed Newton steps of the listed points side by side until each has
// converged: ys holds the first iterates and receives the roots of logit F(y) = tStar, pts the
// mixture at each point's last evaluation. active is consumed.
func (m mixture) newton(active []int, tStar, ys []float64, br []root.Bracket, scale float64, pts []point, part []float64, b *batch, scratch []float64) {
	for it := 0; it < maxSolveIter && len(active) > 0; it++ {
		at := b.y[:len(active)]
		for a, i := range active {
			at[a] = ys[i]
		}
		b.linear(part, at, nil, nil)
		logits := b.logits(len(active))
		left := active[:0]
		for a, i := range active {
			b.pointTo(&pts[i], m, a, part, scratch)
			logit := logits[a]
			if pts[i].hasLogs {
				logit = pts[i].logit()
			}
			next, done := step(&pts[i], logit, ys[i], tStar[i], scale, &br[i])
			ys[i] = next
			if !done {
				left = append(left, i)
			}
		}
		active = left
	}
	for _, i := range active {
		pts[i] = m.eval(ys[i], part, scratch)
	}
}

// sampleShared is the forward part of sample for one shared, unskewed parameter block; saved (if
// not nil) receives the mixture at every root.
func (m mixture) sampleShared(kind invKind, z, y, logDet *ad.Node, blk []float64, tabs []startTable, saved []point) {
	d, n := m.d, z.R
	b := newBatch(z.Tape(), n)
	zs, ys := b.t.Floats(n), b.t.Floats(n)
	pts := make([]point, n)
	sums := make([]logSum, n)
	for i := range sums {
		sums[i] = newLogSum()
	}
	scratch := b.t.Floats(m.scratchLen())
	for j := 0; j < d; j++ {
		for i := range zs {
			zs[i] = z.Val[i*d+j]
		}
		var tab *startTable
		if tabs != nil {
			tab = &tabs[j]
		}
		m.solveShared(kind, zs, ys, pts, m.dim(blk, j), tab, b, scratch)
		for i := range pts {
			y.Val[i*d+j] = ys[i]
			o := kind.psi(&pts[i], false)
			sums[i].add(&o)
			if saved != nil {
				saved[i*d+j] = pts[i]
			}
		}
	}
	logDets(logDet.Val, sums, -1)
}
