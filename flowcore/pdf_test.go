package flowcore_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func TestDefinitionErrorsNameTheArgument(t *testing.T) {
	cases := []struct{ pdf, flow, opts, want string }{
		{"e2", "gq", ``, `flow_defs part 0 "gq": layer "q" is not available on manifold e2`},
		{"e2+i1", "gg", ``, "flow_defs"},
		{"e2", "r", ``, `layer "r" is not available on manifold e2`},
		{"x2", "g", ``, "pdf_defs"},
		{"e2", "gg", `{"g": {"num_kde": 0}}`, `option "num_kde"`},
		{"e2", "gg", `{"g": {"rotation_mode": "spin"}}`, `must be one of`},
		{"e2", "gg", `{"g": {"bogus": 1}}`, `unknown option "bogus"`},
		{"e2", "gg", `{"(0, 5)": {"g": {"num_kde": 3}}}`, `layer (0, 5) does not exist`},
		{"e2", "gg", `{"3": {"g": {"num_kde": 3}}}`, `sub-manifold index 3`},
	}
	for _, c := range cases {
		opts, err := spec.ParseOverridesJSON([]byte(c.opts))
		if err != nil {
			t.Fatal(err)
		}
		cfg := flowcore.DefaultConfig()
		cfg.Options = opts
		_, err = flowcore.New(c.pdf, c.flow, cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%q, %q, %s): error %v, want %q", c.pdf, c.flow, c.opts, err, c.want)
		}
	}
	cfg := flowcore.DefaultConfig()
	cfg.AmortizationMLPDims = "64-x"
	if _, err := flowcore.New("e1+e1", "g+g", cfg); err == nil || !strings.Contains(err.Error(), "amortization_mlp_dims") {
		t.Errorf("bad MLP dims: %v", err)
	}
}

func TestBadRowsStayInTheirRow(t *testing.T) {
	p, err := flowcore.New("e1+i1_-1.0_2.0", "g+r", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.1, 0.5, math.NaN(), 0.5, 0.3, 3.0, 0.2, -1.0, 0.2, math.Inf(1)}
	d, g, err := p.LogDensityGrad(x, 5, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(d.LogPDF[0]) || math.IsInf(d.LogPDF[0], 0) || math.IsInf(d.LogPDF[3], 0) {
		t.Errorf("valid rows: %v", d.LogPDF)
	}
	if !math.IsNaN(d.LogPDF[1]) || !math.IsInf(d.LogPDF[2], -1) || !math.IsInf(d.LogPDF[4], -1) {
		t.Errorf("NaN row / outside rows: %v", d.LogPDF)
	}
	for _, v := range g.Params {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatal("a bad row leaked into the parameter gradient")
		}
	}
	// Same values for the valid rows as when evaluated alone.
	alone, _ := p.LogDensity(x[6:8], 1, nil, flowcore.SavedCoords)
	if alone.LogPDF[0] != d.LogPDF[3] {
		t.Errorf("row 3 %v alone %v", d.LogPDF[3], alone.LogPDF[0])
	}
	if _, err := p.LogDensity(x[:3], 2, nil, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "x:") {
		t.Errorf("shape error: %v", err)
	}
	if _, err := p.LogDensity(x[:2], 1, []float64{1}, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "conditional_input") {
		t.Errorf("conditional error: %v", err)
	}
}

