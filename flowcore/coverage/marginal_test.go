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

// vmfMixture is a joint model on e1 + s2: x0 ~ N(0, 1), and given x0 the direction is
// von Mises-Fisher around (θ0, φ0) with concentration κ0·exp(x0/2). Its marginal on s2 is a
// mixture of vMFs with one mean direction, whose highest-density regions are caps around it.
type vmfMixture struct{ theta0, phi0, kappa0 float64 }

func (v vmfMixture) defs() []spec.ManifoldDef {
	return []spec.ManifoldDef{{Kind: spec.Euclidean, Dim: 1, Text: "e1"}, {Kind: spec.Sphere, Dim: 2, Text: "s2"}}
}
func (v vmfMixture) condDim() int                   { return 0 }
func (v vmfMixture) kappa(x0 float64) float64       { return v.kappa0 * math.Exp(x0/2) }
func (v vmfMixture) sphere(x0 float64) vmf          { return vmf{v.theta0, v.phi0, v.kappa(x0)} }
func (v vmfMixture) normalLogPDF(x float64) float64 { return -x*x/2 - math.Log(2*math.Pi)/2 }

func (v vmfMixture) sample(n int, _ []float64, seed uint64) ([]float64, []float64, error) {
	rng := rand.New(rand.NewPCG(seed, 2))
	x := make([]float64, 3*n)
	for i := range n {
		x[3*i] = rng.NormFloat64()
		x[3*i+1], x[3*i+2] = vmfSample(rng, v.theta0, v.phi0, v.kappa(x[3*i]))
	}
	lp, err := v.logDensity(x, n, nil)
	return x, lp, err
}

// logDensity is with respect to dx0 and solid angle.
func (v vmfMixture) logDensity(x []float64, n int, _ []float64) ([]float64, error) {
	sub, _ := v.subLogDensity(x, n, nil)
	out := make([]float64, n)
	for i := range n {
		out[i] = sub[2*i] + sub[2*i+1] - math.Log(math.Sin(x[3*i+1]))
	}
	return out, nil
}

// subLogDensity gives the factors in intrinsic coordinates (per dθ dφ on s2).
func (v vmfMixture) subLogDensity(x []float64, n int, _ []float64) ([]float64, error) {
	out := make([]float64, 2*n)
	for i := range n {
		lp, _ := v.sphere(x[3*i]).logDensity(x[3*i+1:3*i+3], 1, nil)
		out[2*i], out[2*i+1] = v.normalLogPDF(x[3*i]), lp[0]+math.Log(math.Sin(x[3*i+1]))
	}
	return out, nil
}

// capCoverage is the marginal probability of the cap 1 - cos ρ <= u around the mean direction
// and the standard deviation of its conditional probability over x0, by quadrature over x0.
func (v vmfMixture) capCoverage(u float64) (mean, sd float64) {
	const steps, lim = 4000, 9.0
	var m1, m2 float64
	h := 2 * lim / steps
	for i := range steps + 1 {
		x := -lim + float64(i)*h
		w := h * math.Exp(v.normalLogPDF(x))
		if i == 0 || i == steps {
			w /= 2
		}
		k := v.kappa(x)
		f := -math.Expm1(-k*u) / -math.Expm1(-2*k)
		m1 += w * f
		m2 += w * f * f
	}
	return m1, math.Sqrt(max(0, m2-m1*m1))
}

// mass is the probability of a saved scan's cells: Σ exp(log p) · volume.
func (s Scan) mass() float64 {
	m := 0.0
	for i, lp := range s.LogPDF {
		m += math.Exp(lp) * s.Volumes[i]
	}
	return m
}

