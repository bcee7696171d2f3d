package spec_test

import (
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore/spec"
)

func TestParsePDFDefs(t *testing.T) {
	defs, err := spec.ParsePDFDefs("e2+s2+i1_-3.0_3.5+i1+a3")
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 5 || defs[0].Dim != 2 || defs[1].Kind != spec.Sphere || defs[2].Low != -3 || defs[2].High != 3.5 ||
		defs[3].Low != 0 || defs[3].High != 1 || defs[4].Kind != spec.Simplex {
		t.Fatalf("parsed %+v", defs)
	}
	for _, bad := range []string{"", "e", "e0", "x2", "s3", "i2", "i1_3_1", "i1_a_b", "i1_0", "e2_1", "e2+", "e-1"} {
		if _, err := spec.ParsePDFDefs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		} else if !strings.Contains(err.Error(), "pdf_defs") {
			t.Errorf("%q: error %q does not name pdf_defs", bad, err)
		}
	}
}

func TestParseFlowDefs(t *testing.T) {
	defs, _ := spec.ParsePDFDefs("e2+i1")
	valid := func(kind byte) string {
		if kind == spec.Euclidean {
			return "gtx"
		}
		return "rz"
	}
	if parts, err := spec.ParseFlowDefs("gg+r", defs, valid); err != nil || parts[1] != "r" {
		t.Fatal(parts, err)
	}
	for bad, want := range map[string]string{"gg": "2 parts", "gg+r+r": "parts", "gq+r": `"q"`, "gg+g": "not available", "+r": "empty"} {
		_, err := spec.ParseFlowDefs(bad, defs, valid)
		if err == nil || !strings.Contains(err.Error(), strings.Trim(want, "2 ")) {
			t.Errorf("%q: error %v, want mention of %s", bad, err, want)
		}
	}
}

var schema = spec.Schema{
	{Name: "num_kde", Kind: spec.Int, Default: 10, Check: spec.AtLeast(1)},
	{Name: "flag", Kind: spec.Int, Default: 0, Check: spec.Flag},
	{Name: "width", Kind: spec.Float, Default: 0.5},
	{Name: "mode", Kind: spec.String, Default: "a", Choices: []string{"a", "b"}},
}

func TestOverridePrecedence(t *testing.T) {
	o, err := spec.ParseOverridesJSON([]byte(`{"g": {"num_kde": 3, "flag": true}, "1": {"g": {"num_kde": 4}}, "(1, 2)": {"g": {"width": 2}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate([]string{"gg", "ggg"}); err != nil {
		t.Fatal(err)
	}
	check := func(sub, layer int, kde int, flag int, width float64) {
		v, err := o.Resolve(sub, layer, 'g', schema)
		if err != nil {
			t.Fatal(err)
		}
		if v.Int("num_kde") != kde || v.Int("flag") != flag || v.Float("width") != width {
			t.Errorf("(%d,%d): %v", sub, layer, v)
		}
	}
	check(0, 0, 3, 1, 0.5)  // letter key
	check(1, 0, 4, 0, 0.5)  // sub-manifold key wins as a whole
	check(1, 2, 10, 0, 2.0) // layer key wins as a whole
	if err := o.Validate([]string{"gg"}); err == nil {
		t.Error("out-of-range sub-manifold accepted")
	}
	round, err := o.JSON()
	if err != nil {
		t.Fatal(err)
	}
	o2, err := spec.ParseOverridesJSON(round)
	if err != nil || o2.ByLayer[[2]int{1, 2}]["g"]["width"] == nil {
		t.Fatalf("JSON round trip: %s %v", round, err)
	}
}

func TestOptionErrors(t *testing.T) {
	for js, want := range map[string]string{
		`{"g": {"nope": 1}}`:      `unknown option "nope"; known options: num_kde, flag, width, mode`,
		`{"g": {"num_kde": 0}}`:   "must be >= 1",
		`{"g": {"num_kde": 1.5}}`: "expected an integer",
		`{"g": {"flag": 2}}`:      "must be one of",
		`{"g": {"mode": "c"}}`:    "must be one of a, b",
		`{"g": {"width": "x"}}`:   "expected a number",
	} {
		o, err := spec.ParseOverridesJSON([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.Resolve(0, 0, 'g', schema)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", js, err, want)
		}
	}
	for _, js := range []string{`[1]`, `{"x,y": {}}`, `{"g": 3}`} {
		if _, err := spec.ParseOverridesJSON([]byte(js)); err == nil {
			t.Errorf("%s: no error", js)
		}
	}
}

type widthGroup struct {
	Lower float64 `opt:"lower"`
}

type decoded struct {
	widthGroup
	Bins  int    `opt:"bins"`
	Flag  bool   `opt:"flag"`
	Mode  string `opt:"mode"`
	plain int
}

// TestDecode decodes values into tagged fields (embedded groups included), fails on a field
// without an option and on an option without a field, and round-trips through Encode.
func TestDecode(t *testing.T) {
	v := spec.Values{"lower": 0.5, "bins": 3, "flag": 1, "mode": "a"}
	var d decoded
	if err := spec.Decode(v, &d); err != nil {
		t.Fatal(err)
	}
	if d.Lower != 0.5 || d.Bins != 3 || !d.Flag || d.Mode != "a" || d.plain != 0 {
		t.Fatalf("decoded %+v", d)
	}
	if got := spec.Encode(d); len(got) != 4 || got["flag"] != 1 || got["bins"] != 3 || got["lower"] != 0.5 || got["mode"] != "a" {
		t.Errorf("Encode gave %v", got)
	}
	if err := spec.Decode(spec.Values{"lower": 0.5, "bins": 3, "flag": 1}, &d); err == nil || !strings.Contains(err.Error(), `"mode"`) {
		t.Errorf("missing option: got %v", err)
	}
	if err := spec.Decode(spec.Values{"lower": 0.5, "bins": 3, "flag": 1, "mode": "a", "modes": "b"}, &d); err == nil || !strings.Contains(err.Error(), "modes") {
		t.Errorf("extra option: got %v", err)
	}
	if err := spec.Decode(spec.Values{"lower": 0.5, "bins": 3.0, "flag": 1, "mode": "a"}, &d); err == nil {
		t.Error("a float for an int field was accepted")
	}
	var some decoded
	if err := spec.DecodeSome(spec.Values{"bins": 2, "other": 1}, &some); err != nil || some.Bins != 2 || some.Mode != "" {
		t.Errorf("DecodeSome: %+v, %v", some, err)
	}
}
