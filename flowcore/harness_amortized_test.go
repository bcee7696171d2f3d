package flowcore_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// amortizedEntries run every layer family with parameters (all but z) as a fully amortized layer:
// amortize_everything with a conditional input (scaled by 100, as upstream's tests do; N(0, 1)
// for smallCond) feeding sub-manifold 0's MLP, every layer parameter and MLP weight given per
// event.
var amortizedEntries = []harnessEntry{
	{name: "ae_e2_gg", pdf: "e2", flow: "gg", cond: 2},
	{name: "ae_e2_gt_full", pdf: "e2", flow: "gt", cond: 2, options: `{"t":{"cov_type":"full"}}`},
	{name: "ae_e2_g_rq_splines", pdf: "e2", flow: "g", cond: 1, options: `{"g":{"nonlinear_stretch_type":"rq_splines"}}`},
	{name: "ae_i1_r", pdf: "i1_-1.0_2.0", flow: "rr", cond: 2},
	{name: "ae_s1_m", pdf: "s1", flow: "m", cond: 2},
	{name: "ae_s1_o", pdf: "s1", flow: "o", cond: 1},
	{name: "ae_s2_f", pdf: "s2", flow: "ff", cond: 2},
	{name: "ae_s2_v", pdf: "s2", flow: "v", cond: 2, rtTol: 1e-7},
	{name: "ae_s2_n", pdf: "s2", flow: "n", cond: 2},
	{name: "ae_e2_gx", pdf: "e2", flow: "gx", cond: 2, options: `{"x":{"add_offset":1}}`},
	{name: "ae_s2_y", pdf: "s2", flow: "y", cond: 2, options: `{"y":{"add_rotation":1}}`},
	// highway mode 3: the linear highway sees the inputs directly (N(0, 1), as the harness does)
	{name: "ae_e1_s2_h3", pdf: "e1+s2", flow: "g+f", cond: 2, smallCond: true, amort: `{"amortization_mlp_highway_mode":3}`},
	{name: "ae_s1_i1_uncond", pdf: "s1+i1", flow: "m+r"},
}

// amortizedModel builds an amortize-everything entry (custom MLPs 8 wide) and n rows of its
// conditional inputs and amortization parameters (init_params' row + 0.05·N(0,1)).
func amortizedModel(t *testing.T, e harnessEntry, n int, seed uint64) (*flowcore.PDF, []float64, []float64) {
	t.Helper()
	e.mlp = "8"
	amort := `{"amortize_everything":true,"amortization_mlp_use_custom_mode":true}`
	if e.amort != "" {
		amort = e.amort[:len(e.amort)-1] + `,"amortize_everything":true,"amortization_mlp_use_custom_mode":true}`
	}
	e.amort = amort
	cfg := harnessConfig(t, e)
	p, err := flowcore.New(e.pdf, e.flow, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 17))
	var cond []float64
	scale := 100.0
	if e.smallCond {
		scale = 1
	}
	for i := 0; i < n*p.ConditionalDim(); i++ {
		cond = append(cond, scale*rng.NormFloat64())
	}
	init := p.AmortizationInit()
	rows := make([]float64, 0, n*len(init))
	for i := 0; i < n; i++ {
		for _, v := range init {
			rows = append(rows, v+0.05*rng.NormFloat64())
		}
	}
	return p, cond, rows
}

func TestHarnessAmortized(t *testing.T) {
	for _, e := range amortizedEntries {
		t.Run(e.name, func(t *testing.T) {
			checkAmortizedRoundTrip(t, e)
			checkAmortizedGradients(t, e)
			checkAmortizedSampleVJP(t, e)
		})
	}
}

