package gaussianization

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// TestStartTables checks the root searches of a sampling call large enough for start tables:
// the same samples and log-determinants as the searches from the per-kernel start (1e-14), and
// table starts within 1e-6 (in units of the narrowest kernel) of the roots. The full-Padé inverse's
// log-derivative divides by S − F, which loses digits next to F = 1/2, and switches to its flat
// limit within 1e-5 of it (a step of 1e-10, as upstream): there the roots' last-bit differences
// show up as up to 1e-9 in the log-determinant.
func TestStartTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	const k, d = 6, 2
	pts := append([]float64(nil), basePoints...)
	pts = append(pts, 0, math.NaN(), math.Inf(1), math.Inf(-1), 1e-300, -40)
	for len(pts) < 2*600 {
		pts = append(pts, 1.7*rng.NormFloat64())
	}
	rows := len(pts) / d
	for kind := isigmoid; kind <= partlyCrude; kind++ {
		t.Run(invNames[kind], func(t *testing.T) {
			m := newMixture(k, d, false)
			var nodes []*ad.Node
			pt := ad.NewTape(false)
			for _, in := range mixInputs(rng, 1, k, d, false) {
				nodes = append(nodes, pt.Const(1, in.C, in.Val))
			}
			blk := make([]float64, m.blockLen())
			m.prepareRows(mixFromNodes(nodes), 0, 1, blk, make([]float64, m.prepareWork(1)))
			c := newPreparedCache(m, nil, blk)
			run := func(callRows int) (y, ld []float64) {
				tp := ad.NewTape(false)
				tp.SetCallRows(callRows)
				yn, ldn := m.sample(kind, tp.Const(rows, d, pts), mixParams{}, c)
				return yn.Val, ldn.Val
			}
			yT, ldT := run(startTableMinRows)
			yP, ldP := run(rows)
			same := func(what string, a, b []float64, tol float64) {
				for i := range a {
					if math.IsNaN(a[i]) != math.IsNaN(b[i]) || math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
						t.Errorf("%s %d: with tables %.17g, without %.17g", what, i, a[i], b[i])
					}
				}
			}
			ldTol := 1e-14
			if kind == fullPade {
				ldTol = 1e-8
			}
			same("sample", yT, yP, 1e-14)
			same("log-determinant", ldT, ldP, ldTol)
			tabs := c.starts()
			scratch := make([]float64, m.scratchLen())
			for j := range tabs {
				tab := &tabs[j]
				for _, ts := range []float64{-11.99, -7.3, -1, -0.01, 0, 0.37, 2.5, 9.9} {
					_, y0, ok := tab.at(ts)
					if !ok {
						t.Fatalf("dimension %d: the table does not cover logit %g", j, ts)
					}
					// the root of logit F(y) = ts by plain bisection
					lo, hi := -1e3, 1e3
					for range 200 {
						mid := 0.5 * (lo + hi)
						p := m.eval(mid, m.dim(blk, j), scratch)
						if p.logit() < ts {
							lo = mid
						} else {
							hi = mid
						}
					}
					if e := math.Abs(y0-lo) / tab.scale; e > 1e-6 {
						t.Errorf("dimension %d, logit %g: table start %.12g, root %.12g (%.2g widths off)", j, ts, y0, lo, e)
					}
				}
				for _, ts := range []float64{-12.5, startTableReach, 13, math.NaN(), math.Inf(1)} {
					if _, _, ok := tab.at(ts); ok {
						t.Errorf("dimension %d: the table claims logit %g", j, ts)
					}
				}
			}
		})
	}
}
