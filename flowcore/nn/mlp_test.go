package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/nn"
)

func TestMLPLayoutAndCount(t *testing.T) {
	// jammy_flows' "i1_-3.0_3.0+i1","r+rrr": the second MLP maps 1 -> 128 -> 48 (6,448 parameters).
	if n := nn.New(1, []int{128}, 48).NumParams(); n != 6448 {
		t.Fatalf("NumParams %d", n)
	}
	// A 2 -> 3 linear map: weight row-major out x in, then bias.
	m := nn.New(2, nil, 3)
	params := []float64{1, 2, 3, 4, 5, 6, 0.1, 0.2, 0.3}
	tp := ad.NewTape(false)
	out := m.Apply(tp.Const(1, 2, []float64{1, -1}), tp.Const(1, 9, params))
	want := []float64{1 - 2 + 0.1, 3 - 4 + 0.2, 5 - 6 + 0.3}
	for i, w := range want {
		if math.Abs(out.Val[i]-w) > 1e-15 {
			t.Fatalf("output %v, want %v", out.Val, want)
		}
	}
}

func TestMLPGradients(t *testing.T) {
	m := nn.New(3, []int{4, 5}, 2)
	rng := rand.New(rand.NewPCG(1, 1))
	p := m.InitParams(rng, 1, []float64{0.5, -0.5})
	x := make([]float64, 12)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return m.Apply(in[0], in[1]) },
		[]adtest.Input{{R: 4, C: 3, Val: x}, {R: 1, C: len(p), Val: p}}, 1e-6, 1e-7)
}

func TestParseHidden(t *testing.T) {
	if h, err := nn.ParseHidden("64-32"); err != nil || len(h) != 2 || h[1] != 32 {
		t.Fatal(h, err)
	}
	if h, err := nn.ParseHidden(""); err != nil || h != nil {
		t.Fatal(h, err)
	}
	for _, bad := range []string{"a", "64-", "0", "-3"} {
		if _, err := nn.ParseHidden(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestInitParamsDampingAndFinalBias(t *testing.T) {
	m := nn.New(2, []int{3}, 2)
	p := m.InitParams(rand.New(rand.NewPCG(2, 2)), 1000, []float64{7, 8})
	if p[len(p)-2] != 7 || p[len(p)-1] != 8 {
		t.Fatal("final bias not set")
	}
	for _, v := range p[:len(p)-2] {
		if math.Abs(v) > 1/math.Sqrt(2)/1000 {
			t.Fatalf("weight %g exceeds the damped bound", v)
		}
	}
}
