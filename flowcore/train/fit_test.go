package train_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/train"
)

// TestFitRejectsBadOptions checks that every option is validated with an error naming it.
func TestFitRejectsBadOptions(t *testing.T) {
	p, err := flowcore.New("e1", "g", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	data := []float64{0.1, -0.3, 0.5, 1.2}
	inf := math.Inf(1)
	for _, c := range []struct {
		opts train.Options
		want string
	}{
		{train.Options{LearningRate: inf}, "learning_rate"},
		{train.Options{LearningRate: -1}, "learning_rate"},
		{train.Options{ClipNorm: inf}, "clip_norm"},
		{train.Options{ClipNorm: math.NaN()}, "clip_norm"},
		{train.Options{Patience: -1}, "patience"},
		{train.Options{Epochs: -2}, "epochs"},
	} {
		if _, err := train.Fit(p, data, len(data), nil, c.opts, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %s", c.opts, err, c.want)
		}
	}
}

// TestFitDivergenceRestoresParameters checks that a diverging fit (an absurd learning rate)
// stops with a clear error and leaves the parameters it started from.
func TestFitDivergenceRestoresParameters(t *testing.T) {
	p, err := flowcore.New("e2", "gggg", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.Sample(300, nil, 3, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	data := s.X
	before := p.Params()
	_, err = train.Fit(p, data, 300, nil, train.Options{Epochs: 3, BatchSize: 100, LearningRate: 1e200}, nil)
	if err == nil || !strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "restored") {
		t.Fatalf("error %v, want a divergence error", err)
	}
	if !slices.Equal(p.Params(), before) {
		t.Error("the parameters were not restored")
	}
	d, err := p.LogDensity(data[:20], 10, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range d.LogPDF {
		if v != v {
			t.Fatal("the model gives NaN after the failed fit")
		}
	}
}
