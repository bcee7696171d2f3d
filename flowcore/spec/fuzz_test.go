package spec

import (
	"math"
	"strings"
	"testing"
)

// FuzzDefinitions parses arbitrary pdf_defs and flow_defs strings: never a panic, and an
// accepted definition respects the limits.
func FuzzDefinitions(f *testing.F) {
	for _, s := range [][2]string{{"e2+s2+i1_-1.0_2.0", "gg+f+r"}, {"e100000", "g"}, {"i1_-inf_inf", "r"}, {"s1+a3", "m+w"}, {"e1+", "g+"}} {
		f.Add(s[0], s[1])
	}
	letters := func(kind byte) string {
		switch kind {
		case Euclidean:
			return "gtx"
		case Sphere:
			return "fmnovy"
		case Interval:
			return "rz"
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, pdfDefs, flowDefs string) {
		defs, err := ParsePDFDefs(pdfDefs)
		if err != nil {
			return
		}
		total := 0
		for _, d := range defs {
			total += d.Dim
			if d.Dim < 1 || d.Dim > MaxDim || !(d.Low < d.High) || math.IsInf(d.High-d.Low, 0) {
				t.Fatalf("%q: accepted %+v", pdfDefs, d)
			}
		}
		if total > MaxDim {
			t.Fatalf("%q: total dimension %d", pdfDefs, total)
		}
		parts, err := ParseFlowDefs(flowDefs, defs, letters)
		if err != nil {
			return
		}
		for k, p := range parts {
			if len(p) == 0 || len(p) > MaxLayers || strings.Trim(p, letters(defs[k].Kind)) != "" {
				t.Fatalf("%q on %q: accepted part %q", flowDefs, pdfDefs, p)
			}
		}
	})
}

// FuzzOptionsJSON parses arbitrary options_overwrite JSON: never a panic, and accepted options
// survive a round trip through JSON.
func FuzzOptionsJSON(f *testing.F) {
	for _, s := range []string{`{"g": {"num_kde": 4}}`, `{"1": {"r": {"num_basis_functions": 3}}}`, `{"0,1": {"g": {}}}`, `{"G": {}}`, `{"g": {"num_kde": 1e12}}`, `[]`} {
		f.Add(s)
	}
	schema := Schema{{Name: "num_kde", Kind: Int, Default: 5, Check: Positive}, {Name: "rotation_mode", Kind: String, Default: "householder"}, {Name: "bound", Kind: Float, Default: 1.0}}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOverridesJSON([]byte(s))
		if err != nil {
			return
		}
		_ = o.CheckLetters("gtx")
		if v, err := o.Resolve(0, 0, 'g', schema); err == nil {
			if k := v.Int("num_kde"); k < 1 || k > MaxInt {
				t.Fatalf("%q: num_kde %d accepted", s, k)
			}
		}
		data, err := o.JSON()
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		again, err := ParseOverridesJSON(data)
		if err != nil {
			t.Fatalf("%q: the re-encoded %s does not parse: %v", s, data, err)
		}
		if data2, _ := again.JSON(); string(data2) != string(data) {
			t.Fatalf("%q: round trip %s -> %s", s, data, data2)
		}
	})
}
