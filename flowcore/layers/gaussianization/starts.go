package gaussianization

import (
	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/root"
)

// Start tables: the roots of one dimension's mixture at evenly spaced target logits, solved once
// per shared parameter block. A cubic Hermite interpolation between two knots (with the exact
// slopes dy/dt = F·S/f there) starts a root search a few 1e-8 from the root inside a bracket one
// knot wide, so that two mixture evaluations usually finish it instead of four to five.
const (
	// startTableReach is the largest |logit F*| the tables cover (|z| ≲ 4.3 for the normal
	// inverses); targets beyond it start as before.
	startTableReach = 12.0
	// startTableKnots is the number of knots over [−reach, reach].
	startTableKnots = 193
	// startTableMinRows is the size of a sampling call (ad.Tape.CallRows) from which its shared
	// blocks use start tables: solving one costs about as many mixture evaluations as it saves
	// on 400 points.
	startTableMinRows = 1024
)

// startTable holds the roots y_j (and h·dy/dt at them) of one dimension's unskewed mixture for the
// target logits t_j = −startTableReach + j·h.
type startTable struct {
	y, dy []float64
	scale float64 // the convergence length scale of the dimension (see mixture.start)
}

// startTables solves the start tables of every dimension of a prepared shared block.
func (m mixture) startTables(blk []float64) []startTable {
	t := ad.NewTape(false)
	n := startTableKnots
	b := newBatch(t, n)
	scratch := t.Floats(m.scratchLen())
	h := 2 * startTableReach / float64(n-1)
	tStar := make([]float64, n)
	for j := range tStar {
		tStar[j] = -startTableReach + float64(j)*h
	}
	out := make([]startTable, m.d)
	br, pts := make([]root.Bracket, n), make([]point, n)
	active := make([]int, n)
	for d := range out {
		part := m.dim(blk, d)
		tab := startTable{y: make([]float64, n), dy: make([]float64, n)}
		for j, ts := range tStar {
			// unskewed: the start depends on the target logit lF − lS alone
			br[j], tab.y[j], tab.scale = m.start(part, ts, 0)
			active[j] = j
		}
		m.newton(active, tStar, tab.y, br, tab.scale, pts, part, b, scratch)
		for j := range pts {
			tab.dy[j] = h * pts[j].slopeInv()
		}
		out[d] = tab
	}
	return out
}

// at returns the bracket and the first iterate of the root search for target logit ts, and
// whether the table covers ts.
func (s *startTable) at(ts float64) (root.Bracket, float64, bool) {
	const inv = (startTableKnots - 1) / (2 * startTableReach)
	u := (ts + startTableReach) * inv
	if !(u >= 0 && u < startTableKnots-1) {
		return root.Bracket{}, 0, false
	}
	j := int(u)
	u -= float64(j)
	y0, y1 := s.y[j], s.y[j+1]
	if !(y0 < y1) { // a knot's search failed (NaN) or the mixture is flat to rounding there
		return root.Bracket{}, 0, false
	}
	// cubic Hermite basis on [0, 1]
	u2 := u * u
	u3 := u2 * u
	y := (2*u3-3*u2+1)*y0 + (u3-2*u2+u)*s.dy[j] + (3*u2-2*u3)*y1 + (u3-u2)*s.dy[j+1]
	return root.Bracket{Lo: y0, Hi: y1}, min(max(y, y0), y1), true
}
