package gaussianization

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

// mixInputs returns random fused-op parameter inputs (rows rows) for K kernels in d dimensions:
// means, log-widths, log-weights and (with skew) log-exponents.
func mixInputs(rng *rand.Rand, rows, k, d int, skew bool) []adtest.Input {
	n := rows * k * d
	mu, logh, logw, loga := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		mu[i] = rng.NormFloat64()
		logh[i] = math.Log(0.3 + rng.Float64())
		logw[i] = rng.NormFloat64()
		loga[i] = 0.5 * rng.NormFloat64()
	}
	in := []adtest.Input{input(rows, k*d, mu), input(rows, k*d, logh), input(rows, k*d, logw)}
	if skew {
		in = append(in, input(rows, k*d, loga))
	}
	return in
}

func mixFromNodes(in []*ad.Node) mixParams {
	p := mixParams{mu: in[0], logh: in[1], logw: in[2]}
	if len(in) > 3 {
		p.loga = in[3]
	}
	return p
}

// testPoints are data-side values from the bulk to the far tails (log-space path).
var testPoints = []float64{0.13, -0.71, 1.9, -2.4, 4.5, -5.2, 9, -11, 60, -75, 400, -450}

// basePoints are base-side values, including the approximate tails of the inverse normal.
var basePoints = []float64{0.02, -0.6, 1.3, -2.2, 3.9, -4.4, 5.6, -5.9, 6.8, -7.5, 11, -14}

func TestFusedOpGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const k, d = 4, 2
	for kind := isigmoid; kind <= partlyCrude; kind++ {
		for _, skew := range []bool{false, true} {
			for _, rows := range []int{1, len(testPoints) / d} {
				name := fmt.Sprintf("%s/skew=%v/rows=%d", invNames[kind], skew, rows)
				m := newMixture(k, d, skew)
				params := mixInputs(rng, rows, k, d, skew)
				// The full Padé form is evaluated as upstream, with cancellation near F = 1/2
				// (relative noise ~1e-12 there): a wider finite-difference step.
				h := 1e-6
				if kind == fullPade {
					h = 2e-5
				}
				t.Run("density/"+name, func(t *testing.T) {
					f := func(_ *ad.Tape, in []*ad.Node) *ad.Node {
						z, ld := m.density(kind, in[0], mixFromNodes(in[1:]), nil)
						return ad.Concat(z, ld)
					}
					adtest.CheckGradients(t, f, append([]adtest.Input{input(len(testPoints)/d, d, testPoints)}, params...), h, 1e-6)
				})
				t.Run("sample/"+name, func(t *testing.T) {
					f := func(_ *ad.Tape, in []*ad.Node) *ad.Node {
						y, ld := m.sample(kind, in[0], mixFromNodes(in[1:]), nil)
						return ad.Concat(y, ld)
					}
					adtest.CheckGradients(t, f, append([]adtest.Input{input(len(basePoints)/d, d, basePoints)}, params...), h, 1e-6)
				})
			}
		}
	}
}

// TestPathsAgree compares the linear-space and log-space mixture evaluations and kernel shares.
func TestPathsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	m := newMixture(5, 1, false)
	in := mixInputs(rng, 1, 5, 1, false)
	blk := make([]float64, m.blockLen())
	tp := ad.NewTape(false)
	p := mixParams{mu: tp.Const(1, 5, in[0].Val), logh: tp.Const(1, 5, in[1].Val), logw: tp.Const(1, 5, in[2].Val)}
	m.prepareRows(p, 0, 1, blk, make([]float64, m.prepareWork(1)))
	scratch := make([]float64, 15)
	for _, y := range []float64{-9, -1.3, 0, 0.4, 2.2, 7} {
		var lin point
		lin.F, lin.S, lin.f = evalLinear(y, blk, scratch)
		lg := m.evalLog(y, blk, scratch)
		for _, pair := range [][2]float64{{lin.F, lg.F}, {lin.S, lg.S}, {lin.f, lg.f}} {
			if math.Abs(pair[0]-pair[1]) > 1e-14*pair[1] {
				t.Errorf("y=%g: linear %.17g, log %.17g", y, pair[0], pair[1])
			}
		}
		for j := 0; j < 5; j++ {
			e := kernelAt(blk, j)
			u := (y - e.mu) * e.invh
			a := linearShares(math.Exp(-u), u, e.w, e.w*e.invh, 1/lin.F, 1/lin.S, 1/lin.f)
			b := m.logShares(y, e, &lg)
			for q, pair := range [][2]float64{{a.rF, b.rF}, {a.rS, b.rS}, {a.pi, b.pi}, {a.rho, b.rho}, {a.tau, b.tau}, {a.d, b.d}, {a.v, b.v}} {
				if math.Abs(pair[0]-pair[1]) > 1e-12*math.Max(1, math.Abs(pair[1])) {
					t.Errorf("y=%g kernel %d share %d: linear %.17g, log %.17g", y, j, q, pair[0], pair[1])
				}
			}
		}
	}
}
