package ad_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

func randInput(rng *rand.Rand, r, c int, lo, hi float64) adtest.Input {
	v := make([]float64, r*c)
	for i := range v {
		v[i] = lo + (hi-lo)*rng.Float64()
	}
	return adtest.Input{R: r, C: c, Val: v}
}

func TestOpGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	unary := map[string]func(*ad.Node) *ad.Node{
		"Exp": ad.Exp, "Tanh": ad.Tanh, "Sin": ad.Sin, "Cos": ad.Cos, "Sigmoid": ad.Sigmoid,
		"Softplus": ad.Softplus, "LogSigmoid": ad.LogSigmoid, "Square": ad.Square, "Neg": ad.Neg,
		"NormalCDF": ad.NormalCDF, "LogSumExp": ad.LogSumExp, "Softmax": ad.Softmax,
		"SumCols": ad.SumCols, "SumRows": ad.SumRows, "NormalLogPDF": ad.NormalLogPDF,
		"Gather": func(a *ad.Node) *ad.Node { return ad.Gather(a, []int{2, 0, 2}) },
		"Cols":   func(a *ad.Node) *ad.Node { return ad.Cols(a, 1, 2) },
	}
	for name, f := range unary {
		t.Run(name, func(t *testing.T) {
			adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return f(in[0]) },
				[]adtest.Input{randInput(rng, 4, 3, -2, 2)}, 1e-6, 1e-7)
		})
	}
	positive := map[string]func(*ad.Node) *ad.Node{"Log": ad.Log, "Sqrt": ad.Sqrt, "Log1p": ad.Log1p,
		"NormalQuantile": ad.NormalQuantile, "Acos": ad.Acos}
	for name, f := range positive {
		t.Run(name, func(t *testing.T) {
			adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return f(in[0]) },
				[]adtest.Input{randInput(rng, 4, 3, 0.05, 0.95)}, 1e-7, 1e-6)
		})
	}
	binary := map[string]func(a, b *ad.Node) *ad.Node{"Add": ad.Add, "Sub": ad.Sub, "Mul": ad.Mul,
		"Div": ad.Div, "Atan2": ad.Atan2,
		"Concat": func(a, b *ad.Node) *ad.Node { return ad.Concat(a, b) }}
	for name, f := range binary {
		for _, shape := range [][2]int{{4, 3}, {1, 3}, {4, 1}, {1, 1}} {
			t.Run(name, func(t *testing.T) {
				adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return f(in[0], in[1]) },
					[]adtest.Input{randInput(rng, 4, 3, 0.5, 2), randInput(rng, shape[0], shape[1], 0.5, 2)}, 1e-6, 1e-7)
				if name == "Concat" {
					return
				}
				// The broadcast operand first.
				adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return f(in[0], in[1]) },
					[]adtest.Input{randInput(rng, shape[0], shape[1], 0.5, 2), randInput(rng, 4, 3, 0.5, 2)}, 1e-6, 1e-7)
			})
		}
	}
	t.Run("Linear", func(t *testing.T) {
		adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return ad.Linear(in[0], in[1], in[2]) },
			[]adtest.Input{randInput(rng, 5, 3, -1, 1), randInput(rng, 4, 3, -1, 1), randInput(rng, 1, 4, -1, 1)}, 1e-6, 1e-8)
	})
}

func TestNoGradTapeRecordsNothing(t *testing.T) {
	tp := ad.NewTape(false)
	x := tp.Var(1, 2, []float64{1, 2})
	y := ad.Exp(ad.Mul(x, x))
	if y.NeedsGrad() || x.NeedsGrad() {
		t.Fatal("a non-recording tape marked nodes as needing gradients")
	}
	if math.Abs(y.Val[1]-math.Exp(4)) > 1e-12 {
		t.Fatalf("value %g", y.Val[1])
	}
}

func TestSpecialFunctions(t *testing.T) {
	ps := []float64{0x1p-1022, 1e-300, 1e-20, 1e-8, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-12}
	tp := ad.NewTape(false)
	back := ad.NormalCDF(ad.NormalQuantile(tp.Const(len(ps), 1, ps)))
	for i, p := range ps {
		if math.Abs(back.Val[i]-p)/math.Min(p, 1-p) > 1e-12 {
			t.Errorf("Φ(Φ⁻¹(%g)) = %g", p, back.Val[i])
		}
	}
	if ad.SoftplusF(800) != 800 || ad.SoftplusF(-800) != 0 {
		t.Error("softplus overflow")
	}
}

// TestSelectRowsGradients checks that SelectRows sends gradients to the chosen operand only, with
// a broadcast second operand.
func TestSelectRowsGradients(t *testing.T) {
	pick := []bool{true, false, true}
	adtest.CheckGradients(t, func(_ *ad.Tape, x []*ad.Node) *ad.Node { return ad.SelectRows(pick, x[0], x[1]) },
		[]adtest.Input{{R: 3, C: 2, Val: []float64{1, 2, 3, 4, 5, 6}}, {R: 1, C: 2, Val: []float64{7, 8}}}, 1e-6, 1e-8)
}

// TestOneRowViews: Cols of a one-row node and Reshape share the values (no copy) and pass their
// gradients into the parent's, on a recording tape as on a value-only one.
func TestOneRowViews(t *testing.T) {
	for _, grad := range []bool{false, true} {
		tp := ad.NewTape(grad)
		p := tp.Var(1, 6, []float64{1, 2, 3, 4, 5, 6})
		c := ad.Cols(p, 2, 4)
		m := ad.Reshape(c, 2, 2)
		if &c.Val[0] != &p.Val[2] || &m.Val[0] != &p.Val[2] {
			t.Fatalf("grad=%v: Cols/Reshape of one row copied", grad)
		}
		if !grad {
			continue
		}
		out := ad.Add(ad.Mul(m, m), ad.Cols(p, 0, 1))
		tp.Backward(out, nil)
		want := []float64{4, 0, 6, 8, 10, 12}
		for i, g := range p.Grad() {
			if g != want[i] {
				t.Fatalf("gradient %v, want %v", p.Grad(), want)
			}
		}
	}
}
