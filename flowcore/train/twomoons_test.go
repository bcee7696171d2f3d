package train_test

import (
	"encoding/binary"
	"math"
	"os"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/train"
)

// upstreamTwoMoons is jammy_flows' held-out mean log-likelihood for "e2","gggg", default
// initialization, Adam lr 1e-2, 2,000 steps of batch 500, averaged over model seeds 1-3
// (shared/data/README.md: -1.101 ± 0.02; docs/two_moons.md).
const upstreamTwoMoons = -1.101

func readMoons(t *testing.T, name string, rows int) []float64 {
	raw, err := os.ReadFile("../../testdata/two_moons/" + name)
	if err != nil {
		t.Skipf("two-moons data: %v", err)
	}
	if len(raw) != rows*2*8 {
		t.Fatalf("%s: %d bytes", name, len(raw))
	}
	out := make([]float64, rows*2)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return out
}

// TestTwoMoonsMatchesUpstream trains "e2","gggg" like the upstream reference run for three model
// seeds and requires a mean held-out log-likelihood at least as good as jammy_flows'.
func TestTwoMoonsMatchesUpstream(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for 3 x 2,000 steps")
	}
	trainX := readMoons(t, "two_moons_train_20000x2_f64le.bin", 20000)
	testX := readMoons(t, "two_moons_test_5000x2_f64le.bin", 5000)
	total := 0.0
	for seed := uint64(1); seed <= 3; seed++ {
		ll := trainTwoMoons(t, trainX, testX, seed)
		t.Logf("model seed %d: held-out mean log-likelihood %.4f", seed, ll)
		total += ll / 3
	}
	t.Logf("mean over seeds %.4f (jammy_flows %.3f)", total, upstreamTwoMoons)
	if total < upstreamTwoMoons {
		t.Errorf("mean held-out log-likelihood %.4f is worse than jammy_flows' %.3f", total, upstreamTwoMoons)
	}
}

func trainTwoMoons(t *testing.T, trainX, testX []float64, seed uint64) float64 {
	p, err := flowcore.New("e2", "gggg", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.InitParams(nil, 0, 1000, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := train.Fit(p, trainX, 20000, nil, train.Options{Steps: 2000, BatchSize: 500, LearningRate: 1e-2, Seed: seed}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := p.LogDensity(testX, 5000, nil, flowcore.DefaultCoords)
	if err != nil {
		t.Fatal(err)
	}
	mean := 0.0
	for _, v := range d.LogPDF {
		mean += v / 5000
	}
	return mean
}
