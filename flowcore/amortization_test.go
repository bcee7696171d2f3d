package flowcore_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// TestAmortizationErrors checks that bad conditioning settings give errors naming the argument.
func TestAmortizationErrors(t *testing.T) {
	custom := func(c flowcore.Config) flowcore.Config {
		c.ConditionalInputDim, c.AmortizationMLPUseCustomMode = 2, true
		return c
	}
	cases := []struct {
		name string
		cfg  func(flowcore.Config) flowcore.Config
		want string
	}{
		{"list length", func(c flowcore.Config) flowcore.Config { c.ConditionalInputDims = []int{2}; return c },
			"conditional_input_dim: a list needs one entry per sub-manifold (2), got 1"},
		{"negative entry", func(c flowcore.Config) flowcore.Config { c.ConditionalInputDims = []int{2, -1}; return c },
			"conditional_input_dim[1] must be >= 0"},
		{"int and list", func(c flowcore.Config) flowcore.Config {
			c.ConditionalInputDim, c.ConditionalInputDims = 1, []int{2, 2}
			return c
		}, "not both"},
		{"dims list length", func(c flowcore.Config) flowcore.Config {
			c.AmortizationMLPDimsList = []string{"8", "8", "8"}
			return c
		}, "amortization_mlp_dims: a list needs one entry per sub-manifold (2), got 3"},
		{"ranks list length", func(c flowcore.Config) flowcore.Config {
			c = custom(c)
			c.AmortizationMLPRanksList = []string{"1"}
			return c
		}, "amortization_mlp_ranks: a list needs one entry per sub-manifold (2), got 1"},
		{"bad rank string", func(c flowcore.Config) flowcore.Config {
			c = custom(c)
			c.AmortizationMLPRanks = "2-x"
			return c
		}, `amortization_mlp_ranks "2-x": "x" is not a non-negative integer`},
		{"rank count", func(c flowcore.Config) flowcore.Config {
			c = custom(c)
			c.AmortizationMLPRanks = "2-10-1000"
			return c
		}, "3 ranks for an MLP of 2 matrices"},
		{"highway mode", func(c flowcore.Config) flowcore.Config {
			c = custom(c)
			c.AmortizationMLPHighwayMode = 5
			return c
		}, "amortization_mlp_highway_mode must be 0, 1, 2, 3 or 4, got 5"},
	}
	for _, c := range cases {
		_, err := flowcore.New("e2+s2", "g+f", c.cfg(flowcore.DefaultConfig()))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
	var cfg flowcore.Config
	for _, bad := range []string{`{"conditional_input_dim": "3"}`, `{"amortization_mlp_dims": [1.5]}`, `{"unknown": 1}`,
		`{"amortization_mlp_ranks": null}`} {
		if err := cfg.SetAmortizationJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestListConditioning checks the meaning of a list conditional_input_dim: sub-manifold 0 without
// an input owns its parameters as in an unconditional PDF, each MLP reads only its own columns,
// and the conditional row is the inputs concatenated.
func TestListConditioning(t *testing.T) {
	cfg := flowcore.DefaultConfig()
	cfg.ConditionalInputDims, cfg.AmortizationMLPDims = []int{0, 2}, "8"
	p, err := flowcore.New("e1+e1", "g+g", cfg)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := flowcore.New("e1+e1", "g+g", flowcore.Config{AmortizationMLPDims: "8"})
	if err != nil {
		t.Fatal(err)
	}
	// Sub-manifold 0 owns its 32 parameters; sub-manifold 1's MLP reads 2 inputs plus x_0.
	if want := 32 + (3*8 + 8 + 8*32 + 32); p.NumParams() != want || p.ConditionalDim() != 2 {
		t.Fatalf("%d parameters (want %d), conditional width %d", p.NumParams(), want, p.ConditionalDim())
	}
	if plain.NumParams() != 32+(1*8+8+8*32+32) {
		t.Fatalf("unconditional: %d parameters", plain.NumParams())
	}
	if _, err := p.LogDensity([]float64{0.1, 0.2}, 1, nil, flowcore.SavedCoords); err == nil {
		t.Error("missing conditional input accepted")
	}
	d, err := p.LogDensity([]float64{0.1, 0.2, 0.3, -0.4}, 2, []float64{1, 2, 3, 4}, flowcore.SavedCoords)
	if err != nil || len(d.LogPDF) != 2 {
		t.Fatal(d, err)
	}
}

// TestSaveLoadAmortized checks that the new conditioning settings survive the model file (format
// version 2) and that a model without them is still written as version 1.
func TestSaveLoadAmortized(t *testing.T) {
	cfg := flowcore.DefaultConfig()
	cfg.ConditionalInputDims, cfg.AmortizationMLPDimsList = []int{3, 0}, []string{"16", "8-8"}
	cfg.AmortizationMLPUseCustomMode, cfg.AmortizationMLPRanksList, cfg.AmortizationMLPHighwayMode = true, []string{"2", "1-2-0-1-2"}, 3
	p, err := flowcore.New("e2+s2", "gg+f", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.InitParams(nil, 0, flowcore.SavedCoords, 5, 7); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := flowcore.Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"format_version":"4"`)) || !bytes.Contains(buf.Bytes(), []byte(`"amortization"`)) {
		t.Error("extended conditioning not written as format version 4 with the key amortization")
	}
	q, err := flowcore.Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Config().AmortizationJSON()
	b, _ := q.Config().AmortizationJSON()
	if string(a) != string(b) || q.NumParams() != p.NumParams() {
		t.Fatalf("settings %s, loaded %s", a, b)
	}
	cond := []float64{1, -2, 0.5, 3, 0, 1}
	x := []float64{0.1, 0.2, 1, 2, -0.3, 0.4, 2, 1}
	da, _ := p.LogDensity(x, 2, cond, flowcore.SavedCoords)
	db, _ := q.LogDensity(x, 2, cond, flowcore.SavedCoords)
	for i := range da.LogPDF {
		if da.LogPDF[i] != db.LogPDF[i] {
			t.Fatalf("row %d: %v vs %v", i, da.LogPDF[i], db.LogPDF[i])
		}
	}
	_, raw := savedModel(t)
	if bytes.Contains(raw, []byte(`"amortization"`)) {
		t.Error("a model with plain conditioning is written with the key amortization")
	}
}

// TestCustomMLPInitDamping checks init_params(damping_factor) with the custom MLP in every
// highway mode: with a large damping factor the conditional input hardly matters at the start.
func TestCustomMLPInitDamping(t *testing.T) {
	for mode := 0; mode <= 4; mode++ {
		cfg := flowcore.DefaultConfig()
		cfg.ConditionalInputDim, cfg.AmortizationMLPDims, cfg.AmortizationMLPUseCustomMode = 2, "8", true
		cfg.AmortizationMLPRanks, cfg.AmortizationMLPHighwayMode = "2", mode
		p, err := flowcore.New("e1+s2", "g+f", cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.InitParams(nil, 0, flowcore.SavedCoords, 1e8, 3); err != nil {
			t.Fatal(err)
		}
		x := []float64{0.3, 1.1, 2.0, 0.3, 1.1, 2.0}
		d, err := p.LogDensity(x, 2, []float64{5, -3, -40, 7}, flowcore.SavedCoords)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(d.LogPDF[0]-d.LogPDF[1]) > 1e-5 {
			t.Errorf("highway mode %d: log_pdf %v depends on the conditional input after a damped init", mode, d.LogPDF)
		}
	}
}
