package flowcore_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/layers/sphere"
	"github.com/gojammy/gojammy/flowcore/spec"
	"gonum.org/v1/gonum/mat"
)

// harnessEntry is one model of the shared property harness.
type harnessEntry struct {
	name, pdf, flow string
	options         string // options_overwrite as JSON
	cond            int    // conditional input dimension
	mlp             string // amortization_mlp_dims ("" = default "128")
	// amort holds further conditioning settings as JSON (Config.SetAmortizationJSON).
	amort string
	// rtTol loosens the round-trip tolerance (default 1e-9) for layers with iterative inverses.
	rtTol float64
	// smallCond draws conditional inputs N(0, 1) instead of N(0, 100²): for custom MLPs, whose
	// linear highway paths would carry ×100 inputs (with the harness's perturbed weights) to
	// layer parameters far outside any trained range.
	smallCond bool
}

// harnessEntries lists every layer and option group with multi-layer and multi-manifold PDFs.
// Sphere entries are added by the sphere layers.
var harnessEntries = []harnessEntry{
	{name: "e1_g", pdf: "e1", flow: "g"},
	{name: "e2_gggg", pdf: "e2", flow: "gggg"},
	{name: "e2_gggt", pdf: "e2", flow: "gggt"},
	{name: "e3_gg", pdf: "e3", flow: "gg"},
	{name: "g_isigmoid", pdf: "e2", flow: "gg", options: `{"g":{"replace_first_sigmoid_with_icdf":0}}`},
	// The full Padé form computes ψ from a difference that cancels near F = 1/2 (kept as upstream
	// has it, see gaussianization.winitzki): an ulp in F moves ψ by up to ~1e-9 there.
	{name: "g_full_pade", pdf: "e2", flow: "gg", options: `{"g":{"inverse_function_type":"inormal_full_pade"}}`, rtTol: 1e-8},
	{name: "g_partly_crude", pdf: "e2", flow: "gg", options: `{"g":{"inverse_function_type":"inormal_partly_crude"}}`},
	{name: "g_skewness", pdf: "e1", flow: "gg", options: `{"g":{"add_skewness":1}}`},
	{name: "g_center_mean", pdf: "e2", flow: "g", options: `{"g":{"center_mean":1}}`},
	{name: "g_softplus_width", pdf: "e2", flow: "g", options: `{"g":{"softplus_for_width":1}}`},
	{name: "g_clamp_widths", pdf: "e2", flow: "g", options: `{"g":{"clamp_widths":1}}`},
	{name: "g_no_saturation", pdf: "e1", flow: "g", options: `{"g":{"width_smooth_saturation":0}}`},
	{name: "g_no_fit_norm", pdf: "e2", flow: "g", options: `{"g":{"fit_normalization":0}}`},
	{name: "g_no_regulate_norm", pdf: "e1", flow: "g", options: `{"g":{"regulate_normalization":0}}`},
	{name: "g_kde3_hh1", pdf: "e2", flow: "g", options: `{"g":{"num_kde":3,"num_householder_iter":1}}`},
	{name: "g_angles", pdf: "e2", flow: "gg", options: `{"g":{"rotation_mode":"angles"}}`},
	{name: "g_triangular", pdf: "e2", flow: "g", options: `{"g":{"rotation_mode":"triangular_combination"}}`},
	{name: "g_cayley", pdf: "e2", flow: "g", options: `{"g":{"rotation_mode":"cayley"}}`},
	{name: "g_none", pdf: "e2", flow: "g", options: `{"g":{"rotation_mode":"none"}}`},
	{name: "g_rq_splines", pdf: "e2", flow: "gg", options: `{"g":{"nonlinear_stretch_type":"rq_splines"}}`},
	{name: "t_identity", pdf: "e2", flow: "gt", options: `{"t":{"cov_type":"identity"}}`},
	{name: "t_diagonal_symmetric", pdf: "e2", flow: "t", options: `{"t":{"cov_type":"diagonal_symmetric"}}`},
	{name: "t_diagonal", pdf: "e2", flow: "t"},
	{name: "t_full", pdf: "e2", flow: "gt", options: `{"t":{"cov_type":"full"}}`},
	{name: "x_offset", pdf: "e2", flow: "gx", options: `{"x":{"add_offset":1}}`},
	{name: "i1_r", pdf: "i1", flow: "r"},
	{name: "i1_wide_rr", pdf: "i1_-3.0_3.0", flow: "rr"},
	{name: "r_smooth2", pdf: "i1", flow: "r", options: `{"r":{"smooth_second_derivative":1,"num_basis_functions":2}}`},
	{name: "r_smooth3_fixed", pdf: "i1", flow: "r", options: `{"r":{"smooth_second_derivative":1,"num_basis_functions":3,"fix_boundary_derivatives":1.0}}`},
	{name: "r_fixbd", pdf: "i1", flow: "r", options: `{"r":{"fix_boundary_derivatives":1.5}}`},
	{name: "r_ratio", pdf: "i1", flow: "r", options: `{"r":{"restrict_max_min_width_height_ratio":5.0}}`},
	{name: "r_fixfirst_indep", pdf: "i1", flow: "r", options: `{"r":{"fix_first_width_n_height_to_zero":1,"also_fix_second_width_to_zero":1,"independent_width_height_parametrization":1}}`},
	{name: "r_min_sizes", pdf: "i1", flow: "r", options: `{"r":{"min_width":0.01,"min_height":0.02,"min_derivative":0.05}}`},
	{name: "i1_z", pdf: "i1_-2.0_5.0", flow: "z"},
	{name: "e1_i1", pdf: "e1+i1_-1.0_2.0", flow: "gg+r", mlp: "16"},
	{name: "i1_e1", pdf: "i1+e1", flow: "r+g", mlp: "8-8"},
	{name: "e2_i1_e1", pdf: "e2+i1_-1.0_2.0+e1", flow: "gg+r+g", mlp: "16"},
	{name: "e1_e2_e1", pdf: "e1+e2+e1", flow: "gg+g+ggg", mlp: "16"},
	{name: "cond_e2_gg", pdf: "e2", flow: "gg", cond: 2, mlp: "16"},
	{name: "cond_i1_e1", pdf: "i1+e1", flow: "rr+g", cond: 1, mlp: "8"},
	{name: "s1_m", pdf: "s1", flow: "m"},
	{name: "s1_m_natural", pdf: "s1", flow: "mm", options: `{"m":{"natural_direction":1,"add_rotation":1}}`},
	{name: "s1_o", pdf: "s1", flow: "oo"},
	{name: "s1_o_free", pdf: "s1", flow: "o", options: `{"o":{"smooth_second_derivative":0,"num_basis_functions":4}}`},
	{name: "s2_y_rot", pdf: "s2", flow: "y", options: `{"y":{"add_rotation":1}}`},
	{name: "s2_f", pdf: "s2", flow: "ff"},
	{name: "s2_f_subflows", pdf: "s2", flow: "f", options: `{"f":{"add_vertical_rq_spline_flow":1,"add_circular_rq_spline_flow":1,"boundary_cos_theta_identity_region":0.2}}`},
	{name: "s2_f_recommended", pdf: "s2", flow: "fff", options: recommendedF},
	{name: "s2_f_angles_softplus", pdf: "s2", flow: "f", options: `{"f":{"rotation_mode":"angles","kappa_prediction":"softplus_real_bounded"}}`},
	{name: "s2_v", pdf: "s2", flow: "v", rtTol: 1e-7},
	{name: "s2_v_splines", pdf: "s2", flow: "v", options: `{"v":{"exp_map_type":"splines","natural_direction":1}}`, rtTol: 1e-7},
	{name: "s2_v_linear_rot", pdf: "s2", flow: "v", options: `{"v":{"exp_map_type":"linear","add_rotation":1}}`, rtTol: 1e-7},
	{name: "s2_v_quadratic_householder", pdf: "s2", flow: "v", options: `{"v":{"exp_map_type":"quadratic","mean_parametrization":"householder"}}`, rtTol: 1e-7},
	{name: "cond_s2_v", pdf: "s2", flow: "v", cond: 2, mlp: "16", rtTol: 1e-7},
	{name: "s2_n", pdf: "s2", flow: "n"},
	{name: "s2_n_highway3", pdf: "s2", flow: "n", options: `{"n":{"highway_mode":3,"hidden_dims":"8-8","max_rank":2}}`},
	{name: "e2_s2", pdf: "e2+s2", flow: "gg+f", mlp: "16"},
	{name: "e1_s1", pdf: "e1+s1", flow: "g+m", mlp: "16"},
	{name: "s2_e1", pdf: "s2+e1", flow: "f+g", mlp: "16"},
	{name: "s2_n_conditional_sub", pdf: "e1+s2", flow: "g+n", mlp: "16"},
	{name: "cond_s2_f", pdf: "s2", flow: "ff", cond: 2, mlp: "16"},
	{name: "cond_list_custom_h3", pdf: "e2+s2", flow: "gg+f", smallCond: true, amort: `{"conditional_input_dim":[2,null],"amortization_mlp_dims":["16","8"],` +
		`"amortization_mlp_use_custom_mode":true,"amortization_mlp_ranks":["2-3-1",0],"amortization_mlp_highway_mode":3}`},
	{name: "cond_custom_h4_lowrank", pdf: "e1+s2", flow: "g+f", cond: 3, smallCond: true, amort: `{"amortization_mlp_use_custom_mode":true,` +
		`"amortization_mlp_dims":"16-8","amortization_mlp_ranks":2,"amortization_mlp_highway_mode":4}`},
	{name: "cond_list_default", pdf: "i1+e1", flow: "r+g", mlp: "8", amort: `{"conditional_input_dim":[1,2]}`},
	// Every layer family once more as a conditional layer (its parameters from the MLP).
	{name: "cond_e2_gt", pdf: "e2", flow: "gt", cond: 2, mlp: "8", options: `{"t":{"cov_type":"full"}}`},
	{name: "cond_e2_gx", pdf: "e2", flow: "gx", cond: 2, mlp: "8", options: `{"x":{"add_offset":1}}`},
	{name: "cond_i1_z", pdf: "i1_-2.0_5.0", flow: "z", cond: 2, mlp: "8"},
	{name: "cond_s1_m", pdf: "s1", flow: "m", cond: 2, mlp: "8"},
	{name: "cond_s1_o", pdf: "s1", flow: "o", cond: 2, mlp: "8"},
	{name: "cond_s2_y", pdf: "s2", flow: "y", cond: 2, mlp: "8", options: `{"y":{"add_rotation":1}}`},
	{name: "cond_s2_n", pdf: "s2", flow: "n", cond: 2, mlp: "8", rtTol: 1e-7},
	{name: "fully_amortized_e1_s2", pdf: "e1+s2", flow: "g+f", amort: `{"fully_amortized_pdf":{"conditional_input_dim":2,` +
		`"inner_mlp_dims_sub_pdfs":"8","amortization_mlp_dims":"8"}}`},
	{name: "poisson_cond_sep", pdf: "e2", flow: "gg", cond: 2, mlp: "8", amort: `{"predict_log_normalization":true}`},
}

