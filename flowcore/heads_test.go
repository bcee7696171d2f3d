package flowcore_test

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// headsConfig returns a Config from the JSON settings s.
func headsConfig(t *testing.T, s string) flowcore.Config {
	t.Helper()
	cfg := flowcore.DefaultConfig()
	if err := cfg.SetAmortizationJSON([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestFullyAmortizedCounts checks the counts of jammy_flows' fully_amortized_pdf("e2+s2", "gg+f",
// conditional_input_dim=3) measured upstream: inner total_number_amortizable_params 1,824,
// count_parameters (the outer MLP, rank 5 second matrix) 12,096; an amortize-everything PDF owns
// no parameters.
func TestFullyAmortizedCounts(t *testing.T) {
	p, err := flowcore.New("e2+s2", "gg+f", flowcore.FullyAmortizedConfig(3))
	if err != nil {
		t.Fatal(err)
	}
	if p.NumAmortizationParams() != 1824 || p.NumParams() != 12096 || p.ConditionalDim() != 3 || p.TakesAmortizationParams() {
		t.Errorf("inner %d, outer %d, conditional %d", p.NumAmortizationParams(), p.NumParams(), p.ConditionalDim())
	}
	q, err := flowcore.New("e2+s2", "gg+f", headsConfig(t, `{"amortize_everything":true,"amortization_mlp_use_custom_mode":true,"amortization_mlp_highway_mode":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if q.NumParams() != 0 || q.NumAmortizationParams() != 1824 || len(q.AmortizationInit()) != 1824 || !q.TakesAmortizationParams() {
		t.Errorf("amortize_everything: %d own parameters, %d amortization parameters", q.NumParams(), q.NumAmortizationParams())
	}
}

// TestHeadsErrors: settings upstream refuses give errors naming the argument.
func TestHeadsErrors(t *testing.T) {
	for _, c := range []struct{ pdf, flow, settings, want string }{
		{"e2", "gg", `{"amortize_everything":true}`, "amortize_everything requires amortization_mlp_use_custom_mode"},
		{"e2", "gg", `{"amortize_everything":true,"amortization_mlp_use_custom_mode":true,"predict_log_normalization":true}`, "predict_log_normalization"},
		{"e2+s2", "gg+f", `{"predict_log_normalization":true}`, "predict_log_normalization"},
		{"e2", "gg", `{"join_poisson_and_pdf_description":true}`, "join_poisson_and_pdf_description"},
		{"e2", "gg", `{"fully_amortized_pdf":{"conditional_input_dim":0}}`, "conditional_input_dim"},
		{"e2", "gg", `{"fully_amortized_pdf":{"conditional_input_dim":2},"amortize_everything":true}`, "not beside it"},
		{"e2", "gg", `{"fully_amortized_pdf":{"conditional_input_dim":2,"amortization_mlp_highway_mode":7}}`, "amortization_mlp_highway_mode"},
		{"e2", "gg", `{"fully_amortized_pdf":{"conditional_input_dim":2,"amortization_mlp_ranks":"1-2-3-4"}}`, "amortization_mlp_ranks"},
		{"e2", "gg", `{"conditional_input_dim":2,"predict_log_normalization":true,"amortization_mlp_use_custom_mode":true,"hidden_mlp_dims_poisson":"a"}`, "hidden_mlp_dims_poisson"},
	} {
		cfg := flowcore.DefaultConfig()
		err := cfg.SetAmortizationJSON([]byte(c.settings))
		if err == nil {
			_, err = flowcore.New(c.pdf, c.flow, cfg)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.settings, err, c.want)
		}
	}
	p, _ := flowcore.New("e1", "g", headsConfig(t, `{"amortize_everything":true,"amortization_mlp_use_custom_mode":true}`))
	if _, err := p.LogDensityAmortized([]float64{0.1}, 1, nil, []float64{1}, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "amortization_parameters") {
		t.Errorf("short amortization row: %v", err)
	}
	if _, err := p.SampleAmortized(1, nil, nil, 1, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "amortization_parameters") {
		t.Errorf("missing amortization rows: %v", err)
	}
	q, _ := flowcore.New("e1", "g", flowcore.DefaultConfig())
	if _, err := q.LogDensityAmortized([]float64{0.1}, 1, nil, []float64{1}, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "amortization_parameters") {
		t.Errorf("amortization rows for a plain PDF: %v", err)
	}
	if _, err := q.LogMeanPoisson(nil, 0); err == nil || !strings.Contains(err.Error(), "predict_log_normalization") {
		t.Errorf("log_mean_poisson without the head: %v", err)
	}
}

// TestModelFileHeads: amortize_everything, fully amortized and Poisson-head models survive a
// save and load (format version 3) with their settings and densities.
func TestModelFileHeads(t *testing.T) {
	for _, s := range []string{
		`{"amortize_everything":true,"amortization_mlp_use_custom_mode":true,"amortization_mlp_dims":"8"}`,
		`{"fully_amortized_pdf":{"conditional_input_dim":2,"inner_mlp_dims_sub_pdfs":["8","4"],"inner_mlp_ranks":2,"amortization_mlp_dims":"8","amortization_mlp_use_custom_mode":false}}`,
		`{"predict_log_normalization":true}`,
		`{"conditional_input_dim":2,"amortization_mlp_dims":"8","predict_log_normalization":true,"amortization_mlp_use_custom_mode":true,"hidden_mlp_dims_poisson":"4","rank_of_mlp_mappings_poisson":1}`,
	} {
		pdf, flow := "e1+s2", "g+f"
		if strings.Contains(s, "predict_log_normalization") {
			pdf, flow = "e2", "gg"
		}
		p, err := flowcore.New(pdf, flow, headsConfig(t, s))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := flowcore.Save(&buf, p); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte(`"amortization"`)) {
			t.Errorf("%s: saved without the key amortization", s)
		}
		q, err := flowcore.Load(&buf)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		a, _ := p.Config().AmortizationJSON()
		b, _ := q.Config().AmortizationJSON()
		if !bytes.Equal(a, b) || !reflect.DeepEqual(p.Params(), q.Params()) || q.NumAmortizationParams() != p.NumAmortizationParams() {
			t.Errorf("%s: loaded %s, saved %s", s, b, a)
		}
	}
}

// TestLogMeanPoissonGrad compares the gradient of Σ seed·log λ with central finite differences
// for the joined, the separate and the unconditional head.
func TestLogMeanPoissonGrad(t *testing.T) {
	for _, s := range []string{
		`{"conditional_input_dim":2,"amortization_mlp_dims":"8","predict_log_normalization":true,"join_poisson_and_pdf_description":true}`,
		`{"conditional_input_dim":2,"amortization_mlp_dims":"8","predict_log_normalization":true,"amortization_mlp_use_custom_mode":true,"hidden_mlp_dims_poisson":"4"}`,
		`{"predict_log_normalization":true}`,
	} {
		p, err := flowcore.New("e1", "g", headsConfig(t, s))
		if err != nil {
			t.Fatal(err)
		}
		n := 3
		cond := condRows(p, n, 2)
		if cond == nil {
			n = 1
		}
		seed := []float64{1, -0.5, 2}[:n]
		_, g, err := p.LogMeanPoissonVJP(cond, n, seed)
		if err != nil {
			t.Fatal(err)
		}
		params := p.Params()
		f := func() float64 {
			_ = p.SetParams(params)
			lm, _ := p.LogMeanPoisson(cond, n)
			v := 0.0
			for i := range lm {
				v += seed[i] * lm[i]
			}
			return v
		}
		for _, j := range probeIndices(len(params), 30, 3) {
			if fd := centralDiff(params, j, f); math.Abs(g[j]-fd) > 1e-6*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s d/dparam[%d]: analytic %.10g, finite difference %.10g", s, j, g[j], fd)
			}
		}
	}
}
