package flowcore_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// smallModelFile is a small trained-looking model and its version-4 file.
func smallModelFile(t testing.TB) (*flowcore.PDF, []byte) {
	t.Helper()
	p, err := newWith("e1+i1_-1.0_2.0", "g+r", `{"g": {"num_kde": 2}, "r": {"num_basis_functions": 2}}`, func(c *flowcore.Config) { c.AmortizationMLPDims = "2" })
	if err != nil {
		t.Fatal(err)
	}
	if err := p.InitParams(nil, 0, flowcore.SavedCoords, 3, 5); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := flowcore.Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

// splitFile returns a model file's metadata, declared parameter count and data.
func splitFile(t *testing.T, raw []byte) (map[string]string, int64, []byte) {
	t.Helper()
	n := binary.LittleEndian.Uint64(raw)
	var h struct {
		Meta   map[string]string       `json:"__metadata__"`
		Params struct{ Shape []int64 } `json:"params"`
	}
	if err := json.Unmarshal(raw[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	return h.Meta, h.Params.Shape[0], raw[8+n:]
}

// signedFile assembles a version-4 file from metadata, a declared parameter count and data,
// with a correct checksum: what a forger can write.
func signedFile(meta map[string]string, count int64, data []byte) []byte {
	meta = maps.Clone(meta)
	header := func() []byte {
		h, _ := json.Marshal(map[string]any{"__metadata__": meta, "params": map[string]any{
			"dtype": "F64", "shape": []int64{count}, "data_offsets": []int64{0, 8 * count}}})
		// map keys are sorted by encoding/json; the tensor's keys must keep safetensors' order
		return bytes.Replace(h, []byte(`{"data_offsets":[0,`+itoa(8*count)+`],"dtype":"F64","shape":[`+itoa(count)+`]}`),
			[]byte(`{"dtype":"F64","shape":[`+itoa(count)+`],"data_offsets":[0,`+itoa(8*count)+`]}`), 1)
	}
	meta["sha256"] = ""
	sum := sha256.New()
	sum.Write(header())
	sum.Write(data)
	meta["sha256"] = hex.EncodeToString(sum.Sum(nil))
	h := header()
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...)
}

func itoa(v int64) string { b, _ := json.Marshal(v); return string(b) }

// No single-bit flip anywhere in a model file loads as a different model: each flipped file is
// refused (or, were it to load, it would have to re-save to the original bytes).
func TestEveryBitFlipIsRefusedOrIdentical(t *testing.T) {
	_, raw := smallModelFile(t)
	if _, err := flowcore.Load(bytes.NewReader(signedFile(splitFile(t, raw)))); err != nil {
		t.Fatalf("the test's forger does not reproduce the format: %v", err)
	}
	loaded := 0
	for i := range raw {
		for bit := range 8 {
			c := bytes.Clone(raw)
			c[i] ^= 1 << bit
			q, err := flowcore.Load(bytes.NewReader(c))
			if err != nil {
				continue
			}
			loaded++
			var again bytes.Buffer
			if err := flowcore.Save(&again, q); err != nil || !bytes.Equal(again.Bytes(), raw) {
				t.Fatalf("byte %d bit %d: the flipped file loads as a different model", i, bit)
			}
		}
	}
	t.Logf("%d bytes, %d single-bit flips, %d loaded (identical)", len(raw), 8*len(raw), loaded)
}

// A crafted corpus: valid checksums on lying headers, truncations, trailing bytes, unknown or
// missing keys, option typos, non-canonical headers. Every file is refused with a load error.
func TestCraftedModelFilesAreRefused(t *testing.T) {
	_, raw := smallModelFile(t)
	meta, count, data := splitFile(t, raw)
	with := func(key, value string) map[string]string {
		m := maps.Clone(meta)
		if value == "" {
			delete(m, key)
		} else {
			m[key] = value
		}
		return m
	}
	headerLen := binary.LittleEndian.Uint64(raw)
	spaced := bytes.Replace(raw, []byte(`{"__metadata__"`), []byte(`{ "__metadata__"`), 1)
	binary.LittleEndian.PutUint64(spaced, headerLen+1)
	cases := map[string]struct {
		file []byte
		want string
	}{
		"oversized dims":          {signedFile(with("pdf_defs", "e100000"), 0, nil), "limit of 4096"},
		"oversized options":       {signedFile(with("options_overwrite", `{"g":{"num_kde":1000000000}}`), count, data), "num_kde"},
		"mismatched sizes":        {signedFile(meta, count-1, data[8:]), "the model definition needs"},
		"declared beyond length":  {signedFile(meta, 100000, data), "truncated parameter data"},
		"declared beyond budget":  {signedFile(meta, 1<<40, data), "above the memory budget"},
		"trailing bytes":          {append(bytes.Clone(raw), 0), "after the parameter data"},
		"truncated":               {raw[:len(raw)-1], "truncated"},
		"unknown key":             {signedFile(with("comment", "x"), count, data), `unknown key "comment"`},
		"missing key":             {signedFile(with("amortization_mlp_dims", ""), count, data), `missing key "amortization_mlp_dims"`},
		"old checksum key in v4":  {signedFile(with("params_sha256", "00"), count, data), `unknown key "params_sha256"`},
		"option letter typo":      {signedFile(with("options_overwrite", `{"G":{"num_kde":3}}`), count, data), `key "G" is not a layer letter`},
		"non-canonical header":    {spaced, "canonical"},
		"conditional dim in text": {signedFile(with("conditional_input_dim", "+0"), count, data), "conditional_input_dim"},
	}
	for name, c := range cases {
		_, err := flowcore.Load(bytes.NewReader(c.file))
		if err == nil || !strings.HasPrefix(err.Error(), "load") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want a load error containing %q", name, err, c.want)
		}
	}
	// LoadFile compares the declared size with the file's length before reading the data.
	path := filepath.Join(t.TempDir(), "short.safetensors")
	if err := os.WriteFile(path, signedFile(meta, 1<<40, data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := flowcore.LoadFile(path); err == nil || !strings.Contains(err.Error(), "bytes after the header") {
		t.Errorf("declared size beyond the file: %v", err)
	}
}

// Version-1 files (testdata, written by gojammy 0.1.0 before version 4) still load, but not with
// trailing bytes or unknown keys.
func TestOldModelFilesStillLoad(t *testing.T) {
	raw, err := os.ReadFile("testdata/abi2_e1_s2_embedded.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flowcore.Load(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if _, err := flowcore.Load(bytes.NewReader(append(bytes.Clone(raw), 1, 2))); err == nil {
		t.Error("trailing bytes after a version-1 file were accepted")
	}
	renamed := bytes.Replace(raw, []byte(`"gojammy_version"`), []byte(`"gojammy_versioN"`), 1)
	if _, err := flowcore.Load(bytes.NewReader(renamed)); err == nil || !strings.Contains(err.Error(), "key") {
		t.Errorf("a version-1 file with a renamed key: %v", err)
	}
}
