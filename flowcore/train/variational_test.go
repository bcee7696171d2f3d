package train

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
)

// banana is a normalized banana-shaped density on R²: x1 ~ N(0, 1), x2 | x1 ~ N(x1²/2, 0.5²).
func banana(x []float64, n, dim int) ([]float64, []float64, error) {
	const sigma = 0.5
	logp, grad := make([]float64, n), make([]float64, n*dim)
	for i := range n {
		x1, x2 := x[i*2], x[i*2+1]
		r := (x2 - x1*x1/2) / sigma
		logp[i] = -0.5*x1*x1 - 0.5*r*r - math.Log(2*math.Pi*sigma)
		grad[i*2] = -x1 + r/sigma*x1
		grad[i*2+1] = -r / sigma
	}
	return logp, grad, nil
}

func TestFitVariationalBanana(t *testing.T) {
	if testing.Short() {
		t.Skip("a variational fit of a few seconds")
	}
	p, err := flowcore.New("e2", "gggg", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	hist, err := FitVariational(p, banana, Options{Steps: 1500, BatchSize: 256, LearningRate: 1e-2, Seed: 1},
		func(pr Progress) bool { steps = pr.Step; return true })
	if err != nil {
		t.Fatal(err)
	}
	if steps != 1500 || len(hist.Loss) != 15 {
		t.Errorf("%d steps, %d epochs of history", steps, len(hist.Loss))
	}
	// KL(q ‖ π) = E_q[log q − log π] from 10^5 samples (π is normalized)
	const n = 100000
	s, err := p.Sample(n, nil, 77, flowcore.SavedCoords)
	if err != nil {
		t.Fatal(err)
	}
	lt, _, _ := banana(s.X, n, 2)
	var kl float64
	for i := range n {
		kl += (s.LogPDF[i] - lt[i]) / n
	}
	t.Logf("KL(q ‖ banana) = %.4f after 1500 steps; loss per epoch %.3f", kl, hist.Loss)
	if kl > 0.02 {
		t.Errorf("KL = %.4f, want < 0.02", kl)
	}
}

func TestFitVariationalRejectsBadInput(t *testing.T) {
	p, err := flowcore.New("e2", "g", flowcore.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	start := p.Params()
	wrong := func(x []float64, n, dim int) ([]float64, []float64, error) { return make([]float64, n), nil, nil }
	if _, err := FitVariational(p, wrong, Options{Steps: 3}, nil); err == nil {
		t.Error("target without gradient: no error")
	}
	if _, err := FitVariational(p, nil, Options{Steps: 3}, nil); err == nil {
		t.Error("no target: no error")
	}
	if _, err := FitVariational(p, banana, Options{Steps: 3, LearningRate: -1}, nil); err == nil {
		t.Error("negative learning rate: no error")
	}
	for i, v := range p.Params() {
		if v != start[i] {
			t.Fatal("a failed fit changed the parameters")
		}
	}
}
