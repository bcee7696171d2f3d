// Package testpdf builds PDFs for tests whose parameters are moved randomly away from their
// initial values, so that they are no longer the base distribution.
package testpdf

import (
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// Perturbed builds pdfDefs/flowDefs (conditional with condDim inputs and an 8-unit conditioning
// MLP if condDim > 0) and adds spread·N(0, 1) draws of rng to every parameter.
func Perturbed(tb testing.TB, pdfDefs, flowDefs string, condDim int, spread float64, rng *rand.Rand) *flowcore.PDF {
	tb.Helper()
	cfg := flowcore.DefaultConfig()
	cfg.ConditionalInputDim = condDim
	if condDim > 0 {
		cfg.AmortizationMLPDims = "8"
	}
	p, err := flowcore.New(pdfDefs, flowDefs, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	v := p.Params()
	for i := range v {
		v[i] += spread * rng.NormFloat64()
	}
	if err := p.SetParams(v); err != nil {
		tb.Fatal(err)
	}
	return p
}

// PlainAndAmortized builds an ordinary PDF (custom-mode MLPs) of the definitions and its
// amortize-everything twin, whose rows of amortization parameters take the ordinary PDF's flat
// parameter vector.
func PlainAndAmortized(tb testing.TB, pdfDefs, flowDefs string) (plain, amortized *flowcore.PDF) {
	tb.Helper()
	cfg := flowcore.DefaultConfig()
	cfg.AmortizationMLPUseCustomMode = true
	plain, err := flowcore.New(pdfDefs, flowDefs, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.AmortizeEverything = true
	if amortized, err = flowcore.New(pdfDefs, flowDefs, cfg); err != nil {
		tb.Fatal(err)
	}
	if amortized.NumAmortizationParams() != plain.NumParams() {
		tb.Fatalf("%d amortization parameters, %d parameters", amortized.NumAmortizationParams(), plain.NumParams())
	}
	return plain, amortized
}
