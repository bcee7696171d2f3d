package stats

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/internal/testpdf"
)

// amortizedPair builds an ordinary PDF (custom-mode MLPs) and its amortize-everything twin,
// whose row of amortization parameters is the ordinary PDF's flat parameter vector, and two
// rows of amortization parameters near the initial parameters.
func amortizedPair(t *testing.T, pdfDefs, flowDefs string) (plain, amortized *flowcore.PDF, amort []float64) {
	t.Helper()
	plain, amortized = testpdf.PlainAndAmortized(t, pdfDefs, flowDefs)
	rng := rand.New(rand.NewPCG(7, 3))
	for range 2 {
		for _, v := range plain.Params() {
			amort = append(amort, v+0.3*rng.NormFloat64())
		}
	}
	return plain, amortized, amort
}

// TestEntropyOfAmortizedRowsIsThePlainPDFs: the entropies of an amortize-everything PDF are
// those of the ordinary PDF with each row's parameters: exactly for row 0 (the same draws),
// within the Monte-Carlo error for row 1 (other draws); the gradient with respect to row 0 is
// the ordinary PDF's parameter gradient.
func TestEntropyOfAmortizedRowsIsThePlainPDFs(t *testing.T) {
	plain, amortized, amort := amortizedPair(t, "e1+e1", "g+g")
	np := plain.NumParams()
	keys := []int{Total, 0, 1}
	o := Options{SampleSize: 256, Seed: 3, Amortization: amort}
	got, err := Entropy(amortized, nil, keys, o)
	if err != nil {
		t.Fatal(err)
	}
	h, g, err := EntropyGrad(amortized, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Amortization) != 2*np || len(g.Params) != 0 {
		t.Fatalf("gradient lengths: amortization %d (want %d), params %d (want 0)", len(g.Amortization), 2*np, len(g.Params))
	}
	for r := range 2 {
		mustSet(t, plain, amort[r*np:(r+1)*np])
		want, err := Entropy(plain, nil, keys, Options{SampleSize: 256, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		for j, k := range keys {
			a, b, se := got.Parts[j].Value[r], want.Parts[j].Value[0], want.Parts[j].StdErr[0]
			tol := 5 * math.Hypot(se, got.Parts[j].StdErr[r])
			if r == 0 {
				tol = 1e-12 * (1 + math.Abs(b))
			}
			t.Logf("row %d key %d: amortized %.6f, plain %.6f ± %.6f", r, k, a, b, se)
			if math.Abs(a-b) > tol {
				t.Errorf("row %d key %d: amortized entropy %.12f, plain %.12f (tolerance %g)", r, k, a, b, tol)
			}
		}
		if r > 0 {
			continue
		}
		if h.Value[0] != got.Parts[0].Value[0] {
			t.Errorf("EntropyGrad's value %g differs from Entropy's %g", h.Value[0], got.Parts[0].Value[0])
		}
		// the ordinary PDF's gradient over the same 256 draws
		_, gp, err := EntropyGrad(plain, nil, Options{SampleSize: 256, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		for j := range np {
			if math.Abs(g.Amortization[j]-gp.Params[j]) > 1e-10*(1+math.Abs(gp.Params[j])) {
				t.Errorf("amortization gradient %d: %.12f, the ordinary PDF's parameter gradient %.12f", j, g.Amortization[j], gp.Params[j])
			}
		}
	}
}

// TestEntropyGradAmortizationIsTheDerivativeOfTheEstimate checks the gradient with respect to
// the amortization parameters of a conditional amortize-everything PDF against central
// differences of the estimate (the same draws).
func TestEntropyGradAmortizationIsTheDerivativeOfTheEstimate(t *testing.T) {
	cfg := flowcore.DefaultConfig()
	cfg.AmortizationMLPUseCustomMode, cfg.AmortizeEverything, cfg.ConditionalInputDim = true, true, 2
	p, err := flowcore.New("e2", "gg", cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 1))
	na := p.NumAmortizationParams()
	amort := make([]float64, 0, 2*na)
	for range 2 {
		for _, v := range p.AmortizationInit() {
			amort = append(amort, v+0.2*rng.NormFloat64())
		}
	}
	cond := []float64{0.3, -0.7, 1.1, 0.4}
	o := Options{SampleSize: 100, Seed: 4, Amortization: amort}
	_, g, err := EntropyGrad(p, cond, o)
	if err != nil {
		t.Fatal(err)
	}
	sum := summedEntropy(t, p, cond, o)
	checked := 0
	for j := 3; j < len(amort); j += len(amort) / 12 {
		fd := centralDifference(amort, j, 1e-6, sum)
		if math.Abs(g.Amortization[j]-fd) > 1e-5*(1+math.Abs(fd)) {
			t.Errorf("amortization %d: gradient %.8f, finite difference %.8f", j, g.Amortization[j], fd)
		}
		if math.Abs(fd) > 1e-3 {
			checked++
		}
	}
	if checked < 4 {
		t.Errorf("only %d sizeable amortization gradients checked", checked)
	}
	if len(g.Cond) != len(cond) {
		t.Errorf("conditional gradient: %d values for %d", len(g.Cond), len(cond))
	}
}

// TestAmortizedExpectationMomentsAndMarginals: expectation (and its gradient), moments and
// marginal moments of an amortize-everything PDF's row 0 are the ordinary PDF's.
func TestAmortizedExpectationMomentsAndMarginals(t *testing.T) {
	plain, amortized, amort := amortizedPair(t, "e1+s2", "g+f")
	np := plain.NumParams()
	mustSet(t, plain, amort[:np])
	square := func(x []float64, n, dim int, grad bool) ([]float64, []float64, error) {
		v, g := make([]float64, n), make([]float64, n*dim)
		for i := range n {
			for d := range dim {
				v[i] += x[i*dim+d] * x[i*dim+d] * float64(d+1)
				g[i*dim+d] = 2 * x[i*dim+d] * float64(d+1)
			}
		}
		return v, g, nil
	}
	o := Options{SampleSize: 256, Seed: 9}
	oa := o
	oa.Amortization = amort
	ea, ga, err := Expectation(amortized, square, nil, oa, true)
	if err != nil {
		t.Fatal(err)
	}
	ep, gp, err := Expectation(plain, square, nil, o, true)
	if err != nil {
		t.Fatal(err)
	}
	close := func(what string, a, b []float64) {
		t.Helper()
		for j := range b {
			if math.Abs(a[j]-b[j]) > 1e-10*(1+math.Abs(b[j])) {
				t.Errorf("%s %d: amortized %.12f, plain %.12f", what, j, a[j], b[j])
				return
			}
		}
	}
	close("expectation", ea.Value[:1], ep.Value)
	close("expectation gradient", ga.Amortization[:np], gp.Params)
	ma, err := Moments(amortized, 2, nil, oa)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := Moments(plain, 2, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	close("moment", ma.Value[:len(mp.Value)], mp.Value)
	mm, err := MarginalMoments(amortized, nil, MomentOptions{SampleSize: 256, Seed: 2, KLDiff: true, Amortization: amort})
	if err != nil {
		t.Fatal(err)
	}
	pm, err := MarginalMoments(plain, nil, MomentOptions{SampleSize: 256, Seed: 2, KLDiff: true})
	if err != nil {
		t.Fatal(err)
	}
	for k := range pm.Subs {
		close("marginal entropy", mm.Subs[k].Entropy[:1], pm.Subs[k].Entropy)
		close("marginal mean", mm.Subs[k].Mean[:mm.Subs[k].Width], pm.Subs[k].Mean)
	}
	close("total entropy", mm.EntropyTotal[:1], pm.EntropyTotal)
}

// TestAmortizationErrors: wrong amortization parameters give errors naming the argument.
func TestAmortizationErrors(t *testing.T) {
	plain, amortized, amort := amortizedPair(t, "e1", "g")
	for _, c := range []struct {
		p     *flowcore.PDF
		amort []float64
		want  string
	}{
		{amortized, nil, "amortization_parameters: a PDF built with amortize_everything needs rows of"},
		{amortized, amort[:len(amort)-1], "amortization_parameters: a PDF built with amortize_everything needs rows of"},
		{plain, amort, "amortization_parameters: only a PDF built with amortize_everything takes them"},
	} {
		o := Options{SampleSize: 10, Amortization: c.amort}
		_, err := Entropy(c.p, nil, []int{Total}, o)
		_, _, errGrad := EntropyGrad(c.p, nil, o)
		_, errMoments := MarginalMoments(c.p, nil, MomentOptions{Amortization: c.amort})
		for _, err := range []error{err, errGrad, errMoments} {
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		}
	}
}

// TestStatisticsOfAFullyAmortizedPDF: a fully amortized PDF takes conditional inputs only (its
// outer MLP predicts the amortization parameters).
func TestStatisticsOfAFullyAmortizedPDF(t *testing.T) {
	p, err := flowcore.New("e1", "g", flowcore.FullyAmortizedConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	cond := []float64{0.2, -0.1, 0.5, 0.3}
	h, g, err := EntropyGrad(p, cond, Options{SampleSize: 50, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Value) != 2 || len(g.Params) != p.NumParams() || len(g.Cond) != 4 || g.Amortization != nil {
		t.Errorf("%d rows, gradient lengths %d %d %d", len(h.Value), len(g.Params), len(g.Cond), len(g.Amortization))
	}
	if _, _, err := EntropyGrad(p, cond, Options{SampleSize: 50, Amortization: p.AmortizationInit()}); err == nil {
		t.Error("amortization parameters for a fully amortized PDF: no error")
	}
}
