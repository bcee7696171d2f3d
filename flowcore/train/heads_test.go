package train_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/train"
)

func headsPDF(t *testing.T, pdf, flow, settings string) *flowcore.PDF {
	t.Helper()
	cfg := flowcore.DefaultConfig()
	if err := cfg.SetAmortizationJSON([]byte(settings)); err != nil {
		t.Fatal(err)
	}
	p, err := flowcore.New(pdf, flow, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// gaussRows draws x ~ N(mu(c), sigma(c)) for c uniform in [-1, 1] with a nonlinear mean and width,
// and the true log-densities.
func gaussRows(n int, seed uint64) (x, c, logp []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	for i := 0; i < n; i++ {
		ci := 2*rng.Float64() - 1
		mu, sigma := math.Sin(2*ci), 0.3+0.2*ci*ci
		z := rng.NormFloat64()
		x, c = append(x, mu+sigma*z), append(c, ci)
		logp = append(logp, -0.5*z*z-math.Log(sigma)-0.5*math.Log(2*math.Pi))
	}
	return x, c, logp
}

// TestFitFullyAmortized trains a fully amortized PDF on a conditional Gaussian: the held-out
// log-likelihood comes within 0.1 nats of the true conditional density.
func TestFitFullyAmortized(t *testing.T) {
	p := headsPDF(t, "e1", "g", `{"fully_amortized_pdf":{"conditional_input_dim":1,"inner_mlp_dims_sub_pdfs":"4","amortization_mlp_dims":"16"}}`)
	x, c, _ := gaussRows(4000, 1)
	if _, err := train.Fit(p, x, 4000, c, train.Options{Steps: 1500, BatchSize: 200, LearningRate: 1e-2, Seed: 2}, nil); err != nil {
		t.Fatal(err)
	}
	xv, cv, truth := gaussRows(2000, 3)
	d, err := p.LogDensity(xv, 2000, cv, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	gap := 0.0
	for i := range truth {
		gap += (truth[i] - d.LogPDF[i]) / 2000
	}
	t.Logf("held-out: true minus fitted mean log-likelihood %.4f nats", gap)
	if gap > 0.1 {
		t.Errorf("fitted conditional density is %.3f nats below the truth", gap)
	}
}

// TestFitPoisson trains the Poisson head with the extended likelihood: unconditional (the data
// set is one observation of n events) and joined with a conditional MLP (two observations of 100
// and 300 events): exp(log λ) approaches the counts.
func TestFitPoisson(t *testing.T) {
	p := headsPDF(t, "e1", "g", `{"predict_log_normalization":true}`)
	x, _, _ := gaussRows(500, 4)
	if _, err := train.Fit(p, x, 500, nil, train.Options{Steps: 600, BatchSize: 100, LearningRate: 0.05, Seed: 1}, nil); err != nil {
		t.Fatal(err)
	}
	lm, _ := p.LogMeanPoisson(nil, 0)
	if math.Abs(lm[0]-math.Log(500)) > 0.05 {
		t.Errorf("unconditional: log λ %.4f, log 500 = %.4f", lm[0], math.Log(500))
	}
	q := headsPDF(t, "e1", "g", `{"conditional_input_dim":1,"amortization_mlp_dims":"8","predict_log_normalization":true,"join_poisson_and_pdf_description":true}`)
	var xs, cs, counts []float64
	rng := rand.New(rand.NewPCG(5, 6))
	for g, n := range []int{100, 300} {
		for i := 0; i < n; i++ {
			xs, cs, counts = append(xs, float64(g)+rng.NormFloat64()), append(cs, float64(g)), append(counts, float64(n))
		}
	}
	if _, err := train.Fit(q, xs, 400, cs, train.Options{Steps: 1500, BatchSize: 100, LearningRate: 0.05, Seed: 1, PoissonCounts: counts}, nil); err != nil {
		t.Fatal(err)
	}
	lm, _ = q.LogMeanPoisson([]float64{0, 1}, 2)
	if math.Abs(lm[0]-math.Log(100)) > 0.1 || math.Abs(lm[1]-math.Log(300)) > 0.1 {
		t.Errorf("joined: log λ %.4f, %.4f; want log 100 = %.4f, log 300 = %.4f", lm[0], lm[1], math.Log(100), math.Log(300))
	}
	if _, err := train.Fit(q, xs, 400, cs, train.Options{Steps: 1}, nil); err == nil || !strings.Contains(err.Error(), "poisson_counts") {
		t.Errorf("conditional head without counts: %v", err)
	}
}

// TestFitAmortizeEverything: an amortize-everything PDF has nothing of its own to train.
func TestFitAmortizeEverything(t *testing.T) {
	p := headsPDF(t, "e1", "g", `{"amortize_everything":true,"amortization_mlp_use_custom_mode":true}`)
	if _, err := train.Fit(p, []float64{0.1}, 1, nil, train.Options{}, nil); err == nil || !strings.Contains(err.Error(), "amortize_everything") {
		t.Errorf("got %v", err)
	}
}