func TestResultsIndependentOfThreads(t *testing.T) {
	p, err := flowcore.New("e2+e1", "gg+g", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer flowcore.SetThreads(0)
	run := func(threads int) (flowcore.Samples, flowcore.Gradients) {
		flowcore.SetThreads(threads)
		s, err := p.Sample(2000, nil, 5, flowcore.SavedCoords)
		if err != nil {
			t.Fatal(err)
		}
		_, g, err := p.LogDensityGrad(s.X, 2000, nil, flowcore.SavedCoords)
		if err != nil {
			t.Fatal(err)
		}
		return s, g
	}
	s1, g1 := run(1)
	s4, g4 := run(4)
	for i := range s1.X {
		if s1.X[i] != s4.X[i] {
			t.Fatal("samples depend on the thread count")
		}
	}
	for i := range g1.Params {
		if g1.Params[i] != g4.Params[i] {
			t.Fatal("gradients depend on the thread count")
		}
	}
}

func TestConditionalSampling(t *testing.T) {
	cfg := flowcore.DefaultConfig()
	cfg.ConditionalInputDim, cfg.AmortizationMLPDims = 2, "16"
	p, err := flowcore.New("e1+i1", "g+r", cfg)
	if err != nil {
		t.Fatal(err)
	}
	cond := []float64{1, 2, 3, 4, 5, 6}
	s, err := p.Sample(3, cond, 1, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.LogDensity(s.X, 3, cond, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.LogPDF {
		if math.Abs(d.LogPDF[i]-s.LogPDF[i]) > 1e-9 {
			t.Errorf("row %d: %v vs %v", i, d.LogPDF[i], s.LogPDF[i])
		}
	}
	if _, err := p.Sample(3, nil, 1, flowcore.SavedCoords); err == nil {
		t.Error("conditional PDF sampled without conditional input")
	}
}

// TestSampleVJPIsFromBaseVJP checks that SampleVJP gives the gradients of FromBaseVJP at the
// base points it draws (the property harness checks FromBaseVJP against finite differences),
// conditional inputs included, and that LogDensityVJP rejects weights of the wrong length.
func TestSampleVJPIsFromBaseVJP(t *testing.T) {
	p, err := flowcore.New("s2+e1", "f+g", flowcore.Config{AmortizationMLPDims: "8", ConditionalInputDim: 2})
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	cond := make([]float64, 2*n)
	for i := range cond {
		cond[i] = math.Sin(float64(3*i + 1))
	}
	seeds := flowcore.SampleSeeds{SeedX: make([]float64, 3*n), SeedLogPDF: []float64{1, 0.5, -1, 2, 0}}
	for i := range seeds.SeedX {
		seeds.SeedX[i] = 0.3 + 0.1*float64(i%4)
	}
	drawn, g, err := p.SampleVJP(n, cond, 9, flowcore.SavedCoords, seeds)
	if err != nil {
		t.Fatal(err)
	}
	_, gb, err := p.FromBaseVJP(drawn.Base, n, cond, flowcore.SavedCoords, seeds)
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2][]float64{"params": {g.Params, gb.Params}, "cond": {g.Cond, gb.Cond}, "base": {g.Base, gb.Base}} {
		for j := range pair[0] {
			if pair[0][j] != pair[1][j] {
				t.Fatalf("%s %d: SampleVJP %v, FromBaseVJP %v", name, j, pair[0][j], pair[1][j])
			}
		}
	}
	if _, _, err := p.LogDensityVJP(drawn.X, n, cond, flowcore.SavedCoords, []float64{1}); err == nil || !strings.Contains(err.Error(), "weights") {
		t.Errorf("short weights: error %v, want one naming weights", err)
	}
	if _, err := p.FromBase(drawn.Base[:3], n, cond, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "base") {
		t.Errorf("short base: error %v, want one naming base", err)
	}
}

// TestResultsIntoCallerSlices checks LogDensityInto and SampleInto against LogDensity and Sample
// (bad rows included), results left out where a slice is nil, and output lengths checked.
func TestResultsIntoCallerSlices(t *testing.T) {
	p, err := flowcore.New("e1+i1_-1.0_2.0", "g+r", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.1, 0.5, math.NaN(), 0.5, 0.3, 3.0, 0.2, -1.0, 0.2, math.Inf(1)}
	want, err := p.LogDensity(x, 5, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	got := flowcore.Density{LogPDF: make([]float64, 5), Base: make([]float64, 10)}
	if err := p.LogDensityInto(got, x, 5, nil, nil, flowcore.SavedCoords); err != nil {
		t.Fatal(err)
	}
	if !sameFloats(got.LogPDF, want.LogPDF) || !sameFloats(got.Base, want.Base) {
		t.Errorf("LogDensityInto %v %v, LogDensity %v %v", got.LogPDF, got.Base, want.LogPDF, want.Base)
	}
	short := flowcore.Density{BaseLogPDF: make([]float64, 4)}
	if err := p.LogDensityInto(short, x, 5, nil, nil, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "base_log_pdf") {
		t.Errorf("short output: %v", err)
	}
	s, err := p.Sample(300, nil, 7, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	into := flowcore.Samples{X: make([]float64, 600), LogPDF: make([]float64, 300)}
	if err := p.SampleInto(into, 300, nil, nil, 7, flowcore.SavedCoords); err != nil {
		t.Fatal(err)
	}
	if !sameFloats(into.X, s.X) || !sameFloats(into.LogPDF, s.LogPDF) {
		t.Error("SampleInto differs from Sample")
	}
	if err := p.SampleInto(flowcore.Samples{Base: make([]float64, 3)}, 300, nil, nil, 7, flowcore.SavedCoords); err == nil ||
		!strings.Contains(err.Error(), "base") {
		t.Errorf("short output: %v", err)
	}
}

// sameFloats reports whether a and b hold the same values (NaN equal to NaN).
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
