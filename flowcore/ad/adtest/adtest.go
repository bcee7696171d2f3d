// Package adtest checks reverse-mode gradients of ad computations against central finite differences.
package adtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Input is one input matrix of a checked function.
type Input struct {
	R, C int
	Val  []float64
}

// Func builds a computation on tape t from its input nodes and returns the output node.
type Func func(t *ad.Tape, in []*ad.Node) *ad.Node

// CheckGradients compares the reverse-mode gradient of L = Σ w_k out_k (fixed random weights w) with
// respect to every input entry against a central finite difference with step h. An entry passes when
// |analytic - numeric| <= tol * max(1, |numeric|). Outputs that are not finite are left out of L.
func CheckGradients(tb testing.TB, f Func, inputs []Input, h, tol float64) {
	tb.Helper()
	weights := func(n int) []float64 {
		rng := rand.New(rand.NewPCG(7, 11))
		w := make([]float64, n)
		for i := range w {
			w[i] = rng.Float64() + 0.5
		}
		return w
	}
	loss := func(vals [][]float64) (float64, []float64) {
		t := ad.NewTape(false)
		nodes := make([]*ad.Node, len(inputs))
		for i, in := range inputs {
			nodes[i] = t.Const(in.R, in.C, vals[i])
		}
		out := f(t, nodes)
		w := weights(len(out.Val))
		s := 0.0
		for k, v := range out.Val {
			if !math.IsInf(v, 0) && !math.IsNaN(v) {
				s += w[k] * v
			}
		}
		return s, out.Val
	}
	vals := make([][]float64, len(inputs))
	for i, in := range inputs {
		vals[i] = append([]float64(nil), in.Val...)
	}
	// Analytic gradients.
	t := ad.NewTape(true)
	nodes := make([]*ad.Node, len(inputs))
	for i, in := range inputs {
		nodes[i] = t.Var(in.R, in.C, vals[i])
	}
	out := f(t, nodes)
	w := weights(len(out.Val))
	for k, v := range out.Val {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			w[k] = 0
		}
	}
	if out.NeedsGrad() {
		t.Backward(out, w)
	}
	for i := range inputs {
		analytic := nodes[i].Grad()
		for k := range vals[i] {
			orig := vals[i][k]
			vals[i][k] = orig + h
			lp, _ := loss(vals)
			vals[i][k] = orig - h
			lm, _ := loss(vals)
			vals[i][k] = orig
			numeric := (lp - lm) / (2 * h)
			if math.Abs(analytic[k]-numeric) > tol*math.Max(1, math.Abs(numeric)) {
				tb.Errorf("input %d entry %d: analytic gradient %.10g, finite difference %.10g", i, k, analytic[k], numeric)
			}
		}
	}
}
