package flowcore_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// The "silent surprises" of issue 11, each now a clear error or the documented -inf.
func TestInfiniteIntervalBoundsAreRefused(t *testing.T) {
	for _, defs := range []string{"i1_-inf_inf", "i1_0_inf", "i1_-1e308_1e308", "i1_-Inf_0"} {
		_, err := flowcore.New(defs, "r", flowcore.DefaultConfig())
		if err == nil || !strings.Contains(err.Error(), "finite") {
			t.Errorf("%s: got %v, want an error about finite bounds", defs, err)
		}
	}
}

func TestHugeFinitePointsGiveMinusInf(t *testing.T) {
	huge := []float64{5e153, 1e154, 1e155, 1e200, -1e300, math.MaxFloat64}
	for _, c := range [][2]string{{"e2", "gg"}, {"e2", "gggg"}, {"e1", "g"}, {"e2", "tt"}, {"e2+s2", "gg+f"}, {"e2", "ggt"}} {
		p, err := flowcore.New(c[0], c[1], flowcore.DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		d := p.BaseDim()
		// rows: one huge coordinate each, then a NaN row and an ordinary row
		x := make([]float64, (len(huge)+2)*d)
		for i, v := range huge {
			x[i*d] = v
		}
		x[len(huge)*d] = math.NaN()
		if c[0] == "e2+s2" {
			for i := 0; i < len(huge)+2; i++ {
				x[i*d+2], x[i*d+3] = 1, 2 // a point on the sphere (zenith, azimuth)
			}
		}
		r, err := p.LogDensity(x, len(huge)+2, nil, flowcore.SavedCoords)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range huge {
			if lp := r.LogPDF[i]; !(math.IsInf(lp, -1) || lp < -1e100) {
				t.Errorf("%v at x0 = %g: log p = %v, want -inf (or a huge negative value)", c, v, lp)
			}
		}
		if !math.IsNaN(r.LogPDF[len(huge)]) || math.IsNaN(r.LogPDF[len(huge)+1]) || math.IsInf(r.LogPDF[len(huge)+1], 0) {
			t.Errorf("%v: NaN row %v, ordinary row %v", c, r.LogPDF[len(huge)], r.LogPDF[len(huge)+1])
		}
	}
}

func TestDeepStacksAreFiniteOrRefused(t *testing.T) {
	p, err := flowcore.New("e2", strings.Repeat("g", spec.MaxLayers), flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Sample(50, nil, 1, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	r, err := p.LogDensity(s.X, 50, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	for i, lp := range r.LogPDF {
		if math.IsNaN(lp) || math.IsInf(lp, 0) || math.Abs(lp-s.LogPDF[i]) > 1e-3 {
			t.Fatalf("row %d: log p %v, sampled %v", i, lp, s.LogPDF[i])
		}
	}
	if _, err := flowcore.New("e2", strings.Repeat("g", 500), flowcore.DefaultConfig()); err == nil || !strings.Contains(err.Error(), "limit of 64") {
		t.Errorf(`"g"*500: %v`, err)
	}
}

func TestOptionKeysThatAreNoLayerLetter(t *testing.T) {
	for _, opts := range []string{`{"G": {"num_kde": 3}}`, `{"0": {"G": {"num_kde": 3}}}`, `{"0,1": {"g": {}}, "0": {"G": {}}}`} {
		_, err := newWith("e2", "gg", opts, nil)
		if err == nil || !strings.Contains(err.Error(), "is not a layer letter") {
			t.Errorf("%s: %v", opts, err)
		}
	}
}