// TestMarginalVMFMixture checks the Rao–Blackwellized marginal of the later (s2) part of a joint
// model against its analytic HPD coverage (caps around the mean direction) and the areas of its
// 50/68/90% regions (2π u with capCoverage(u) = level), within the Monte-Carlo error of the
// conditioning samples plus 1e-3 for the mesh.
func TestMarginalVMFMixture(t *testing.T) {
	v := vmfMixture{1.1, 2.5, 60}
	const conditioning = 4000
	x, _, _ := v.sample(300, nil, 17)
	res, err := marginal(v, 1, x, 300, nil, Options{Method: HEALPix, ConditioningSamples: conditioning, SaveScan: true})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Scans[0]
	mass := s.mass()
	if math.Abs(mass-1) > 1e-3 {
		t.Errorf("the marginal integrates to %.6f on the mesh", mass)
	}
	worst, tol := 0.0, 0.0
	for i := range 300 {
		u := 1 - v.sphere(0).cosine(x[3*i+1], x[3*i+2])
		want, sd := v.capCoverage(u)
		d := math.Abs(res.Coverage[i] - want)
		worst = max(worst, d)
		if lim := 5*sd/math.Sqrt(conditioning) + 1e-3; d > lim {
			t.Errorf("label %d: coverage %.5f, analytic %.5f (tolerance %.2g)", i, res.Coverage[i], want, lim)
		}
		tol = max(tol, 5*sd/math.Sqrt(conditioning)+1e-3)
	}
	for j, l := range DefaultLevels {
		lo, hi := 0.0, 2.0 // bisection for capCoverage(u) = l
		for range 60 {
			if c, _ := v.capCoverage((lo + hi) / 2); c < l {
				lo = (lo + hi) / 2
			} else {
				hi = (lo + hi) / 2
			}
		}
		want := 2 * math.Pi * lo
		if rel := math.Abs(s.LevelVolumes[j]-want) / want; rel > 0.02 {
			t.Errorf("%g%% area %.4g deg², analytic %.4g deg²", 100*l, SquareDegrees(s.LevelVolumes[j]), SquareDegrees(want))
		} else {
			t.Logf("%g%% area %.4g deg², analytic %.4g deg² (relative deviation %.2g)", 100*l, SquareDegrees(s.LevelVolumes[j]), SquareDegrees(want), rel)
		}
	}
	t.Logf("coverage: largest deviation from the analytic value %.2g (tolerance up to %.2g), mass on the mesh %.6f, %d cells", worst, tol, mass, len(s.LogPDF))
}

