package flowcore_test

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/internal/fixture"
)

// amortizedConfig builds the Config of a fixture's jammy_flows conditioning arguments.
func amortizedConfig(t *testing.T, kwargs []byte) flowcore.Config {
	t.Helper()
	cfg := flowcore.DefaultConfig()
	if err := cfg.SetAmortizationJSON(kwargs); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestAmortizedParity checks conditional PDFs against jammy_flows: list conditional_input_dim
// (with a sub-manifold without input), per-sub-manifold MLP widths and the custom MLP with ranks
// "2-10-1000" in every highway mode (conditional inputs scaled by 100 in some), with upstream's
// flat parameters: count_parameters, log-densities (1e-10 relative) and base points.
func TestAmortizedParity(t *testing.T) {
	worst := 0.0
	for _, name := range fixture.AmortizedNames(t) {
		t.Run(name, func(t *testing.T) {
			fx := fixture.LoadAmortized(t, name)
			p := upstreamModel(t, fx.PDFDefs, fx.FlowDefs, amortizedConfig(t, fx.Kwargs), fx.Count, fx.Params)
			n := len(fx.X)
			d, err := p.LogDensity(fixture.Flatten(fx.X), n, fixture.Flatten(fx.Cond), flowcore.SavedCoords)
			if err != nil {
				t.Fatal(err)
			}
			base, bd := fixture.Flatten(fx.Base), p.BaseDim()
			for i := 0; i < n; i++ {
				worst = math.Max(worst, math.Abs(d.LogPDF[i]-fx.LogPDF[i]))
				if !relClose(d.LogPDF[i], fx.LogPDF[i], 1e-10) || !relClose(d.BaseLogPDF[i], fx.BaseLogPDF[i], 1e-10) {
					t.Errorf("row %d: log_pdf %.15g (upstream %.15g), base_log_pdf %.15g (upstream %.15g)",
						i, d.LogPDF[i], fx.LogPDF[i], d.BaseLogPDF[i], fx.BaseLogPDF[i])
				}
				for j := i * bd; j < (i+1)*bd; j++ {
					if !relClose(d.Base[j], base[j], 1e-9) {
						t.Errorf("row %d base %d: %.15g (upstream %.15g)", i, j-i*bd, d.Base[j], base[j])
					}
				}
			}
		})
	}
	t.Logf("max |Δlog_pdf| vs jammy_flows over all amortized fixtures: %.3g", worst)
}

// TestAmortizedParameterCounts checks count_parameters of conditional configurations (list
// conditioning, custom MLPs with int, dash-string and per-sub-manifold ranks in highway modes
// 0–4) against the numbers measured with jammy_flows.
func TestAmortizedParameterCounts(t *testing.T) {
	for _, c := range fixture.AmortizedCounts(t) {
		p, err := flowcore.New(c.PDFDefs, c.FlowDefs, amortizedConfig(t, c.Kwargs))
		if err != nil {
			t.Errorf("%s %s %s: %v", c.PDFDefs, c.FlowDefs, c.Kwargs, err)
			continue
		}
		if p.NumParams() != c.Count {
			t.Errorf("%s %s %s: %d parameters, jammy_flows has %d", c.PDFDefs, c.FlowDefs, c.Kwargs, p.NumParams(), c.Count)
		}
	}
}
