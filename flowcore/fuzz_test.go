package flowcore_test

import (
	"bytes"
	"math"
	"os"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// fuzzBudget keeps fuzzed models small: a definition needing more is refused by the budget.
const fuzzBudget = 4 << 20

// FuzzModelFile loads arbitrary bytes: never a panic, and a file that loads re-saves and loads
// again to the same bytes.
func FuzzModelFile(f *testing.F) {
	_, small := smallModelFile(f)
	f.Add(small)
	if old, err := os.ReadFile("testdata/abi2_e1_s2_embedded.safetensors"); err == nil {
		f.Add(old)
	}
	f.Add([]byte{})
	defer flowcore.SetMemoryBudget(0)
	if err := flowcore.SetMemoryBudget(fuzzBudget); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := flowcore.Load(bytes.NewReader(raw))
		if err != nil {
			return
		}
		var once, twice bytes.Buffer
		if err := flowcore.Save(&once, p); err != nil {
			t.Fatal(err)
		}
		q, err := flowcore.Load(bytes.NewReader(once.Bytes()))
		if err != nil {
			t.Fatalf("a re-saved model does not load: %v", err)
		}
		if err := flowcore.Save(&twice, q); err != nil || !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("save/load/save is not stable: %v", err)
		}
	})
}

// FuzzNew builds models from arbitrary definitions and options: never a panic; a model that
// builds evaluates a finite, an out-of-range and a NaN point without panicking, NaN staying NaN.
func FuzzNew(f *testing.F) {
	for _, s := range [][3]string{
		{"e2+s2", "gg+f", `{"g": {"num_kde": 3}}`},
		{"i1_-1.0_2.0+s1", "r+m", `{}`},
		{"e100000", "g", ``},
		{"e2", "g", `{"g": {"num_householder_iter": 1000000000}}`},
		{"s2", "v", `{"v": {"num_components": 3}}`},
		{"e1", "tx", `{"G": {}}`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	defer flowcore.SetMemoryBudget(0)
	if err := flowcore.SetMemoryBudget(fuzzBudget); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pdfDefs, flowDefs, opts string) {
		p, err := newWith(pdfDefs, flowDefs, opts, nil)
		if err != nil {
			return
		}
		d := p.BaseDim()
		if w, err := p.Dim(flowcore.SavedCoords); err == nil {
			d = w
		}
		x := make([]float64, 3*d)
		for i := range d {
			x[i], x[d+i], x[2*d+i] = 0.25, 1e300, 0.25
		}
		x[2*d] = math.NaN()
		r, err := p.LogDensity(x, 3, nil, flowcore.SavedCoords)
		if err != nil {
			return
		}
		if !math.IsNaN(r.LogPDF[2]) || math.IsNaN(r.LogPDF[1]) {
			t.Fatalf("%q %q %q: log p %v (want NaN only in the NaN row)", pdfDefs, flowDefs, opts, r.LogPDF)
		}
	})
}

// FuzzSignedModelFile loads model files whose header fields are arbitrary but whose checksum is
// right (what a forger writes, past the checksum that stops FuzzModelFile's mutations): never a
// panic, never an allocation beyond the budget.
func FuzzSignedModelFile(f *testing.F) {
	f.Add("e2+i1_-1.0_2.0", "gg+r", `{"g": {"num_kde": 2}}`, "0", "128", int64(0))
	f.Add("e100000", "g", `{}`, "0", "128", int64(0))
	f.Add("e2", "g", `{}`, "1000000000", "1000000000", int64(1)<<40)
	defer flowcore.SetMemoryBudget(0)
	if err := flowcore.SetMemoryBudget(fuzzBudget); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pdfDefs, flowDefs, opts, condDim, mlpDims string, count int64) {
		meta := map[string]string{"format": "gojammy-model", "format_version": "4", "gojammy_version": flowcore.Version,
			"pdf_defs": pdfDefs, "flow_defs": flowDefs, "options_overwrite": opts, "conditional_input_dim": condDim,
			"amortization_mlp_dims": mlpDims, "embedding_flags": "[false]"}
		data := make([]byte, 8*min(max(count, 0), 64))
		_, _ = flowcore.Load(bytes.NewReader(signedFile(meta, count, data)))
	})
}
