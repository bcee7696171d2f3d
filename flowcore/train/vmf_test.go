package train_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/layers/sphere"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/flowcore/train"
)

// vmfComponent is a von Mises–Fisher distribution on S2 with mean direction (θ, φ).
type vmfComponent struct{ weight, kappa, theta, phi float64 }

func unit(theta, phi float64) [3]float64 {
	return [3]float64{math.Sin(theta) * math.Cos(phi), math.Sin(theta) * math.Sin(phi), math.Cos(theta)}
}

// sample draws one direction: w = μ·x from its exact inverse CDF, a uniform angle around μ.
func (c vmfComponent) sample(rng *rand.Rand) [3]float64 {
	u := rng.Float64()
	w := 1 + math.Log(u+(1-u)*math.Exp(-2*c.kappa))/c.kappa
	a := 2 * math.Pi * rng.Float64()
	s := math.Sqrt(math.Max(0, 1-w*w))
	local := [3]float64{s * math.Cos(a), s * math.Sin(a), w}
	// Rotate e_z to μ: columns e_θ, e_φ, μ.
	st, ct, sp, cp := math.Sin(c.theta), math.Cos(c.theta), math.Sin(c.phi), math.Cos(c.phi)
	eTheta := [3]float64{ct * cp, ct * sp, -st}
	ePhi := [3]float64{-sp, cp, 0}
	mu := unit(c.theta, c.phi)
	var x [3]float64
	for i := range x {
		x[i] = local[0]*eTheta[i] + local[1]*ePhi[i] + local[2]*mu[i]
	}
	return x
}

// logDensityArea is log of the density per unit area at x.
func (c vmfComponent) logDensityArea(x [3]float64) float64 {
	mu := unit(c.theta, c.phi)
	dot := x[0]*mu[0] + x[1]*mu[1] + x[2]*mu[2]
	// κ/(4π sinh κ) e^{κ μ·x}, written stably.
	return math.Log(c.kappa/(2*math.Pi)) - math.Log1p(-math.Exp(-2*c.kappa)) + c.kappa*(dot-1)
}

// vmfMixture draws n points (intrinsic θ, φ) and their true intrinsic log-densities (per dθdφ).
func vmfMixture(comps []vmfComponent, n int, seed uint64) ([]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, 0, 2*n)
	logp := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		u, k := rng.Float64(), 0
		for u > comps[k].weight && k < len(comps)-1 {
			u -= comps[k].weight
			k++
		}
		v := comps[k].sample(rng)
		theta := math.Acos(math.Max(-1, math.Min(1, v[2])))
		phi := math.Mod(math.Atan2(v[1], v[0])+2*math.Pi, 2*math.Pi)
		x = append(x, theta, phi)
		mix := 0.0
		for _, c := range comps {
			mix += c.weight * math.Exp(c.logDensityArea(v))
		}
		logp = append(logp, math.Log(mix)+math.Log(math.Sin(theta)))
	}
	return x, logp
}

// TestRecommendedFStackFitsVMFMixture trains the 15-layer f stack recommended by jammy_flows'
// docs on a two-component von Mises–Fisher mixture and requires a held-out log-likelihood within
// 0.02 nats of the true density's.
func TestRecommendedFStackFitsVMFMixture(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a 15-layer flow")
	}
	comps := []vmfComponent{{0.6, 20, 1.0, 1.0}, {0.4, 8, 2.2, 4.0}}
	trainX, _ := vmfMixture(comps, 20000, 1)
	valX, _ := vmfMixture(comps, 5000, 2)
	testX, testTrue := vmfMixture(comps, 5000, 3)

	cfg := flowcore.DefaultConfig()
	cfg.Options = spec.Overrides{ByLetter: map[string]map[string]any{"f": sphere.RecommendedF}}
	p, err := flowcore.New("s2", strings.Repeat("f", 15), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.InitParams(nil, 0, flowcore.SavedCoords, 1000, 1); err != nil {
		t.Fatal(err)
	}
	for _, stage := range []struct {
		lr     float64
		epochs int
	}{{1e-2, 25}, {3e-3, 25}, {1e-3, 25}} {
		_, err := train.Fit(p, trainX, 20000, nil, train.Options{Epochs: stage.epochs, BatchSize: 500,
			LearningRate: stage.lr, Seed: 1, ValidationData: valX, NVal: 5000}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	d, err := p.LogDensity(testX, 5000, nil, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	model, truth := 0.0, 0.0
	for i := range d.LogPDF {
		model += d.LogPDF[i] / 5000
		truth += testTrue[i] / 5000
	}
	t.Logf("held-out mean log-likelihood: model %.4f, true density %.4f, gap %.4f nats", model, truth, truth-model)
	if truth-model > 0.02 {
		t.Errorf("the fitted density is %.4f nats below the true one (allowed 0.02)", truth-model)
	}
}
