package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// TestApplyJVP compares the forward-mode derivatives with central finite differences of Apply,
// for every highway mode, full and factored matrices, shared and per-row parameters.
func TestApplyJVP(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	const in, out, rows, h = 4, 3, 5, 1e-6
	for highway := 0; highway <= 4; highway++ {
		for _, rank := range []int{0, 2} {
			hidden := []int{6, 5}
			ranks := make([]int, NumMatrices(len(hidden), highway))
			for i := range ranks {
				ranks[i] = rank
			}
			m, err := NewAmortizable(in, hidden, out, ranks, highway)
			if err != nil {
				t.Fatal(err)
			}
			for _, pRows := range []int{1, rows} {
				params := make([]float64, pRows*m.NumParams())
				for i := range params {
					params[i] = 0.5 * rng.NormFloat64()
				}
				x := make([]float64, rows*in)
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				dir := make([]float64, rows*in)
				for i := range dir {
					dir[i] = rng.NormFloat64()
				}
				tp := ad.NewTape(false)
				p := tp.Const(pRows, m.NumParams(), params)
				unit := tp.Const(1, in, []float64{0, 1, 0, 0})
				_, d := m.ApplyJVP(tp.Const(rows, in, x), p, 0, []*ad.Node{tp.Const(rows, in, dir), unit})
				for k, v := range [][]float64{dir, repeatRow([]float64{0, 1, 0, 0}, rows)} {
					xp, xm := make([]float64, len(x)), make([]float64, len(x))
					for i := range x {
						xp[i], xm[i] = x[i]+h*v[i], x[i]-h*v[i]
					}
					yp, ym := m.Apply(tp.Const(rows, in, xp), p), m.Apply(tp.Const(rows, in, xm), p)
					for i := range yp.Val {
						fd := (yp.Val[i] - ym.Val[i]) / (2 * h)
						if math.Abs(d[k].Val[i]-fd) > 1e-7*math.Max(1, math.Abs(fd)) {
							t.Fatalf("highway %d rank %d param rows %d direction %d entry %d: JVP %.10g, finite difference %.10g",
								highway, rank, pRows, k, i, d[k].Val[i], fd)
						}
					}
				}
			}
		}
	}
}

func repeatRow(r []float64, n int) []float64 {
	var out []float64
	for i := 0; i < n; i++ {
		out = append(out, r...)
	}
	return out
}
