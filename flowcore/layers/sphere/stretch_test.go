package sphere

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// TestStretchLayer checks the polynomial stretch p (n's zenith letter) on R²: the parameter count,
// the round trip, the log-determinant against a finite-difference Jacobian and the gradients,
// with shared and per-row parameters. (Near a transform's center |ξ|^k is ill-conditioned, which
// is why p is not in the property harness; the points here stay away from the centers.)
func TestStretchLayer(t *testing.T) {
	opts := stretchEntry.Schema.Defaults()
	if err := stretchEntry.Schema.Set(opts, "num_transforms", 2); err != nil {
		t.Fatal(err)
	}
	l, err := stretchEntry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Euclidean, Dim: 2, Text: "e2"}, Count: 1}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if l.NumParams() != 2*2+5*2*2 {
		t.Fatalf("%d parameters", l.NumParams())
	}
	rng := rand.New(rand.NewPCG(8, 8))
	params := l.InitialParams(rng)
	for i := range params {
		params[i] += 0.3 * rng.NormFloat64()
	}
	const n = 6
	x := make([]float64, 2*n)
	for i := range x {
		x[i] = 3 * rng.NormFloat64()
	}
	tp := ad.NewTape(false)
	pn := tp.Const(1, len(params), params)
	z, ldInv := l.Inverse(tp.Const(n, 2, x), pn)
	back, ldFwd := l.Forward(z, pn)
	for i := range x {
		if math.Abs(back.Val[i]-x[i]) > 1e-10*math.Max(1, math.Abs(x[i])) {
			t.Fatalf("round trip: %v, want %v", back.Val, x)
		}
	}
	for i := 0; i < n; i++ {
		if math.Abs(ldInv.Val[i]+ldFwd.Val[i]) > 1e-10 {
			t.Errorf("row %d: log-dets %g and %g do not cancel", i, ldInv.Val[i], ldFwd.Val[i])
		}
		if fd := logAbsDetFD(l, x[2*i:2*i+2], pn); math.Abs(fd-ldInv.Val[i]) > 1e-6 {
			t.Errorf("row %d: log-det %g, finite differences %g", i, ldInv.Val[i], fd)
		}
	}
	perRow := make([]float64, 0, n*len(params))
	for i := 0; i < n; i++ {
		for _, v := range params {
			perRow = append(perRow, v+0.01*rng.NormFloat64())
		}
	}
	for _, p := range []adtest.Input{{R: 1, C: len(params), Val: params}, {R: n, C: len(params), Val: perRow}} {
		for _, inverse := range []bool{true, false} {
			adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node {
				y, ld := l.Forward(in[0], in[1])
				if inverse {
					y, ld = l.Inverse(in[0], in[1])
				}
				return ad.Concat(y, ld)
			}, []adtest.Input{{R: n, C: 2, Val: x}, p}, 1e-6, 1e-6)
		}
	}
}

// logAbsDetFD is log|det ∂Inverse/∂x| at one point by central differences.
func logAbsDetFD(l layers.Layer, x []float64, params *ad.Node) float64 {
	const h = 1e-6
	var j [2][2]float64
	for c := 0; c < 2; c++ {
		plus, minus := append([]float64(nil), x...), append([]float64(nil), x...)
		plus[c] += h
		minus[c] -= h
		tp := params.Tape()
		yp, _ := l.Inverse(tp.Const(1, 2, plus), params)
		ym, _ := l.Inverse(tp.Const(1, 2, minus), params)
		for r := 0; r < 2; r++ {
			j[r][c] = (yp.Val[r] - ym.Val[r]) / (2 * h)
		}
	}
	return math.Log(math.Abs(j[0][0]*j[1][1] - j[0][1]*j[1][0]))
}
