package flowcore_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// TestLoadModelFileWithEmbeddingFlags loads a file written by gojammy 0.1.0 before the embedding
// flags became construction settings (ABI 2: they were set with SetEmbeddingFlags after
// construction): the saved flags are read back, and the density matches the value printed by the
// writing program for the same point.
func TestLoadModelFileWithEmbeddingFlags(t *testing.T) {
	p, err := flowcore.LoadFile("testdata/abi2_e1_s2_embedded.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if f := p.EmbeddingFlags(); len(f) != 2 || f[0] || !f[1] {
		t.Fatalf("embedding flags %v, want [false true]", f)
	}
	if d, _ := p.Dim(flowcore.SavedCoords); d != 4 {
		t.Fatalf("saved dimension %d, want 4", d)
	}
	e := []float64{0.3, 0.27131037182928797, 0.27935161976310574, 0.921060994002885}
	d, err := p.LogDensity(e, 1, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	if want := -2.6554077341696374; math.Abs(d.LogPDF[0]-want) > 1e-12 {
		t.Fatalf("log p = %.17g, written as %.17g", d.LogPDF[0], want)
	}
}

// TestCoordinateChoices: saved flags are construction settings; every Coords form resolves to
// the same numbers as the equivalent explicit choice; bad choices fail with a message.
func TestCoordinateChoices(t *testing.T) {
	cfg := flowcore.DefaultConfig()
	cfg.AmortizationMLPDims = "8"
	cfg.EmbeddingFlags = []bool{false, true}
	p, err := flowcore.New("e1+s2", "g+n", cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.EmbeddingFlags[1] = false // New keeps its own copy
	got := p.Config().EmbeddingFlags
	got[0] = true // and hands out copies
	if f := p.EmbeddingFlags(); f[0] || !f[1] {
		t.Fatalf("embedding flags changed from outside: %v", f)
	}
	dims := map[string]struct {
		c    flowcore.Coords
		want int
	}{
		"saved":     {flowcore.SavedCoords, 4},
		"zero":      {flowcore.Coords{}, 4},
		"intrinsic": {flowcore.IntrinsicCoords, 3},
		"embedding": {flowcore.EmbeddingCoords, 4},
		"explicit":  {flowcore.PerSubManifold([]bool{true, false}), 3},
	}
	for name, tc := range dims {
		if d, err := p.Dim(tc.c); err != nil || d != tc.want {
			t.Errorf("%s: Dim = %d, %v; want %d", name, d, err, tc.want)
		}
	}
	s, err := p.Sample(7, nil, 3, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	explicit, _ := p.Sample(7, nil, 3, flowcore.PerSubManifold([]bool{false, true}))
	if !equal(s.X, explicit.X) || !equal(s.LogPDF, explicit.LogPDF) {
		t.Error("SavedCoords and the equivalent PerSubManifold choice sample differently")
	}
	a, _ := p.LogDensity(s.X, 7, nil, flowcore.SavedCoords)
	b, _ := p.LogDensity(s.X, 7, nil, flowcore.EmbeddingCoords)
	if !equal(a.LogPDF, b.LogPDF) {
		t.Error("saved [false true] and all-embedding coordinates of e1+s2 differ")
	}
	for i := range a.LogPDF {
		if math.Abs(a.LogPDF[i]-s.LogPDF[i]) > 1e-9 {
			t.Errorf("row %d: log p of a sample %v, its density %v", i, s.LogPDF[i], a.LogPDF[i])
		}
	}

	bad := flowcore.PerSubManifold([]bool{true})
	const msg = "coordinates: 1 per-sub-manifold choices for a PDF of 2 sub-manifolds"
	_, errDim := p.Dim(bad)
	_, errDensity := p.LogDensity(s.X, 7, nil, bad)
	_, _, errGrad := p.LogDensityGrad(s.X, 7, nil, bad)
	_, errSample := p.Sample(7, nil, 3, bad)
	_, _, errFrom := p.TransformTargetSpace(s.X, 7, bad, flowcore.IntrinsicCoords)
	_, _, errTo := p.TransformTargetSpace(s.X, 7, flowcore.SavedCoords, bad)
	errInit := p.InitParams(s.X, 7, bad, 1000, 1)
	for i, err := range []error{errDim, errDensity, errGrad, errSample, errFrom, errTo, errInit} {
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("call %d: error %v, want %q", i, err, msg)
		}
	}
	cfg.EmbeddingFlags = []bool{true}
	if _, err := flowcore.New("e1+s2", "g+n", cfg); err == nil || !strings.Contains(err.Error(), "embedding_flags: got 1 flags for 2 sub-manifolds") {
		t.Errorf("New with 1 flag for 2 sub-manifolds: %v", err)
	}
}

// TestWithEmbeddingFlags: a copy with other saved flags keeps the parameters, leaves the original
// alone, and saves and loads its own flags.
func TestWithEmbeddingFlags(t *testing.T) {
	p, err := flowcore.New("e1+s2", "g+n", flowcore.Config{AmortizationMLPDims: "8"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.InitParams(nil, 0, flowcore.SavedCoords, 5, 11); err != nil {
		t.Fatal(err)
	}
	q, err := p.WithEmbeddingFlags([]bool{false, true})
	if err != nil {
		t.Fatal(err)
	}
	if f := p.EmbeddingFlags(); f[1] {
		t.Fatal("WithEmbeddingFlags changed the original")
	}
	if !equal(p.Params(), q.Params()) {
		t.Fatal("WithEmbeddingFlags changed the parameters")
	}
	var buf bytes.Buffer
	if err := flowcore.Save(&buf, q); err != nil {
		t.Fatal(err)
	}
	r, err := flowcore.Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if f := r.EmbeddingFlags(); f[0] || !f[1] {
		t.Fatalf("loaded flags %v, want [false true]", f)
	}
	if _, err := p.WithEmbeddingFlags([]bool{true, true, true}); err == nil {
		t.Error("WithEmbeddingFlags accepted 3 flags for 2 sub-manifolds")
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
