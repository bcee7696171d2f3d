package gaussianization

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

// TestBatchedMatchesRowPath compares the batched paths (one shared parameter row) with the
// row-by-row paths (the same parameters repeated per row): values, log-determinants and gradients
// with respect to the points and the parameters, from the bulk to the log-space tails and NaN.
func TestBatchedMatchesRowPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const k, d = 5, 2
	// Enough rows for full vector groups and a partial one in the batched kernels.
	dataPts := append(append([]float64(nil), testPoints...), math.NaN(), 0.3)
	basePts := append(append([]float64(nil), basePoints...), 0.4, math.NaN())
	for i := 0; i < 264; i++ {
		dataPts = append(dataPts, 1.5*rng.NormFloat64())
		basePts = append(basePts, 1.5*rng.NormFloat64())
	}
	for kind := isigmoid; kind <= partlyCrude; kind++ {
		m := newMixture(k, d, false)
		one := mixInputs(rng, 1, k, d, false)
		for _, dir := range []string{"density", "sample"} {
			t.Run(fmt.Sprintf("%s/%s", invNames[kind], dir), func(t *testing.T) {
				pts := dataPts
				if dir == "sample" {
					pts = basePts
				}
				rows := len(pts) / d
				run := func(perRow bool) (out, gx []float64, gp [][]float64) {
					tp := ad.NewTape(true)
					x := tp.Var(rows, d, pts)
					var nodes []*ad.Node
					for _, in := range one {
						v, r := in.Val, 1
						if perRow {
							v, r = nil, rows
							for i := 0; i < rows; i++ {
								v = append(v, in.Val...)
							}
						}
						nodes = append(nodes, tp.Var(r, in.C, v))
					}
					var a, ld *ad.Node
					if dir == "density" {
						a, ld = m.density(kind, x, mixFromNodes(nodes), nil)
					} else {
						a, ld = m.sample(kind, x, mixFromNodes(nodes), nil)
					}
					res := ad.Concat(a, ld)
					seed := make([]float64, len(res.Val))
					for i := range seed {
						seed[i] = 0.5 + float64(i%7)/7
						if math.IsNaN(res.Val[i]) || math.IsInf(res.Val[i], 0) {
							seed[i] = 0
						}
					}
					tp.Backward(res, seed)
					for _, n := range nodes {
						g := make([]float64, n.C)
						for i, v := range n.Grad() {
							g[i%n.C] += v
						}
						gp = append(gp, g)
					}
					return res.Val, x.Grad(), gp
				}
				outB, gxB, gpB := run(false)
				outR, gxR, gpR := run(true)
				same := func(what string, a, b []float64, tol float64) {
					for i := range a {
						if math.IsNaN(a[i]) != math.IsNaN(b[i]) || math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
							t.Errorf("%s %d: batched %.17g, row by row %.17g", what, i, a[i], b[i])
						}
					}
				}
				same("output", outB, outR, 1e-14)
				same("point gradient", gxB, gxR, 1e-12)
				for j := range gpB {
					same(fmt.Sprintf("parameter %d gradient", j), gpB[j], gpR[j], 1e-11)
				}
			})
		}
	}
}

// TestBatchedGradients checks the batched density's gradients with many points per parameter row.
func TestBatchedGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	m := newMixture(3, 2, false)
	pts := make([]float64, 2*300)
	for i := range pts {
		pts[i] = 2 * rng.NormFloat64()
	}
	pts[7] = 40
	f := func(_ *ad.Tape, in []*ad.Node) *ad.Node {
		z, ld := m.density(partlyPrecise, in[0], mixFromNodes(in[1:]), nil)
		return ad.Concat(z, ld)
	}
	adtest.CheckGradients(t, f, append([]adtest.Input{input(300, 2, pts)}, mixInputs(rng, 1, 3, 2, false)...), 1e-6, 1e-6)
}
