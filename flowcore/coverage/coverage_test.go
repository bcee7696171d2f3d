package coverage

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/healpix"
	"github.com/gojammy/gojammy/flowcore/internal/kstest"
	"github.com/gojammy/gojammy/flowcore/internal/testpdf"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func TestChi2CDF(t *testing.T) {
	for _, c := range []struct {
		x    float64
		k    int
		want float64
	}{
		{1, 1, math.Erf(1 / math.Sqrt2)},
		{2, 2, 1 - math.Exp(-1)},
		{0.3, 2, 1 - math.Exp(-0.15)},
		{30, 2, 1 - math.Exp(-15)},
		{4, 3, math.Erf(2/math.Sqrt2) - math.Sqrt(2/math.Pi)*2*math.Exp(-2)},
		{40, 3, math.Erf(math.Sqrt(20)) - math.Sqrt(2/math.Pi)*math.Sqrt(40)*math.Exp(-20)},
	} {
		if got := chi2CDF(c.x, c.k); math.Abs(got-c.want) > 1e-13 {
			t.Errorf("chi2CDF(%g, %d) = %.16g, want %.16g", c.x, c.k, got, c.want)
		}
	}
}

// newPDF builds a PDF whose parameters are moved randomly away from their initial values, so
// that it is no longer the base distribution.
func newPDF(t testing.TB, pdfDefs, flowDefs string, condDim int, spread float64) *flowcore.PDF {
	return testpdf.Perturbed(t, pdfDefs, flowDefs, condDim, spread, rand.New(rand.NewPCG(7, uint64(len(pdfDefs)))))
}

// TestExactGaussian compares the HPD coverage of a standard normal (the identity flow "x" on
// e1 and e2) with its analytic value: erf(|x|/√2) in 1-d, 1 - exp(-|x|²/2) in 2-d.
func TestExactGaussian(t *testing.T) {
	for _, c := range []struct {
		defs     string
		analytic func(x []float64) float64
	}{
		{"e1", func(x []float64) float64 { return math.Erf(math.Abs(x[0]) / math.Sqrt2) }},
		{"e2", func(x []float64) float64 { return 1 - math.Exp(-(x[0]*x[0]+x[1]*x[1])/2) }},
	} {
		p := newPDF(t, c.defs, "x", 0, 0)
		dim := len(p.ManifoldDefs()) * p.ManifoldDefs()[0].Dim
		rng := rand.New(rand.NewPCG(3, 4))
		n := 200
		x := make([]float64, n*dim)
		for i := range x {
			x[i] = 1.5 * rng.NormFloat64()
		}
		res, err := Run(p, x, n, flowcore.IntrinsicCoords, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i := range n {
			worst = max(worst, math.Abs(res.Coverage[i]-c.analytic(x[i*dim:(i+1)*dim])))
		}
		if worst > 1e-3 {
			t.Errorf("%s: HPD coverage deviates from the analytic value by up to %.2g", c.defs, worst)
		}
		t.Logf("%s (%s, %d points per axis): largest deviation from the analytic coverage %.2g; MAP %v", c.defs, res.Method, [4]int{0, 2000, 200}[dim], worst, res.Scans[0].MAP)
	}
}

// vmf is a von Mises-Fisher density on S2 with mean direction (θ0, φ0) as a model.
type vmf struct{ theta0, phi0, kappa float64 }

func (v vmf) defs() []spec.ManifoldDef {
	return []spec.ManifoldDef{{Kind: spec.Sphere, Dim: 2, Text: "s2"}}
}
func (v vmf) condDim() int { return 0 }

func (v vmf) sample(n int, _ []float64, seed uint64) ([]float64, []float64, error) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, 2*n)
	for i := range n {
		x[2*i], x[2*i+1] = vmfSample(rng, v.theta0, v.phi0, v.kappa)
	}
	lp, err := v.logDensity(x, n, nil)
	return x, lp, err
}

func (v vmf) logDensity(x []float64, n int, _ []float64) ([]float64, error) {
	out := make([]float64, n)
	logNorm := math.Log(v.kappa / (2 * math.Pi * -math.Expm1(-2*v.kappa)))
	for i := range n {
		out[i] = logNorm + v.kappa*(v.cosine(x[2*i], x[2*i+1])-1)
	}
	return out, nil
}

// cosine is the cosine of the angle between (θ, φ) and the mean direction.
func (v vmf) cosine(theta, phi float64) float64 {
	return math.Cos(theta)*math.Cos(v.theta0) + math.Sin(theta)*math.Sin(v.theta0)*math.Cos(phi-v.phi0)
}