// recommendedF is the f option set jammy_flows' docs recommend for S2 (§15 of the reference).
var recommendedF = func() string {
	b, err := json.Marshal(map[string]any{"f": sphere.RecommendedF})
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// harnessConfig returns an entry's Config.
func harnessConfig(t *testing.T, e harnessEntry) flowcore.Config {
	t.Helper()
	opts, err := spec.ParseOverridesJSON([]byte(e.options))
	if err != nil {
		t.Fatal(err)
	}
	cfg := flowcore.DefaultConfig()
	cfg.Options, cfg.ConditionalInputDim = opts, e.cond
	if e.mlp != "" {
		cfg.AmortizationMLPDims = e.mlp
	}
	if e.amort != "" {
		if err := cfg.SetAmortizationJSON([]byte(e.amort)); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

// harnessModel builds an entry with random non-default parameters.
func harnessModel(t *testing.T, e harnessEntry) *flowcore.PDF {
	t.Helper()
	p, err := flowcore.New(e.pdf, e.flow, harnessConfig(t, e))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 5))
	params := p.Params()
	for i := range params {
		params[i] += 0.2 * rng.NormFloat64()
	}
	if err := p.SetParams(params); err != nil {
		t.Fatal(err)
	}
	return p
}

// condScale is the scale of the conditional inputs of the entry under test: 100 as upstream's
// tests scale them (large inputs saturate the conditioning MLPs' activations), 1 for smallCond.
var condScale = 100.0

// condRows draws n rows of conditional input, N(0, condScale²).
func condRows(p *flowcore.PDF, n int, seed uint64) []float64 {
	if p.ConditionalDim() == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	c := make([]float64, n*p.ConditionalDim())
	for i := range c {
		c[i] = condScale * rng.NormFloat64()
	}
	return c
}

func TestHarness(t *testing.T) {
	for _, e := range harnessEntries {
		t.Run(e.name, func(t *testing.T) {
			condScale = 100
			if e.smallCond {
				condScale = 1
			}
			p := harnessModel(t, e)
			checkRoundTrip(t, p, e)
			checkTapeFree(t, p)
			checkLogDetJacobian(t, p)
			checkGradients(t, p)
			checkSampleGradients(t, p)
			checkSharedCond(t, p, e)
			checkEmbeddingCoordinates(t, p)
			// the quadrature is the slow part; -short (make test-race) leaves it out
			if d, _ := p.Dim(flowcore.SavedCoords); p.ConditionalDim() == 0 && d <= 2 && !testing.Short() {
				checkNormalization(t, p)
			}
		})
	}
}

// checkRoundTrip: sample -> density reproduces base points and log_pdf.
func checkRoundTrip(t *testing.T, p *flowcore.PDF, e harnessEntry) {
	tol := e.rtTol
	if tol == 0 {
		tol = 1e-9
	}
	const n = 300
	cond := condRows(p, n, 9)
	s, err := p.Sample(n, cond, 42, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.LogDensity(s.X, n, cond, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := 0; i < n; i++ {
		if math.IsNaN(s.LogPDF[i]) || math.IsInf(s.LogPDF[i], 0) {
			t.Fatalf("sample %d has log_pdf %g", i, s.LogPDF[i])
		}
		worst = math.Max(worst, math.Abs(d.LogPDF[i]-s.LogPDF[i])/math.Max(1, math.Abs(s.LogPDF[i])))
		worst = math.Max(worst, math.Abs(d.BaseLogPDF[i]-s.BaseLogPDF[i]))
	}
	for i := range s.Base {
		worst = math.Max(worst, math.Abs(d.Base[i]-s.Base[i]))
	}
	if worst > tol {
		t.Errorf("round trip: largest difference %.3g > %.g", worst, tol)
	}
	again, _ := p.Sample(n, cond, 42, flowcore.SavedCoords)
	for i := range again.X {
		if again.X[i] != s.X[i] {
			t.Fatal("the same seed gave different samples")
		}
	}
}

// checkTapeFree: the value-only path (LogDensity, Sample: nothing recorded) gives the numbers of
// the recording path (LogDensityGrad, SampleVJP) to 1e-12 relative, on a batch with full and
// partial blocks of either path.
func checkTapeFree(t *testing.T, p *flowcore.PDF) {
	const n = 300
	cond := condRows(p, n, 5)
	free, err := p.Sample(n, cond, 11, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	taped, _, err := p.SampleVJP(n, cond, 11, flowcore.SavedCoords, flowcore.SampleSeeds{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.LogDensity(free.X, n, cond, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	dg, _, err := p.LogDensityGrad(free.X, n, cond, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, a, b []float64) {
		t.Helper()
		for i := range a {
			if !(a[i] == b[i] || math.Abs(a[i]-b[i]) <= 1e-12*math.Max(1, math.Abs(b[i])) || (math.IsNaN(a[i]) && math.IsNaN(b[i]))) {
				t.Fatalf("%s %d: value-only %.17g, recording %.17g", what, i, a[i], b[i])
			}
		}
	}
	same("sample", free.X, taped.X)
	same("sample log_pdf", free.LogPDF, taped.LogPDF)
	same("log_pdf", d.LogPDF, dg.LogPDF)
	same("base", d.Base, dg.Base)
}

// evalPoints returns a few sampled points (and their conditional rows) to probe derivatives at.
func evalPoints(t *testing.T, p *flowcore.PDF, n int) ([]float64, []float64) {
	cond := condRows(p, n, 4)
	s, err := p.Sample(n, cond, 7, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	return s.X, cond
}

// checkLogDetJacobian: log p − log N(z) equals log|det ∂z/∂x| from a finite-difference Jacobian.
func checkLogDetJacobian(t *testing.T, p *flowcore.PDF) {
	dim, _ := p.Dim(flowcore.SavedCoords)
	bd := p.BaseDim()
	if dim != bd {
		return
	}
	const n, h = 4, 1e-6
	x, cond := evalPoints(t, p, n)
	d, _ := p.LogDensity(x, n, cond, flowcore.SavedCoords)
	for i := 0; i < n; i++ {
		jac := mat.NewDense(dim, dim, nil)
		for j := 0; j < dim; j++ {
			xp := append([]float64(nil), x[i*dim:(i+1)*dim]...)
			xm := append([]float64(nil), xp...)
			xp[j] += h
			xm[j] -= h
			var c []float64
			if cond != nil {
				cd := p.ConditionalDim()
				c = cond[i*cd : (i+1)*cd]
			}
			dp, _ := p.LogDensity(xp, 1, c, flowcore.SavedCoords)
			dm, _ := p.LogDensity(xm, 1, c, flowcore.SavedCoords)
			for k := 0; k < dim; k++ {
				jac.Set(k, j, (dp.Base[k]-dm.Base[k])/(2*h))
			}
		}
		logDet, _ := mat.LogDet(jac)
		if got := d.LogPDF[i] - d.BaseLogPDF[i]; math.Abs(got-logDet) > 1e-5*math.Max(1, math.Abs(logDet)) {
			t.Errorf("point %d: log-det %.10g, finite-difference Jacobian %.10g", i, got, logDet)
		}
	}
}

// checkFD compares analytic[j] with the central finite difference of f in v[j] (f reads v) for
// the indices idx (nil: all), to 2e-5 relative.
func checkFD(t *testing.T, what string, v []float64, idx []int, analytic []float64, f func() float64) {
	t.Helper()
	if idx == nil {
		idx = make([]int, len(v))
		for j := range idx {
			idx[j] = j
		}
	}
	const h = 1e-6
	for _, j := range idx {
		orig := v[j]
		v[j] = orig + h
		fp := f()
		v[j] = orig - h
		fm := f()
		v[j] = orig
		fd := (fp - fm) / (2 * h)
		if math.Abs(analytic[j]-fd) > 2e-5*math.Max(1, math.Abs(fd)) {
			t.Errorf("d/d%s[%d]: analytic %.10g, finite difference %.10g", what, j, analytic[j], fd)
		}
	}
}

// someIndices returns up to 25 sorted random indices below n.
func someIndices(n int, seed uint64) []int {
	idx := rand.New(rand.NewPCG(seed, 13)).Perm(n)
	if len(idx) > 25 {
		idx = idx[:25]
	}
	sort.Ints(idx)
	return idx
}

// checkGradients compares the gradients of Σ w·log p with respect to parameters, points and
// conditional inputs with central finite differences.
func checkGradients(t *testing.T, p *flowcore.PDF) {
	const n = 6
	x, cond := evalPoints(t, p, n)
	w := []float64{1, -0.5, 2, 0.75, 1, 0.3}
	_, g, err := p.LogDensityVJP(x, n, cond, flowcore.SavedCoords, w)
	if err != nil {
		t.Fatal(err)
	}
	sum := func() float64 {
		d, _ := p.LogDensity(x, n, cond, flowcore.SavedCoords)
		s := 0.0
		for i, v := range d.LogPDF {
			s += w[i] * v
		}
		return s
	}
	params := p.Params()
	checkFD(t, "param", params, someIndices(len(params), 11), g.Params, func() float64 {
		_ = p.SetParams(params)
		return sum()
	})
	_ = p.SetParams(params)
	checkFD(t, "x", x, nil, g.X, sum)
	checkFD(t, "cond", cond, nil, g.Cond, sum)
}

// checkSharedCond: LogDensityAt and SampleAt (one conditional row for all points, the
// conditioning networks run once per block) agree with LogDensity and Sample given that row
// repeated, to 1e-12 relative (1e-10 for the entries with a loosened round trip, whose layers
// amplify rounding).
func checkSharedCond(t *testing.T, p *flowcore.PDF, e harnessEntry) {
	if p.ConditionalDim() == 0 {
		return
	}
	const n = 300
	row := condRows(p, 1, 29)
	repeated := slices.Repeat(row, n)
	s, err := p.Sample(n, repeated, 31, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	at, err := p.SampleAt(n, row, 31, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	d, err := p.LogDensity(s.X, n, repeated, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	dAt, err := p.LogDensityAt(s.X, n, row, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	tol := 1e-12
	if e.rtTol != 0 {
		tol = 1e-10
	}
	near := func(a, b float64) bool { return a == b || math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }
	for i := range s.X {
		if !near(at.X[i], s.X[i]) {
			t.Fatalf("SampleAt value %d: %v, Sample %v", i, at.X[i], s.X[i])
		}
	}
	for i := range d.LogPDF {
		if !near(dAt.LogPDF[i], d.LogPDF[i]) || !near(at.LogPDF[i], s.LogPDF[i]) {
			t.Fatalf("row %d: LogDensityAt %v vs %v, SampleAt log p %v vs %v", i, dAt.LogPDF[i], d.LogPDF[i], at.LogPDF[i], s.LogPDF[i])
		}
	}
}

// checkSampleGradients compares the gradients of Σ X·a + Σ log p·b through sampling (the
// reparameterization gradients, implicit through every root finder) with respect to the
// parameters, the base draws and the conditional inputs with central finite differences.
func checkSampleGradients(t *testing.T, p *flowcore.PDF) {
	const n = 4
	cond := condRows(p, n, 17)
	drawn, err := p.Sample(n, cond, 23, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	base := drawn.Base
	dim, _ := p.Dim(flowcore.SavedCoords)
	seeds := flowcore.SampleSeeds{SeedX: make([]float64, n*dim), SeedLogPDF: []float64{1, -0.5, 0.25, 2}}
	for i := range seeds.SeedX {
		seeds.SeedX[i] = math.Cos(float64(i))
	}
	_, g, err := p.FromBaseVJP(base, n, cond, flowcore.SavedCoords, seeds)
	if err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		s, _ := p.FromBase(base, n, cond, flowcore.SavedCoords)
		v := 0.0
		for i, x := range s.X {
			v += x * seeds.SeedX[i]
		}
		for i, l := range s.LogPDF {
			v += l * seeds.SeedLogPDF[i]
		}
		return v
	}
	params := p.Params()
	checkFD(t, "param (sampling)", params, someIndices(len(params), 19), g.Params, func() float64 {
		_ = p.SetParams(params)
		return loss()
	})
	_ = p.SetParams(params)
	checkFD(t, "base", base, nil, g.Base, loss)
	checkFD(t, "cond (sampling)", cond, nil, g.Cond, loss)
}

// checkEmbeddingCoordinates: densities and samples in embedding coordinates agree with intrinsic
// ones through TransformTargetSpace.
func checkEmbeddingCoordinates(t *testing.T, p *flowcore.PDF) {
	const n = 50
	x, cond := evalPoints(t, p, n)
	e, logDet, err := p.TransformTargetSpace(x, n, flowcore.IntrinsicCoords, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	di, _ := p.LogDensity(x, n, cond, flowcore.IntrinsicCoords)
	de, err := p.LogDensity(e, n, cond, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if want := di.LogPDF[i] - logDet[i]; math.Abs(de.LogPDF[i]-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("row %d: embedding log_pdf %.12g, intrinsic minus log-volume %.12g", i, de.LogPDF[i], want)
		}
	}
	se, err := p.Sample(n, cond, 7, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	back, _, _ := p.TransformTargetSpace(se.X, n, flowcore.EmbeddingCoords, flowcore.IntrinsicCoords)
	for i := range back {
		if math.Abs(back[i]-x[i]) > 1e-9 {
			t.Fatalf("embedding samples convert back to %v, intrinsic samples are %v", back[i], x[i])
		}
	}
}

// checkNormalization integrates the density over a box holding all but a negligible part of the
// mass (1-d: 20,000 points; 2-d: 400 x 400 midpoint rule) and expects 1 within 1e-3 (S1: 1e-4).
func checkNormalization(t *testing.T, p *flowcore.PDF) {
	dim, _ := p.Dim(flowcore.SavedCoords)
	lo, hi := boxOf(t, p)
	steps := 20000
	if dim == 2 {
		steps = 400
	}
	var pts []float64
	cell := 1.0
	for k := 0; k < dim; k++ {
		cell *= (hi[k] - lo[k]) / float64(steps)
	}
	total := 1
	for k := 0; k < dim; k++ {
		total *= steps
	}
	for i := 0; i < total; i++ {
		r := i
		for k := 0; k < dim; k++ {
			pts = append(pts, lo[k]+(float64(r%steps)+0.5)*(hi[k]-lo[k])/float64(steps))
			r /= steps
		}
	}
	d, err := p.LogDensity(pts, total, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	mass := 0.0
	for _, v := range d.LogPDF {
		mass += math.Exp(v) * cell
	}
	tol := 1e-3
	if p.PDFDefs() == "s1" {
		tol = 1e-4
	}
	if math.Abs(mass-1) > tol {
		t.Errorf("density integrates to %.6f over [%v, %v]", mass, lo, hi)
	}
}

// boxOf returns the integration box: interval bounds, or a wide range around many samples.
func boxOf(t *testing.T, p *flowcore.PDF) ([]float64, []float64) {
	dim, _ := p.Dim(flowcore.SavedCoords)
	const n = 20000
	s, err := p.Sample(n, nil, 1, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := make([]float64, dim), make([]float64, dim)
	for k := 0; k < dim; k++ {
		col := make([]float64, n)
		for i := range col {
			col[i] = s.X[i*dim+k]
		}
		sort.Float64s(col)
		width := col[n-1] - col[0]
		lo[k], hi[k] = col[0]-0.5*width, col[n-1]+0.5*width
	}
	for k, b := range manifoldBounds(p) {
		if b != nil {
			lo[k], hi[k] = b[0], b[1]
		}
	}
	return lo, hi
}

// manifoldBounds returns the range of bounded intrinsic columns: interval bounds, [0, 2π] for
// angles, [0, π] for zenith angles; nil for Euclidean columns.
func manifoldBounds(p *flowcore.PDF) [][]float64 {
	defs, _ := spec.ParsePDFDefs(p.PDFDefs())
	var out [][]float64
	for _, d := range defs {
		switch {
		case d.Kind == spec.Interval:
			out = append(out, []float64{d.Low, d.High})
		case d.Kind == spec.Sphere && d.Dim == 1:
			out = append(out, []float64{0, 2 * math.Pi})
		case d.Kind == spec.Sphere:
			out = append(out, []float64{0, math.Pi}, []float64{0, 2 * math.Pi})
		default:
			for k := 0; k < d.Dim; k++ {
				out = append(out, nil)
			}
		}
	}
	return out
}
