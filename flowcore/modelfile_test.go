package flowcore_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func savedModel(t *testing.T) (*flowcore.PDF, []byte) {
	t.Helper()
	opts, _ := spec.ParseOverridesJSON([]byte(`{"g": {"num_kde": 4}, "1": {"r": {"num_basis_functions": 3}}}`))
	cfg := flowcore.DefaultConfig()
	cfg.Options, cfg.AmortizationMLPDims = opts, "8-8"
	p, err := flowcore.New("e2+i1_-1.0_2.0", "gg+r", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.InitParams(nil, 0, flowcore.SavedCoords, 3, 99); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := flowcore.Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

func TestSaveLoadBitIdentical(t *testing.T) {
	p, raw := savedModel(t)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	q, err := flowcore.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if q.PDFDefs() != p.PDFDefs() || q.FlowDefs() != p.FlowDefs() || q.NumParams() != p.NumParams() {
		t.Fatalf("loaded %v, saved %v", q, p)
	}
	s, _ := p.Sample(500, nil, 3, flowcore.SavedCoords)
	a, _ := p.LogDensity(s.X, 500, nil, flowcore.SavedCoords)
	b, _ := q.LogDensity(s.X, 500, nil, flowcore.SavedCoords)
	for i := range a.LogPDF {
		if a.LogPDF[i] != b.LogPDF[i] {
			t.Fatalf("row %d: %v vs %v", i, a.LogPDF[i], b.LogPDF[i])
		}
	}
	// Saving the loaded model reproduces the file byte for byte.
	out := filepath.Join(t.TempDir(), "again.safetensors")
	if err := flowcore.SaveFile(out, q); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(out)
	if !bytes.Equal(again, raw) {
		t.Error("re-saved file differs")
	}
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	_, raw := savedModel(t)
	headerLen := int(binary.LittleEndian.Uint64(raw))
	flip := func(i int) []byte {
		c := append([]byte(nil), raw...)
		c[i] ^= 0x40
		return c
	}
	cases := map[string][]byte{
		"empty":           nil,
		"truncated":       raw[:len(raw)-9],
		"header only":     raw[:8+headerLen],
		"short header":    raw[:20],
		"bad data byte":   flip(len(raw) - 3),
		"bad header byte": flip(10),
		"huge length":     append([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, raw[8:]...),
		"wrong version":   bytes.Replace(raw, []byte(`"format_version":"4"`), []byte(`"format_version":"9"`), 1),
		"foreign":         bytes.Replace(raw, []byte(`gojammy-model`), []byte(`other-modelxx`), 1),
		"bad definition":  bytes.Replace(raw, []byte(`"flow_defs":"gg+r"`), []byte(`"flow_defs":"gq+r"`), 1),
	}
	for name, data := range cases {
		if _, err := flowcore.Load(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: loaded without error", name)
		} else if !strings.HasPrefix(err.Error(), "load") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}