// checkAmortizedRoundTrip: samples drawn with per-event amortization parameters reproduce their
// base points and log_pdf when evaluated; the recording path gives the value-only numbers.
func checkAmortizedRoundTrip(t *testing.T, e harnessEntry) {
	tol := e.rtTol
	if tol == 0 {
		tol = 1e-9
	}
	const n = 300
	p, cond, amort := amortizedModel(t, e, n, 9)
	s, err := p.SampleAmortized(n, cond, amort, 42, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.LogDensityAmortized(s.X, n, cond, amort, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	dg, _, err := p.LogDensityGradAmortized(s.X, n, cond, amort, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := 0; i < n; i++ {
		if math.IsNaN(s.LogPDF[i]) || math.IsInf(s.LogPDF[i], 0) {
			t.Fatalf("sample %d has log_pdf %g", i, s.LogPDF[i])
		}
		worst = math.Max(worst, math.Abs(d.LogPDF[i]-s.LogPDF[i])/math.Max(1, math.Abs(s.LogPDF[i])))
		if math.Abs(d.LogPDF[i]-dg.LogPDF[i]) > 1e-12*math.Max(1, math.Abs(d.LogPDF[i])) {
			t.Fatalf("row %d: value-only log_pdf %.17g, recording %.17g", i, d.LogPDF[i], dg.LogPDF[i])
		}
	}
	for i := range s.Base {
		worst = math.Max(worst, math.Abs(d.Base[i]-s.Base[i]))
	}
	if worst > tol {
		t.Errorf("round trip: largest difference %.3g > %.g", worst, tol)
	}
}

// centralDiff returns the central finite difference (step 1e-6) of f with respect to v[j],
// restoring v[j].
func centralDiff(v []float64, j int, f func() float64) float64 {
	const h = 1e-6
	orig := v[j]
	v[j] = orig + h
	fp := f()
	v[j] = orig - h
	fm := f()
	v[j] = orig
	return (fp - fm) / (2 * h)
}

// probeIndices returns up to k sorted random indices below n.
func probeIndices(n, k int, seed uint64) []int {
	idx := rand.New(rand.NewPCG(seed, 13)).Perm(n)
	if len(idx) > k {
		idx = idx[:k]
	}
	return idx
}

// checkAmortizedGradients compares the gradients of Σ log p with respect to the amortization
// parameters and the points with central finite differences.
func checkAmortizedGradients(t *testing.T, e harnessEntry) {
	const n = 4
	p, cond, amort := amortizedModel(t, e, n, 4)
	s, err := p.SampleAmortized(n, cond, amort, 7, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	x := s.X
	_, g, err := p.LogDensityGradAmortized(x, n, cond, amort, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	sum := func() float64 {
		d, _ := p.LogDensityAmortized(x, n, cond, amort, flowcore.SavedCoords)
		s := 0.0
		for _, v := range d.LogPDF {
			s += v
		}
		return s
	}
	for what, v := range map[string][]float64{"amortization": amort, "x": x} {
		grad := g.Amortization
		if what == "x" {
			grad = g.X
		}
		for _, j := range probeIndices(len(v), 30, 11) {
			fd := centralDiff(v, j, sum)
			if math.Abs(grad[j]-fd) > 2e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("d/d%s[%d]: analytic %.10g, finite difference %.10g", what, j, grad[j], fd)
			}
		}
	}
}

// checkAmortizedSampleVJP compares the reparameterization gradient of Σ X·seed + Σ log_pdf with
// respect to the amortization parameters with central finite differences at a fixed seed.
func checkAmortizedSampleVJP(t *testing.T, e harnessEntry) {
	const n = 4
	p, cond, amort := amortizedModel(t, e, n, 6)
	dim, _ := p.Dim(flowcore.SavedCoords)
	rng := rand.New(rand.NewPCG(8, 9))
	seedX := make([]float64, n*dim)
	for i := range seedX {
		seedX[i] = rng.NormFloat64()
	}
	seedLP := []float64{1, 1, 1, 1}
	_, g, err := p.SampleVJPAmortized(n, cond, amort, 5, flowcore.SavedCoords, flowcore.SampleSeeds{SeedX: seedX, SeedLogPDF: seedLP})
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		s, _ := p.SampleAmortized(n, cond, amort, 5, flowcore.SavedCoords)
		l := 0.0
		for i, v := range s.X {
			l += v * seedX[i]
		}
		for _, v := range s.LogPDF {
			l += v
		}
		return l
	}
	for _, j := range probeIndices(len(amort), 30, 12) {
		fd := centralDiff(amort, j, loss)
		if math.Abs(g.Amortization[j]-fd) > 1e-4*math.Max(1, math.Abs(fd)) {
			t.Errorf("sample d/damortization[%d]: analytic %.10g, finite difference %.10g", j, g.Amortization[j], fd)
		}
	}
}