// coverage is the analytic HPD coverage of (θ, φ): the probability of the cap closer to the mean.
func (v vmf) coverage(theta, phi float64) float64 {
	return -math.Expm1(v.kappa*(v.cosine(theta, phi)-1)) / -math.Expm1(-2*v.kappa)
}

// vmfSample draws a direction from the von Mises-Fisher distribution around (θ0, φ0).
func vmfSample(rng *rand.Rand, theta0, phi0, kappa float64) (theta, phi float64) {
	w := 1 + math.Log(rng.Float64()+(1-rng.Float64())*math.Exp(-2*kappa))/kappa
	a := 2 * math.Pi * rng.Float64()
	s := math.Sqrt(max(0, 1-w*w))
	x := [3]float64{s * math.Cos(a), s * math.Sin(a), w}
	st, ct := math.Sincos(theta0)
	sp, cp := math.Sincos(phi0)
	x = [3]float64{ct*x[0] + st*x[2], x[1], -st*x[0] + ct*x[2]}
	x = [3]float64{cp*x[0] - sp*x[1], sp*x[0] + cp*x[1], x[2]}
	return math.Acos(max(-1, min(1, x[2]))), math.Mod(math.Atan2(x[1], x[0])+2*math.Pi, 2*math.Pi)
}

// TestExactVMF compares the HPD coverage on the adaptive HEALPix mesh with the analytic
// coverage of von Mises-Fisher densities, broad and narrow, and the 50/68/90% areas with the
// analytic cap areas 2π(1-cos ρ).
func TestExactVMF(t *testing.T) {
	for _, v := range []vmf{{1.0, 2.0, 3}, {0.3, 5.0, 100}, {2.9, 0.5, 5000}} {
		rng := rand.New(rand.NewPCG(5, 6))
		n := 300
		x := make([]float64, 2*n)
		for i := range n {
			x[2*i], x[2*i+1] = vmfSample(rng, v.theta0, v.phi0, v.kappa/2)
		}
		res, err := run(v, x, n, nil, Options{Method: HEALPix})
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i := range n {
			worst = max(worst, math.Abs(res.Coverage[i]-v.coverage(x[2*i], x[2*i+1])))
		}
		if worst > 1e-3 {
			t.Errorf("κ=%g: HPD coverage deviates from the analytic value by up to %.2g", v.kappa, worst)
		}
		s := res.Scans[0]
		for j, l := range DefaultLevels {
			// the cap holding probability l: 1 - cos ρ = -log(1 - l(1 - e^{-2κ}))/κ
			want := 2 * math.Pi * -math.Log1p(-l*-math.Expm1(-2*v.kappa)) / v.kappa
			if rel := math.Abs(s.LevelVolumes[j]-want) / want; rel > 0.02 {
				t.Errorf("κ=%g: %g%% area %.4g deg², analytic %.4g", v.kappa, 100*l, SquareDegrees(s.LevelVolumes[j]), SquareDegrees(want))
			}
		}
		if d := math.Acos(v.cosine(s.MAP[0], s.MAP[1])); d > 3/math.Sqrt(v.kappa) {
			t.Errorf("κ=%g: MAP %v is %.3g rad from the mode", v.kappa, s.MAP, d)
		}
		t.Logf("κ=%g: largest deviation from the analytic coverage %.2g, 90%% area %.4g deg²", v.kappa, worst, SquareDegrees(s.LevelVolumes[2]))
	}
}

// uniformityCase is a PDF whose coverage of its own samples must be uniform.
var uniformityCases = []struct{ defs, flows string }{
	{"e2", "gg"},
	{"s2", "n"},
	{"s1", "m"},
	{"i1_-1.0_2.0", "r"},
	{"e2+s2", "gg+n"},
}

