package interval

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/manifold"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// build makes an r layer on [lo, hi] with option overrides.
func build(t testing.TB, lo, hi float64, opts map[string]any) layers.Layer {
	t.Helper()
	v := REntry.Schema.Defaults()
	for name, val := range opts {
		if err := REntry.Schema.Set(v, name, val); err != nil {
			t.Fatal(err)
		}
	}
	l, err := REntry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: lo, High: hi}}, v)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// upstreamCount is the parameter count of jammy_flows' rational_quadratic_spline, written out as
// upstream computes it.
func upstreamCount(k, fixFirst, alsoSecond, smooth int, fixed bool) int {
	w, h := k, k
	if fixFirst == 1 {
		w, h = k-1, k-1
		if alsoSecond == 1 {
			w--
		}
	}
	sub := 0
	switch {
	case smooth == 1 && k == 2 && fixed:
		sub = 3
	case smooth == 1 && k == 2:
		sub = 1
	case smooth == 1 && k == 3 && fixed:
		sub = 4
	case smooth == 1 && k == 3:
		sub = 2
	case fixed:
		sub = 2
	}
	if smooth == 1 && k == 3 {
		w--
		h--
	}
	return w + h + k + 1 - sub
}

// TestRCounts checks the parameter count of every option combination against upstream's formula
// and the documented values.
func TestRCounts(t *testing.T) {
	for k := 1; k <= 7; k++ {
		for _, smooth := range []int{0, 1} {
			if smooth == 1 && k != 2 && k != 3 {
				continue
			}
			for _, fix := range []float64{-1, 1} {
				for _, first := range []int{0, 1} {
					for _, second := range []int{0, 1} {
						for _, indep := range []int{0, 1} {
							if first == 1 && second == 1 && k < 2 {
								continue
							}
							for _, ratio := range []float64{-1, float64(k) + 0.5} {
								opts := map[string]any{optBins: k, optSmooth: smooth, optFixBoundary: fix,
									optFixFirst: first, optFixSecond: second, optIndependent: indep, optRatio: ratio}
								l := build(t, -3, 3, opts)
								want := upstreamCount(k, first, second, smooth, fix > 0)
								if l.NumParams() != want {
									t.Errorf("%v: %d parameters, want %d", opts, l.NumParams(), want)
								}
								init := l.InitialParams(nil)
								if len(init) != want {
									t.Errorf("%v: %d initial parameters", opts, len(init))
								}
								if len(init) > 0 && (init[0] != 0.54) == (smooth == 0) {
									t.Errorf("%v: initial value %g", opts, init[0])
								}
							}
						}
					}
				}
			}
		}
	}
	for _, c := range []struct {
		opts map[string]any
		n    int
	}{
		{nil, 16},
		{map[string]any{optSmooth: 1, optBins: 2}, 6},
		{map[string]any{optSmooth: 1, optBins: 3}, 6},
		{map[string]any{optSmooth: 1, optBins: 3, optFixBoundary: 1.0}, 4},
	} {
		if n := build(t, 0, 1, c.opts).NumParams(); n != c.n {
			t.Errorf("%v: %d parameters, want %d", c.opts, n, c.n)
		}
	}
}

// TestROptionErrors checks that invalid combinations are refused with the option's name.
func TestROptionErrors(t *testing.T) {
	for _, c := range []map[string]any{
		{optSmooth: 1},
		{optBins: 5, optRatio: 3.0},
		{optFixBoundary: 1e-5},
		{optBins: 5, optMinWidth: 0.3},
		{optBins: 5, optMinHeight: 0.3},
		{optBins: 1, optFixFirst: 1, optFixSecond: 1},
	} {
		v := REntry.Schema.Defaults()
		for name, val := range c {
			if err := REntry.Schema.Set(v, name, val); err != nil {
				t.Fatal(err)
			}
		}
		_, err := REntry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: 0, High: 1}}, v)
		if err == nil {
			t.Errorf("%v accepted", c)
		} else {
			t.Logf("%v: %v", c, err)
		}
	}
}

// optionSets are r configurations exercised by the map tests.
var optionSets = []map[string]any{
	nil,
	{optBins: 7, optRatio: 9.0},
	{optFixBoundary: 1.3},
	{optFixFirst: 1, optFixSecond: 1, optIndependent: 1},
	{optSmooth: 1, optBins: 2},
	{optSmooth: 1, optBins: 3},
	{optSmooth: 1, optBins: 3, optFixBoundary: 0.7},
	{optSmooth: 1, optBins: 2, optFixBoundary: 2.0, optFixFirst: 1},
}

func randomParams(rng *rand.Rand, n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	return p
}

