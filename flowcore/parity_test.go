package flowcore_test

import (
	"math"
	"strconv"
	"testing"

	"github.com/gojammy/gojammy/flowcore/internal/fixture"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// relClose reports |a-b| <= tol·max(1,|b|).
func relClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// TestUpstreamParity builds each fixture's model with upstream's flat parameter vector and checks
// parameter counts and log-densities (1e-10 relative, see fixture.LogPDFTolerance; shifted by
// fixture.LogPDFOffset where upstream is wrong) and base points against jammy_flows.
func TestUpstreamParity(t *testing.T) {
	for _, name := range fixture.Names(t) {
		t.Run(name, func(t *testing.T) {
			fx := fixture.Load(t, name)
			cfg := flowcore.DefaultConfig()
			cfg.Options = spec.Overrides{ByLetter: fx.Options}
			p := upstreamModel(t, fx.PDFDefs, fx.FlowDefs, cfg, fx.Count, fx.Params)
			d, err := p.LogDensity(fixture.Flatten(fx.X), len(fx.X), nil, flowcore.SavedCoords)
			if err != nil {
				t.Fatal(err)
			}
			base := fixture.Flatten(fx.Base)
			bad, tol, off := 0, fixture.LogPDFTolerance(name), fixture.LogPDFOffset(t, fx.PDFDefs)
			baseDiffers := func(i int) bool { _, ok := fx.BaseDiffersRows[strconv.Itoa(i)]; return ok }
			for i := range fx.LogPDF {
				if !relClose(d.LogPDF[i], fx.LogPDF[i]+off, tol) || (!baseDiffers(i) && !relClose(d.BaseLogPDF[i], fx.BaseLogPDF[i], tol)) {
					if bad < 5 {
						t.Errorf("row %d x=%v: log_pdf %.15g (upstream %.15g), base_log_pdf %.15g (upstream %.15g)",
							i, fx.X[i], d.LogPDF[i], fx.LogPDF[i], d.BaseLogPDF[i], fx.BaseLogPDF[i])
					}
					bad++
				}
			}
			bd := p.BaseDim()
			for i := range base {
				if !baseDiffers(i/bd) && !relClose(d.Base[i], base[i], fixture.BaseTolerance(name)) && bad < 5 {
					t.Errorf("base entry %d: %.15g (upstream %.15g)", i, d.Base[i], base[i])
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d mismatches", bad)
			}
		})
	}
}

// upstreamModel builds a fixture's model, checks its parameter count against jammy_flows' count
// and sets upstream's flat parameters.
func upstreamModel(t *testing.T, pdfDefs, flowDefs string, cfg flowcore.Config, count int, params []float64) *flowcore.PDF {
	t.Helper()
	p, err := flowcore.New(pdfDefs, flowDefs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.NumParams() != count {
		t.Fatalf("count_parameters: gojammy %d, jammy_flows %d", p.NumParams(), count)
	}
	if err := p.SetParams(params); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestUpstreamParameterCounts checks count_parameters against the numbers measured with
// jammy_flows (RUNNING_JAMMY_FLOWS.md; v1.1.0 unless noted).
func TestUpstreamParameterCounts(t *testing.T) {
	cases := []struct {
		pdf, flow string
		cond      int
		want      int
	}{
		{"e1", "g", 0, 32}, {"e3", "gggg", 0, 399}, {"e2", "gggg", 0, 258}, {"e10", "gggg", 0, 1610},
		{"e1", "gggt", 0, 95}, {"e3", "gggggt", 0, 501}, {"e2", "gg", 3, 17282}, {"i1", "r", 0, 16},
		{"i1_-3.0_3.0+i1", "r+rrr", 0, 6464}, {"e2+i1_-1.0_2.0+e1", "gg+r+g", 0, 7218},
		{"e1+e2+e1", "gg+g+ggg", 0, 21471}, {"e2", "t", 0, 4}, {"e5", "t", 0, 10},
		{"s1", "m", 0, 20}, {"s1", "o", 0, 8}, {"s2", "f", 0, 10}, {"s2", "v", 0, 50}, {"s2", "y", 0, 0},
		{"e2+s2", "gg+f", 0, 1804}, {"e1+s1", "g+m", 0, 2868}, {"s2+e1", "f+g", 0, 4650},
		{"s2", "n", 0, 1281}, {"e4+s2+e4", "gggg+n+gggg", 0, 238153},
		{"a1", "w", 0, 62}, {"a2", "w", 0, 8316}, {"a3", "w", 0, 16698}, {"a2", "u", 0, 4},
		{"e2", "h", 0, 66}, {"e3", "hhh", 0, 300}, {"e1+e2", "h+hh", 0, 17058},
	}
	for _, c := range cases {
		cfg := flowcore.DefaultConfig()
		cfg.ConditionalInputDim = c.cond
		p, err := flowcore.New(c.pdf, c.flow, cfg)
		if err != nil {
			t.Errorf("%s %s: %v", c.pdf, c.flow, err)
			continue
		}
		if p.NumParams() != c.want {
			t.Errorf("%s %s (cond %d): %d parameters, jammy_flows has %d (per layer %v)", c.pdf, c.flow, c.cond, p.NumParams(), c.want, p.LayerParamCounts())
		}
	}
}