// checkUniform draws n events from each PDF, computes their approximate and exact coverage and
// checks both for uniformity with a Kolmogorov-Smirnov test.
func checkUniform(t *testing.T, n int) {
	for _, c := range uniformityCases {
		p := newPDF(t, c.defs, c.flows, 0, 0.3)
		s, err := p.Sample(n, nil, 99, flowcore.IntrinsicCoords)
		if err != nil {
			t.Fatal(err)
		}
		approx, err := Approximate(p, s.X, n, nil, flowcore.IntrinsicCoords, 100, []int{Total})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(p, s.X, n, flowcore.IntrinsicCoords, nil, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		pa, pe := kstest.Uniform(approx.Parts[0].Chi2CDF), kstest.Uniform(res.Coverage)
		if pa < 0.01 || pe < 0.01 {
			t.Errorf("%s %s: coverage of %d own samples is not uniform: KS p approximate %.3g, exact (%s) %.3g", c.defs, c.flows, n, pa, res.Method, pe)
		}
		t.Logf("%s %s, %d events: KS p approximate %.3g, exact (%s) %.3g", c.defs, c.flows, n, pa, res.Method, pe)
	}
}

// TestUniformCoverage is the quick uniformity check (2000 events per PDF).
func TestUniformCoverage(t *testing.T) { checkUniform(t, 10000) }

// TestConditional scans a conditional PDF once per conditional row: the coverage of one event
// drawn per row is uniform, and every row has a scan of its own (coarse scans, for time).
func TestConditional(t *testing.T) {
	coarse := healpix.AdaptiveOptions{StartOrder: 2, MaxOrder: 10, MaxCellMass: 5e-3, MaxCellError: 1e-3, MaxCells: 10000, MaxPointsPerCell: 20}
	for _, c := range []struct {
		defs, flows string
		n           int
	}{{"e1", "gg", 200}, {"s2", "n", 6}} {
		p := newPDF(t, c.defs, c.flows, 2, 0.3)
		rng := rand.New(rand.NewPCG(11, 12))
		cond := make([]float64, 2*c.n)
		for i := range cond {
			cond[i] = 2 * rng.NormFloat64()
		}
		s, err := p.Sample(c.n, cond, 5, flowcore.IntrinsicCoords)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(p, s.X, c.n, flowcore.IntrinsicCoords, cond, Options{Samples: 500, GridPoints: 300, Mesh: coarse})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Scans) != c.n || slices.Equal(res.Scans[0].MAP, res.Scans[1].MAP) {
			t.Errorf("%s: %d scans for %d rows, MAPs of rows 0 and 1: %v %v", c.defs, len(res.Scans), c.n, res.Scans[0].MAP, res.Scans[1].MAP)
		}
		if pe := kstest.Uniform(res.Coverage); pe < 0.01 {
			t.Errorf("%s conditional: coverage of %d events not uniform: KS p %.3g", c.defs, c.n, pe)
		} else {
			t.Logf("%s conditional (%s), %d events: KS p %.3g", c.defs, res.Method, c.n, pe)
		}
	}
}

// TestErrors checks that bad arguments are reported with the argument's name.
func TestErrors(t *testing.T) {
	p := newPDF(t, "e2", "x", 0, 0)
	x := []float64{0, 0}
	for _, c := range []struct {
		opt  Options
		cond []float64
		want string
	}{
		{Options{Method: HEALPix}, nil, "method healpix"},
		{Options{Samples: 1}, nil, "samples"},
		{Options{Levels: []float64{1.5}}, nil, "levels"},
		{Options{}, []float64{1}, "conditional_input"},
	} {
		if _, err := Run(p, x, 1, flowcore.IntrinsicCoords, c.cond, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %q", c.opt, err, c.want)
		}
	}
	if _, err := Approximate(p, x, 1, nil, flowcore.IntrinsicCoords, 100, []int{3}); err == nil || !strings.Contains(err.Error(), "sub_manifolds") {
		t.Errorf("bad sub-manifold: error %v", err)
	}
	if _, err := ParseMethod("mesh"); err == nil {
		t.Error("ParseMethod accepted an unknown method")
	}
}