// TestMarginalFirstPartIsItsOwnFlow compares the marginal of sub-manifold 0 of an e2+s2 PDF with
// the PDF of its first flow alone (the same parameters): log-densities of labels and of the
// scanned cells agree to 1e-12, whatever the s2 parts of the labels.
func TestMarginalFirstPartIsItsOwnFlow(t *testing.T) {
	joint := newPDF(t, "e2+s2", "gg+n", 0, 0.3)
	alone, err := flowcore.New("e2", "gg", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := alone.SetParams(joint.Params()[:alone.NumParams()]); err != nil {
		t.Fatal(err)
	}
	const n = 50
	rng := rand.New(rand.NewPCG(8, 9))
	labels := make([]float64, 4*n)
	for i := range n {
		labels[4*i], labels[4*i+1] = 2*rng.NormFloat64(), 2*rng.NormFloat64()
		labels[4*i+2], labels[4*i+3] = math.Pi*rng.Float64(), 2*math.Pi*rng.Float64()
	}
	res, err := Marginal(joint, 0, labels, n, flowcore.IntrinsicCoords, nil, Options{SaveScan: true, GridPoints: 50})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Scans[0]
	e2 := slices.Concat(firstTwoColumns(labels, n), s.Positions)
	want, err := alone.LogDensity(e2, len(e2)/2, nil, flowcore.IntrinsicCoords)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Concat(res.LogPDFLabels, s.LogPDF)
	worst := 0.0
	for i := range got {
		worst = max(worst, math.Abs(got[i]-want.LogPDF[i]))
	}
	if worst > 1e-12 || res.Method != Grid {
		t.Errorf("%s scan: the marginal log-density deviates from the first flow's by up to %.3g", res.Method, worst)
	}
	t.Logf("largest deviation from the first flow alone: %.2g over %d points", worst, len(got))
}

// firstTwoColumns returns the first two columns of n rows of 4 values.
func firstTwoColumns(x []float64, n int) []float64 {
	out := make([]float64, 0, 2*n)
	for i := range n {
		out = append(out, x[4*i], x[4*i+1])
	}
	return out
}

// importanceArea estimates the volume of the highest-density region holding probability level
// from the marginal log-densities lp of samples of the PDF: E[1{lp > t}/p] with t the (1-level)
// quantile of lp; it returns the estimate and its standard error.
func importanceArea(lp []float64, level float64) (float64, float64) {
	sorted := slices.Sorted(slices.Values(lp))
	t := sorted[int(math.Floor((1-level)*float64(len(lp))))]
	var m1, m2 float64
	for _, l := range lp {
		if l > t {
			w := math.Exp(-l)
			m1 += w
			m2 += w * w
		}
	}
	n := float64(len(lp))
	m1, m2 = m1/n, m2/n
	return m1, math.Sqrt((m2 - m1*m1) / n)
}

// TestMarginalFlows scans the marginals of the parts of mixed flow PDFs and checks, with labels
// drawn from the PDF: their marginal HPD coverage is uniform (KS p > 0.01), the marginal
// integrates to 1 on the grid or mesh (1e-3), and the volume of the 68% region agrees with the
// importance-sampling estimate from the labels within 4 standard errors.
func TestMarginalFlows(t *testing.T) {
	for _, c := range []struct {
		defs, flows string
		sub, n      int
	}{
		{"e2+s2", "gg+n", 0, 20000},
		{"e2+s2", "gg+n", 1, 1000},
		{"s2+e2", "n+gg", 1, 1000},
		{"e1+s1", "g+m", 1, 1000},
	} {
		p := newPDF(t, c.defs, c.flows, 0, 0.1)
		s, err := p.Sample(c.n, nil, 123, flowcore.IntrinsicCoords)
		if err != nil {
			t.Fatal(err)
		}
		opt := Options{SaveScan: true, GridPoints: 80, ConditioningSamples: 100, Levels: []float64{0.68}, Contours: true}
		res, err := Marginal(p, c.sub, s.X, c.n, flowcore.IntrinsicCoords, nil, opt)
		if err != nil {
			t.Fatal(err)
		}
		sc := res.Scans[0]
		mass := sc.mass()
		ks := kstest.Uniform(res.Coverage)
		area, se := importanceArea(res.LogPDFLabels, 0.68)
		dev := math.Abs(sc.LevelVolumes[0]-area) / se
		name := c.defs + " part " + string(rune('0'+c.sub))
		if math.Abs(mass-1) > 1e-3 || ks < 0.01 || dev > 4 {
			t.Errorf("%s (%s): mass %.6f, KS p %.3g of %d labels, 68%% volume %.4g vs importance estimate %.4g ± %.2g",
				name, res.Method, mass, ks, c.n, sc.LevelVolumes[0], area, se)
		}
		lines := 0
		if sc.Contours != nil {
			lines = len(sc.Contours[0].Polygons)
		}
		if lines == 0 && len(sc.MAP) == 2 {
			t.Errorf("%s: no contours", name)
		}
		t.Logf("%s (%s, %d cells): mass %.6f, KS p %.3g of %d labels, 68%% volume %.4g vs importance estimate %.4g ± %.2g, %d contour lines",
			name, res.Method, len(sc.LogPDF), mass, ks, c.n, sc.LevelVolumes[0], area, se, lines)
	}
}

// TestMarginalConditional scans the marginal of the s2 part of a conditional e1+s2 PDF once per
// conditional row: every row has its own scan, and the rows agree with separate calls.
func TestMarginalConditional(t *testing.T) {
	p := newPDF(t, "e1+s2", "g+n", 2, 0.3)
	cond := []float64{-1, 0.5, 2, 1, 0, -2}
	s, err := p.Sample(3, cond, 5, flowcore.IntrinsicCoords)
	if err != nil {
		t.Fatal(err)
	}
	coarse := healpix.AdaptiveOptions{StartOrder: 2, MaxOrder: 8, MaxCellMass: 5e-3, MaxCellError: 1e-2, MaxCells: 5000, MaxPointsPerCell: 20}
	opt := Options{Samples: 500, Mesh: coarse, ConditioningSamples: 50}
	all, err := Marginal(p, 1, s.X, 3, flowcore.IntrinsicCoords, cond, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Scans) != 3 || slices.Equal(all.Scans[0].MAP, all.Scans[1].MAP) {
		t.Fatalf("%d scans for 3 rows, MAPs of rows 0 and 1: %v %v", len(all.Scans), all.Scans[0].MAP, all.Scans[1].MAP)
	}
	one, err := Marginal(p, 1, s.X[3:6], 1, flowcore.IntrinsicCoords, cond[2:4], opt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(one.LogPDFLabels[0]-all.LogPDFLabels[1]) > 1e-12 {
		t.Errorf("row 1: marginal log-density %.15g alone, %.15g among all rows", one.LogPDFLabels[0], all.LogPDFLabels[1])
	}
}

// TestMarginalErrors checks that bad arguments are reported with the argument's name.
func TestMarginalErrors(t *testing.T) {
	p := newPDF(t, "e2+s2", "gg+n", 0, 0)
	big := newPDF(t, "s2+e4", "n+gggg", 0, 0)
	for _, c := range []struct {
		p    *flowcore.PDF
		sub  int
		opt  Options
		want string
	}{
		{p, 2, Options{}, "sub_manifolds: sub-manifold 2 is out of range"},
		{p, -1, Options{}, "sub_manifolds: sub-manifold -1 is out of range"},
		{big, 1, Options{}, "sub_manifolds: sub-manifold 1 (e4) has no marginal scan"},
		{p, 1, Options{Method: Sampling}, "method sampling"},
		{p, 1, Options{Method: Grid}, "method grid"},
		{p, 1, Options{ConditioningSamples: -3}, "conditioning samples"},
	} {
		if _, err := Marginal(c.p, c.sub, nil, 0, flowcore.IntrinsicCoords, nil, c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("sub %d %+v: error %v, want one naming %q", c.sub, c.opt, err, c.want)
		}
	}
	if _, err := Marginal(p, 1, []float64{0, 0, 1}, 1, flowcore.IntrinsicCoords, nil, Options{}); err == nil || !strings.Contains(err.Error(), "labels") {
		t.Errorf("short label: error %v", err)
	}
	if _, err := MarginalAmortized(p, 1, nil, 0, flowcore.IntrinsicCoords, nil, []float64{1}, Options{}); err == nil || !strings.Contains(err.Error(), "amortization_parameters") {
		t.Errorf("amortization parameters for a plain PDF: error %v", err)
	}
}

// TestMarginalAmortizedMatchesThePDFOfItsRow scans the marginal of the second part of an
// amortize-everything e1+e1 PDF whose first row carries the parameters of an ordinary PDF and
// compares with the marginal scan of that PDF (the same seeds).
func TestMarginalAmortizedMatchesThePDFOfItsRow(t *testing.T) {
	plain, amortized := testpdf.PlainAndAmortized(t, "e1+e1", "g+g")
	rng := rand.New(rand.NewPCG(3, 4))
	var amort []float64
	for range 2 {
		for _, v := range plain.Params() {
			amort = append(amort, v+0.1*rng.NormFloat64())
		}
	}
	labels := []float64{0.3, -0.2, 1.5, 0.7}
	opt := Options{GridPoints: 200, Samples: 2000, ConditioningSamples: 30}
	got, err := MarginalAmortized(amortized, 1, labels, 2, flowcore.IntrinsicCoords, nil, amort, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.SetParams(amort[:plain.NumParams()]); err != nil {
		t.Fatal(err)
	}
	want, err := Marginal(plain, 1, labels[:2], 1, flowcore.IntrinsicCoords, nil, opt)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Coverage[0]-want.Coverage[0]) > 1e-9 || math.Abs(got.LogPDFLabels[0]-want.LogPDFLabels[0]) > 1e-9 {
		t.Errorf("row 0: coverage %.12f log_pdf %.12f, the plain PDF's %.12f %.12f", got.Coverage[0], got.LogPDFLabels[0],
			want.Coverage[0], want.LogPDFLabels[0])
	}
	if got.Scans[0].MAP[0] == got.Scans[1].MAP[0] {
		t.Errorf("rows 0 and 1 have the same MAP %v", got.Scans[0].MAP)
	}
}

// TestMarginalNaNLabels checks that a NaN in a label's sub-manifold part gives NaN for that label
// only, and that the other parts of a label do not enter its marginal coverage.
func TestMarginalNaNLabels(t *testing.T) {
	p := newPDF(t, "e1+s1", "g+m", 0, 0.1)
	nan := math.NaN()
	res, err := Marginal(p, 1, []float64{0.1, nan, nan, 1.0, 0.5, 1.0}, 3, flowcore.IntrinsicCoords, nil, Options{ConditioningSamples: 20})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Coverage
	if !math.IsNaN(c[0]) || math.IsNaN(c[1]) || c[1] != c[2] {
		t.Errorf("coverage %v: want NaN, then twice the same value", c)
	}
}