func grid(lo, hi float64, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*(float64(i)+0.5)/float64(n)
	}
	return x
}

// TestRRoundTrip maps points of [-3, 3] to the base side and back, with per-row parameters too.
func TestRRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 64
	for _, o := range optionSets {
		l := build(t, -3, 3, o)
		for _, rows := range []int{1, n} {
			tape := ad.NewTape(false)
			params := tape.Const(rows, l.NumParams(), randomParams(rng, rows*l.NumParams()))
			x := tape.Const(n, 1, append(grid(-3, 3, n-2), -3, 3))
			z, ld1 := l.Inverse(x, params)
			x2, ld2 := l.Forward(z, params)
			for i := range x.Val {
				if math.Abs(x2.Val[i]-x.Val[i]) > 1e-12 || math.Abs(ld1.Val[i]+ld2.Val[i]) > 1e-9 {
					t.Errorf("%v rows=%d: %.17g -> %.17g -> %.17g (log-dets %g, %g)", o, rows, x.Val[i], z.Val[i], x2.Val[i], ld1.Val[i], ld2.Val[i])
				}
				if z.Val[i] < -3 || z.Val[i] > 3 {
					t.Errorf("%v: %g maps outside the interval to %g", o, x.Val[i], z.Val[i])
				}
			}
		}
	}
}

// TestRGradients checks the layer's maps against finite differences (points and parameters, one-row
// and per-row parameters).
func TestRGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	const n = 5
	for _, o := range optionSets {
		l := build(t, -3, 3, o)
		for _, rows := range []int{1, n} {
			for _, inverse := range []bool{false, true} {
				inputs := []adtest.Input{{R: n, C: 1, Val: grid(-2.9, 2.9, n)},
					{R: rows, C: l.NumParams(), Val: randomParams(rng, rows*l.NumParams())}}
				f := func(_ *ad.Tape, in []*ad.Node) *ad.Node {
					m := l.Forward
					if inverse {
						m = l.Inverse
					}
					y, ld := m(in[0], in[1])
					return ad.Concat(y, ld)
				}
				t.Run(fmt.Sprintf("%v/rows=%d/inverse=%v", o, rows, inverse), func(t *testing.T) {
					adtest.CheckGradients(t, f, inputs, 1e-6, 1e-6)
				})
			}
		}
	}
}

// integrate is adaptive Simpson quadrature of f on [a, b] to absolute tolerance tol.
func integrate(f func(float64) float64, a, b, tol float64) float64 {
	var rec func(a, b, fa, fm, fb, whole, tol float64, depth int) float64
	rec = func(a, b, fa, fm, fb, whole, tol float64, depth int) float64 {
		m := (a + b) / 2
		lm, rm := (a+m)/2, (m+b)/2
		flm, frm := f(lm), f(rm)
		left := (m - a) / 6 * (fa + 4*flm + fm)
		right := (b - m) / 6 * (fm + 4*frm + fb)
		if depth <= 0 || math.Abs(left+right-whole) <= 15*tol {
			return left + right + (left+right-whole)/15
		}
		return rec(a, m, fa, flm, fm, left, tol/2, depth-1) + rec(m, b, fm, frm, fb, right, tol/2, depth-1)
	}
	fa, fm, fb := f(a), f((a+b)/2), f(b)
	return rec(a, b, fa, fm, fb, (b-a)/6*(fa+4*fm+fb), tol, 40)
}

// TestRNormalization integrates the density of a single r layer composed with the uniform density
// on [a, b]: p(x) = exp(logDet(x))/(b − a) must integrate to 1.
func TestRNormalization(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for _, bounds := range [][2]float64{{0, 1}, {-3, 3}, {-1, 1}, {2.5, 7}} {
		for _, o := range optionSets {
			l := build(t, bounds[0], bounds[1], o)
			tape := ad.NewTape(false)
			params := tape.Const(1, l.NumParams(), randomParams(rng, l.NumParams()))
			density := func(x float64) float64 {
				_, ld := l.Inverse(tape.Const(1, 1, []float64{x}), params)
				return math.Exp(ld.Val[0]) / (bounds[1] - bounds[0])
			}
			got := integrate(density, bounds[0], bounds[1], 1e-12)
			if math.Abs(got-1) > 1e-9 {
				t.Errorf("bounds %v options %v: density integrates to %.12f", bounds, o, got)
			}
		}
	}
}

