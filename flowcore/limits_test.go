package flowcore_test

import (
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// newWith builds pdf/flow with options JSON and conditioning settings changed by edit.
func newWith(pdfDefs, flowDefs, opts string, edit func(*flowcore.Config)) (*flowcore.PDF, error) {
	o, err := spec.ParseOverridesJSON([]byte(opts))
	if err != nil {
		return nil, err
	}
	cfg := flowcore.DefaultConfig()
	cfg.Options = o
	if edit != nil {
		edit(&cfg)
	}
	return flowcore.New(pdfDefs, flowDefs, cfg)
}

// The reproducers of absurd sizes: each fails with an error naming the argument, before
// anything is allocated (under the race detector or a small ulimit these would otherwise abort).
func TestAbsurdSizesAreRefusedBeforeAllocation(t *testing.T) {
	cases := []struct {
		name, pdf, flow, opts string
		edit                  func(*flowcore.Config)
		want                  string
	}{
		{"huge dimension", "e100000", "g", ``, nil, "dimension = 100000 is beyond gojammy's limit of 4096"},
		{"huge total dimension", "e4000+e4000", "g+g", ``, nil, "total dimension exceeds"},
		{"num_kde", "e2", "g", `{"g": {"num_kde": 1000000000000}}`, nil, `option "num_kde"`},
		{"num_householder_iter", "e2", "g", `{"g": {"num_householder_iter": 1000000000}}`, nil, `option "num_householder_iter"`},
		{"num_components", "s2", "v", `{"v": {"num_components": 1000000000}}`, nil, `option "num_components"`},
		{"conditional_input_dim", "e2", "g", ``, func(c *flowcore.Config) { c.ConditionalInputDim = 1_000_000_000 }, "conditional_input_dim = 1000000000"},
		{"conditional_input_dim list", "e2", "g", ``, func(c *flowcore.Config) { c.ConditionalInputDims = []int{4 << 30} }, "conditional_input_dim[0]"},
		{"MLP width", "e2", "g", ``, func(c *flowcore.Config) { c.ConditionalInputDim, c.AmortizationMLPDims = 2, "1000000000" }, "amortization_mlp_dims"},
		{"MLP ranks", "e2", "g", ``, func(c *flowcore.Config) {
			c.ConditionalInputDim, c.AmortizationMLPUseCustomMode, c.AmortizationMLPRanks = 2, true, "4000000000"
		}, "amortization_mlp_ranks"},
		{"layers", "e2", strings.Repeat("g", 65), ``, nil, "beyond gojammy's limit of 64"},
		{"parameters above the budget", "e4096", "gg", ``, nil, "above the memory budget"},
		{"MLP above the budget", "e2", "g", ``, func(c *flowcore.Config) { c.ConditionalInputDim, c.AmortizationMLPDims = 4096, "1000000-1000000" }, "above the memory budget"},
	}
	defer flowcore.SetMemoryBudget(0)
	if err := flowcore.SetMemoryBudget(64 << 20); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		_, err := newWith(c.pdf, c.flow, c.opts, c.edit)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestMemoryBudget(t *testing.T) {
	defer flowcore.SetMemoryBudget(0)
	if flowcore.MemoryBudget() != flowcore.DefaultMemoryBudget() || flowcore.DefaultMemoryBudget() < 1<<30 {
		t.Fatalf("default budget %d", flowcore.MemoryBudget())
	}
	if err := flowcore.SetMemoryBudget(1000); err == nil {
		t.Fatal("a budget below 1 MiB was accepted")
	}
	p, err := flowcore.New("e2", "gg", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := flowcore.SetMemoryBudget(flowcore.MinMemoryBudget); err != nil {
		t.Fatal(err)
	}
	// 2 + 2 base columns + 2 log-densities = 6 values per sample: 1 MiB holds 21845 samples
	if _, err := p.Sample(21845, nil, 1, flowcore.SavedCoords); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sample(21846, nil, 1, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "samplesize=21846") {
		t.Fatalf("sampling above the budget: %v", err)
	}
	if _, err := p.Sample(1<<62, nil, 1, flowcore.SavedCoords); err == nil || !strings.Contains(err.Error(), "samplesize") {
		t.Fatalf("n*dim overflow: %v", err)
	}
	if err := flowcore.CheckMemory("x", 1<<40, 1<<40); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Fatalf("overflow: %v", err)
	}
}
