package nn_test

import (
	"math"
	"math/rand/v2"
	"strings"
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

// TestLowRankMLP checks AmortizableMLP's factored matrices and per-event weights.
func TestLowRankMLP(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	normals := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	for _, rank := range []int{-1, 1} {
		m := nn.NewLowRank(3, []int{5}, 4, rank)
		if want := map[int]int{-1: 3*5 + 5 + 5*4 + 4, 1: 8 + 5 + 9 + 4}[rank]; m.NumParams() != want {
			t.Fatalf("rank %d: %d parameters, want %d", rank, m.NumParams(), want)
		}
		x := adtest.Input{R: 3, C: 3, Val: normals(9)}
		for _, rows := range []int{1, 3} {
			p := adtest.Input{R: rows, C: m.NumParams(), Val: normals(rows * m.NumParams())}
			adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return m.Apply(in[0], in[1]) },
				[]adtest.Input{x, p}, 1e-6, 1e-6)
		}
	}
	// jammy_flows' n layer: AmortizableMLP 2 -> 64 -> 16 with rank 3 (the second matrix factored).
	if n := nn.NewLowRank(2, []int{64}, 16, 3).NumParams(); n != 2*64+64+3*(64+16)+16 {
		t.Errorf("count %d", n)
	}
	if n := nn.NewLowRank(1, []int{64}, 16, 3).NumParams(); n != 384 {
		t.Errorf("count %d", n)
	}
	// Shared and per-row weights agree.
	m := nn.New(2, []int{3}, 2)
	p := m.InitParams(rng, 1, []float64{0.1, 0.2})
	tp := ad.NewTape(false)
	x := tp.Const(2, 2, []float64{0.5, -1, 2, 0.3})
	shared := m.Apply(x, tp.Const(1, len(p), p))
	perRow := m.Apply(x, tp.Const(2, len(p), append(append([]float64(nil), p...), p...)))
	for i := range shared.Val {
		if math.Abs(shared.Val[i]-perRow.Val[i]) > 1e-15 {
			t.Fatalf("shared %v, per-row %v", shared.Val, perRow.Val)
		}
	}
}

// TestHighwayModes checks AmortizableMLP's parameter counts (counted by hand from upstream's
// construction) and the gradients of every highway mode with shared and per-event weights.
func TestHighwayModes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	hidden := []int{6, 4}
	// in 3, out 5, full matrices.
	counts := map[int]int{
		0: 3*6 + 6 + 6*4 + 4 + 4*5 + 5,
		1: 3*6 + 6 + 6*4 + 4 + 4*5 + 3*5 + 5,
		2: (3*6 + 6 + 6*5) + (3*4 + 4 + 4*5) + 3*5 + 5,
		3: (3*6 + 6 + 6*5) + (5*4 + 4 + 4*5) + 3*5 + 5,
		4: (3*6 + 6 + 6*5) + (8*4 + 4 + 4*5) + 3*5 + 5,
	}
	for mode := 0; mode <= 4; mode++ {
		ranks := make([]int, nn.NumMatrices(len(hidden), mode))
		m, err := nn.NewAmortizable(3, hidden, 5, ranks, mode)
		if err != nil {
			t.Fatal(err)
		}
		if m.NumParams() != counts[mode] {
			t.Errorf("mode %d: %d parameters, want %d", mode, m.NumParams(), counts[mode])
		}
		p := m.InitParams(rng, 1, []float64{0.1, 0.2, 0.3, 0.4, 0.5})
		x := adtest.Input{R: 3, C: 3, Val: normals(rng, 9)}
		for _, rows := range []int{1, 3} {
			pv := p
			if rows == 3 {
				pv = normals(rng, 3*len(p))
			}
			adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return m.Apply(in[0], in[1]) },
				[]adtest.Input{x, {R: rows, C: len(p), Val: pv}}, 1e-6, 1e-6)
		}
	}
	// Ranks "2-10-1000" in mode 0 with 20 -> 30 -> 40 -> 7: the first two matrices are factored
	// (2·50 < 600, 10·70 < 1200), the third is full (rank 1000 is capped at 7 and 7·47 >= 280).
	m, err := nn.NewAmortizable(20, []int{30, 40}, 7, []int{2, 10, 1000}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*50 + 30 + 10*70 + 40 + 40*7 + 7; m.NumParams() != want {
		t.Errorf("ranks 2-10-1000: %d parameters, want %d", m.NumParams(), want)
	}
}

func TestLinearHighwayOnly(t *testing.T) {
	// Mode 1 without hidden layers is the linear highway alone: W x + b.
	m, err := nn.NewAmortizable(2, nil, 3, []int{0, 0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tp := ad.NewTape(false)
	out := m.Apply(tp.Const(1, 2, []float64{1, -1}), tp.Const(1, 9, []float64{1, 2, 3, 4, 5, 6, 0.1, 0.2, 0.3}))
	for i, w := range []float64{1 - 2 + 0.1, 3 - 4 + 0.2, 5 - 6 + 0.3} {
		if math.Abs(out.Val[i]-w) > 1e-15 {
			t.Fatalf("output %v", out.Val)
		}
	}
}

func TestParseRanks(t *testing.T) {
	if r, err := nn.ParseRanks("2-10-1000", 3); err != nil || r[2] != 1000 {
		t.Fatal(r, err)
	}
	if r, err := nn.ParseRanks("-1", 2); err != nil || r[0] != -1 || r[1] != -1 {
		t.Fatal(r, err)
	}
	if r, err := nn.ParseRanks("", 2); err != nil || r[1] != 0 {
		t.Fatal(r, err)
	}
	for _, bad := range []string{"2-x", "2-10", "2--1", "1.5"} {
		if _, err := nn.ParseRanks(bad, 3); err == nil || !strings.Contains(err.Error(), "amortization_mlp_ranks") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := nn.NewAmortizable(2, nil, 3, []int{0}, 5); err == nil || !strings.Contains(err.Error(), "highway_mode") {
		t.Errorf("highway mode 5: %v", err)
	}
}

func normals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// TestAmortizableInit checks upstream's initialization in every highway mode: the last Out
// entries are the final bias, full matrices and their biases lie within ±1/√fan_in/damping, and
// the output at any input is close to the final bias for a large damping factor.
func TestAmortizableInit(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	final := []float64{3, -1, 0.5}
	for mode := 0; mode <= 4; mode++ {
		ranks := make([]int, nn.NumMatrices(1, mode))
		m, err := nn.NewAmortizable(4, []int{6}, 3, ranks, mode)
		if err != nil {
			t.Fatal(err)
		}
		p := m.InitParams(rng, 1000, final)
		for i, v := range p[len(p)-3:] {
			if v != final[i] {
				t.Fatalf("mode %d: final bias %v", mode, p[len(p)-3:])
			}
		}
		for _, v := range p[:len(p)-3] {
			if math.Abs(v) > 0.5/1000 { // fan-in >= 4
				t.Fatalf("mode %d: entry %g exceeds the damped bound", mode, v)
			}
		}
		tp := ad.NewTape(false)
		out := m.Apply(tp.Const(1, 4, []float64{1, -1, 2, 0.5}), tp.Const(1, len(p), p))
		for i, v := range out.Val {
			if math.Abs(v-final[i]) > 0.05 {
				t.Fatalf("mode %d: output %v, final bias %v", mode, out.Val, final)
			}
		}
	}
}
