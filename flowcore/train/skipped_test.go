package train_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/train"
)

// Rows that are NaN or outside the support are left out of the loss and counted per epoch in
// the history, not dropped silently.
func TestFitReportsSkippedRows(t *testing.T) {
	p, err := flowcore.New("e1+i1_0.0_1.0", "g+r", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	data := make([]float64, 2*n)
	for i := range n {
		data[2*i], data[2*i+1] = math.Sin(float64(i)), 0.5+0.4*math.Cos(float64(i))
	}
	for _, i := range []int{3, 40, 77} {
		data[2*i] = math.NaN()
	}
	for _, i := range []int{10, 11, 50, 90, 99} {
		data[2*i+1] = 1.5 // outside [0, 1]
	}
	hist, err := train.Fit(p, data, n, nil, train.Options{Epochs: 3, BatchSize: 16, LearningRate: 1e-3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hist.SkippedNaN, []int{3, 3, 3}) || !slices.Equal(hist.SkippedOutside, []int{5, 5, 5}) {
		t.Errorf("skipped NaN %v, outside %v; want 3 and 5 per epoch", hist.SkippedNaN, hist.SkippedOutside)
	}
}

// init_params' damping factor must be finite and within [MinDamping, MaxDamping].
func TestInitParamsDampingRange(t *testing.T) {
	cfg := flowcore.DefaultConfig()
	cfg.ConditionalInputDim = 2
	p, err := flowcore.New("e1", "g", cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []float64{math.Inf(1), math.NaN(), 0, -1, 1e-7, 1e16} {
		if err := p.InitParams(nil, 0, flowcore.SavedCoords, d, 1); err == nil || !strings.Contains(err.Error(), "damping_factor") {
			t.Errorf("damping %g: %v", d, err)
		}
	}
	for _, d := range []float64{flowcore.MinDamping, 1, 1000, flowcore.MaxDamping} {
		if err := p.InitParams(nil, 0, flowcore.SavedCoords, d, 1); err != nil {
			t.Errorf("damping %g: %v", d, err)
		}
		for _, v := range p.Params() {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("damping %g: non-finite parameter", d)
			}
		}
	}
}