// TestROutside checks points outside the interval and NaN: NaN rows only, others unaffected.
func TestROutside(t *testing.T) {
	l := build(t, -3, 3, nil)
	tape := ad.NewTape(false)
	params := tape.Const(1, l.NumParams(), randomParams(rand.New(rand.NewPCG(4, 4)), l.NumParams()))
	x := tape.Const(5, 1, []float64{-3.5, 0.5, math.NaN(), 3 + 1e-3, math.Inf(-1)})
	for _, m := range []func(*ad.Node, *ad.Node) (*ad.Node, *ad.Node){l.Inverse, l.Forward} {
		y, ld := m(x, params)
		for i, v := range y.Val {
			nan := math.IsNaN(v) && math.IsNaN(ld.Val[i])
			if nan != (i != 1) {
				t.Errorf("input %g: (%g, %g)", x.Val[i], v, ld.Val[i])
			}
		}
	}
}

// TestZ checks the identity layer.
func TestZ(t *testing.T) {
	l, err := ZEntry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: 0, High: 1}}, ZEntry.Schema.Defaults())
	if err != nil || l.NumParams() != 0 || len(l.InitialParams(nil)) != 0 {
		t.Fatalf("z: %v", err)
	}
	tape := ad.NewTape(false)
	x := tape.Const(3, 1, []float64{0, 0.3, 1})
	for _, m := range []func(*ad.Node, *ad.Node) (*ad.Node, *ad.Node){l.Inverse, l.Forward} {
		y, ld := m(x, tape.New(1, 0))
		for i := range x.Val {
			if y.Val[i] != x.Val[i] || ld.Val[i] != 0 {
				t.Errorf("z maps %g to (%g, %g)", x.Val[i], y.Val[i], ld.Val[i])
			}
		}
	}
}

// fixture is the part of an upstream reference file these tests use.
type fixture struct {
	PDFDefs  string                    `json:"pdf_defs"`
	FlowDefs string                    `json:"flow_defs"`
	Options  map[string]map[string]any `json:"options"`
	Counts   [][]int                   `json:"per_layer_counts"`
	Params   []float64                 `json:"params"`
	X        [][]float64               `json:"x"`
	LogPDF   []float64                 `json:"log_pdf"`
}

// TestRUpstream reproduces jammy_flows' log-densities of single-interval PDFs built from r layers:
// log p = log N(z) + Σ logDet(layer inverses) + logDet(interval → Gaussian).
func TestRUpstream(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/upstream/i1*_r*.json")
	if len(files) == 0 {
		t.Fatal("no upstream r fixtures in testdata/upstream")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fx fixture
		if err := json.Unmarshal(raw, &fx); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		defs, err := spec.ParsePDFDefs(fx.PDFDefs)
		if err != nil {
			t.Fatal(err)
		}
		m, err := manifold.New(defs[0])
		if err != nil {
			t.Fatal(err)
		}
		var stack []layers.Layer
		for range fx.FlowDefs {
			v := REntry.Schema.Defaults()
			for name, val := range fx.Options["r"] {
				if err := REntry.Schema.Set(v, name, val); err != nil {
					t.Fatal(err)
				}
			}
			l, err := REntry.New(layers.Context{Manifold: defs[0]}, v)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			stack = append(stack, l)
		}
		tape := ad.NewTape(false)
		n := len(fx.X)
		xs := make([]float64, n)
		for i, row := range fx.X {
			xs[i] = row[0]
		}
		cur := tape.Const(n, 1, xs)
		total := make([]float64, n)
		offsets := []int{0}
		for _, l := range stack {
			offsets = append(offsets, offsets[len(offsets)-1]+l.NumParams())
		}
		if offsets[len(stack)] != len(fx.Params) {
			t.Fatalf("%s: %d parameters, fixture has %d", f, offsets[len(stack)], len(fx.Params))
		}
		for j := len(stack) - 1; j >= 0; j-- {
			p := tape.Const(1, stack[j].NumParams(), fx.Params[offsets[j]:offsets[j+1]])
			var ld *ad.Node
			cur, ld = stack[j].Inverse(cur, p)
			for i := range total {
				total[i] += ld.Val[i]
			}
		}
		z, ld := m.ToBase(cur)
		worst := 0.0
		for i := range total {
			lp := total[i] + ld.Val[i] - 0.5*z.Val[i]*z.Val[i] - 0.5*math.Log(2*math.Pi)
			rel := math.Abs(lp-fx.LogPDF[i]) / math.Max(1, math.Abs(fx.LogPDF[i]))
			worst = math.Max(worst, rel)
			if rel > 1e-10 {
				t.Errorf("%s point %g: log p %.15g, upstream %.15g", filepath.Base(f), xs[i], lp, fx.LogPDF[i])
			}
		}
		t.Logf("%s: %d points, largest relative difference %.2g", filepath.Base(f), n, worst)
	}
}
