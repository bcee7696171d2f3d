package sphere

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// cnfAt evaluates the density direction of a c layer with the given options and parameters.
func cnfAt(t *testing.T, over map[string]any, params, x []float64) (y, logDet []float64) {
	t.Helper()
	l, err := newLayer(CEntry, 2, over)
	if err != nil {
		t.Fatal(err)
	}
	tp := ad.NewTape(false)
	out, ld := l.Inverse(tp.Const(len(x)/2, 2, x), tp.Const(1, len(params), params))
	return out.Val, ld.Val
}

// TestCNFSolversAgree: the flow does not depend on the number of charts nor on the solver beyond
// the solver's accuracy: dopri5, dopri8, bosh3, adaptive_heun and rk4 (fine grid) with 1, 4 or 7
// charts agree with dopri5 at 1e-12 to 1e-6, and the sampling direction inverts the density
// direction.
func TestCNFSolversAgree(t *testing.T) {
	l, _ := newLayer(CEntry, 2, nil)
	params := l.InitialParams(rand.New(rand.NewPCG(4, 4)))
	for i := range params {
		params[i] *= 2 // a field strong enough to move points by O(1)
	}
	x := []float64{0.3, 1, 1.2, 5, 2.8, 3.5, math.Pi / 2, 0.01}
	refY, refLd := cnfAt(t, map[string]any{"rtol": 1e-12, "atol": 1e-12}, params, x)
	for _, over := range []map[string]any{
		{}, {"num_charts": 1}, {"solver": "bosh3", "rtol": 1e-9, "atol": 1e-9},
		{"solver": "rk4", "step_size": 1.0 / 128}, {"num_charts": 7, "solver": "adaptive_heun", "rtol": 1e-9, "atol": 1e-9},
		{"solver": "dopri8"},
	} {
		y, ld := cnfAt(t, over, params, x)
		for i := range y {
			if math.Abs(y[i]-refY[i]) > 1e-6 {
				t.Errorf("%v: point %v, reference %v", over, y, refY)
				break
			}
		}
		for i := range ld {
			if math.Abs(ld[i]-refLd[i]) > 1e-6 {
				t.Errorf("%v: log-det %v, reference %v", over, ld, refLd)
				break
			}
		}
	}
	tp := ad.NewTape(false)
	p := tp.Const(1, len(params), params)
	y, ld := l.Inverse(tp.Const(4, 2, x), p)
	back, bld := l.Forward(tp.Const(4, 2, y.Val), p)
	for i := range x {
		if math.Abs(back.Val[i]-x[i]) > 1e-6 {
			t.Fatalf("round trip %v -> %v", x, back.Val)
		}
	}
	for i := range ld.Val {
		if math.Abs(ld.Val[i]+bld.Val[i]) > 1e-6 {
			t.Errorf("log-dets %v and %v do not cancel", ld.Val, bld.Val)
		}
	}
}

// TestCNFOptions: bad hidden dimensions and tolerances are rejected with errors naming them.
func TestCNFOptions(t *testing.T) {
	for _, c := range []struct {
		over map[string]any
		want string
	}{
		{map[string]any{"cnf_network_hidden_dims": "a-b"}, "cnf_network_hidden_dims"},
		{map[string]any{"solver": "dopri9"}, "solver"},
	} {
		_, err := newLayer(CEntry, 2, c.over)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %q", c.over, err, c.want)
		}
	}
	if _, err := newLayer(CEntry, 2, map[string]any{"rtol": 1.5}); err == nil {
		t.Error("rtol 1.5 accepted")
	}
	if _, err := CEntry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Sphere, Dim: 1, Text: "s1"}}, CEntry.Schema.Defaults()); err == nil {
		t.Error("c on s1 accepted")
	}
}