// BenchmarkConditionalScan scans a conditional PDF once per event (16 events), with the exact
// coverage of one label per event: the grid of an e2 PDF, the HEALPix mesh of an s2 PDF and the
// sampling estimator of an e2+s2 PDF with 2000 samples each, and the sampling estimator of
// "e2","gggg" with 10,000 samples each (the size of the scan of 10^4 events).
func BenchmarkConditionalScan(b *testing.B) {
	for _, c := range []struct {
		name, defs, flows string
		opt               Options
	}{
		{"e2", "e2", "gg", Options{Samples: 2000}},
		{"s2", "s2", "n", Options{Samples: 2000}},
		{"e2+s2", "e2+s2", "gg+n", Options{Samples: 2000}},
		{"e2_gggg_sampling10k", "e2", "gggg", Options{Samples: 10000, Method: Sampling}},
	} {
		b.Run(c.name, func(b *testing.B) {
			const n = 16
			p := newPDF(b, c.defs, c.flows, 2, 0.3)
			cond := make([]float64, 2*n)
			for i := range cond {
				cond[i] = float64(i%7) - 3
			}
			s, err := p.Sample(n, cond, 5, flowcore.IntrinsicCoords)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := Run(p, s.X, n, flowcore.IntrinsicCoords, cond, c.opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/event")
		})
	}
}

// TestContours checks the 50/68/90% contours of a standard normal on a grid (circles of radius
// sqrt(-2 log(1-level))) and of a vMF on the HEALPix mesh (circles of angular radius ρ with
// 1 - cos ρ = -log(1 - level)/κ).
func TestContours(t *testing.T) {
	p := newPDF(t, "e2", "x", 0, 0)
	res, err := Run(p, nil, 0, flowcore.IntrinsicCoords, nil, Options{Contours: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Scans[0].Contours {
		want := math.Sqrt(-2 * math.Log1p(-c.Level))
		if len(c.Polygons) != 1 {
			t.Fatalf("level %g: %d lines, want one circle", c.Level, len(c.Polygons))
		}
		line := c.Polygons[0]
		if line[0] != line[len(line)-2] || line[1] != line[len(line)-1] {
			t.Errorf("level %g: the circle is not closed", c.Level)
		}
		for i := 0; i < len(line); i += 2 {
			if r := math.Hypot(line[i], line[i+1]); math.Abs(r-want) > 0.01 {
				t.Fatalf("level %g: contour point at radius %.4f, want %.4f", c.Level, r, want)
			}
		}
	}
	v := vmf{1.2, 4.0, 400}
	sky, err := run(v, nil, 0, nil, Options{Method: HEALPix, Contours: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sky.Scans[0].Contours {
		want := math.Acos(1 + math.Log1p(-c.Level)/v.kappa)
		if len(c.Polygons) != 1 {
			t.Fatalf("sky level %g: %d lines, want one", c.Level, len(c.Polygons))
		}
		line := c.Polygons[0]
		for i := 0; i < len(line); i += 2 {
			// the boundary follows pixel edges: within about one pixel of the circle
			if d := math.Acos(v.cosine(line[i], line[i+1])); math.Abs(d-want) > 0.25*want {
				t.Fatalf("sky level %g: boundary point %.4f rad from the mode, want %.4f", c.Level, d, want)
			}
		}
	}
}

// TestRunAmortizedMatchesThePDFOfItsRow scans an amortize-everything PDF whose rows carry the
// parameters of ordinary PDFs and compares with the scans of those PDFs (the same seeds).
func TestRunAmortizedMatchesThePDFOfItsRow(t *testing.T) {
	plain, amortized := testpdf.PlainAndAmortized(t, "e2", "gg")
	np := plain.NumParams()
	if amortized.NumAmortizationParams() != np {
		t.Fatalf("%d amortization parameters, %d parameters", amortized.NumAmortizationParams(), np)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	labels := []float64{0.3, -0.2, 1.5, 0.7}
	var amort []float64
	for range 2 {
		for _, v := range plain.Params() {
			amort = append(amort, v+0.3*rng.NormFloat64())
		}
	}
	opt := Options{Method: Grid, GridPoints: 60, Samples: 2000}
	got, err := RunAmortized(amortized, labels, 2, flowcore.IntrinsicCoords, nil, amort, opt)
	if err != nil {
		t.Fatal(err)
	}
	for r := range 2 {
		if err := plain.SetParams(amort[r*np : (r+1)*np]); err != nil {
			t.Fatal(err)
		}
		o := opt
		o.Seed = uint64(r) * 0x9e3779b97f4a7c15 // the seed of scan r
		want, err := Run(plain, labels[2*r:2*r+2], 1, flowcore.IntrinsicCoords, nil, o)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Coverage[r]-want.Coverage[0]) > 1e-9 || math.Abs(got.LogPDFLabels[r]-want.LogPDFLabels[0]) > 1e-9 {
			t.Errorf("row %d: coverage %.12f log_pdf %.12f, the plain PDF's %.12f %.12f", r, got.Coverage[r], got.LogPDFLabels[r],
				want.Coverage[0], want.LogPDFLabels[0])
		}
	}
	if _, err := RunAmortized(amortized, labels, 2, flowcore.IntrinsicCoords, nil, amort[:np+1], opt); err == nil {
		t.Error("amortization parameters of a wrong length: no error")
	}
	if _, err := RunAmortized(plain, labels, 2, flowcore.IntrinsicCoords, nil, amort, opt); err == nil {
		t.Error("a PDF without amortization parameters: no error")
	}
}
