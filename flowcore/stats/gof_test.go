package stats

import (
	"math"
	"slices"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/internal/kstest"
)

// pointMass is the posterior of a known parameter row.
type pointMass []float64

func (z pointMass) Sample(n int, _ uint64) ([]float64, error) { return slices.Repeat(z, n), nil }

// TestGOFPValueUniformUnderNull draws 500 observations from a conditional flow at a known z
// and checks that their p-values are uniform, and that a shifted observation gets p near 1.
func TestGOFPValueUniformUnderNull(t *testing.T) {
	lik := FlowLikelihood{PDF: newPDF(t, "e2", "g", 1, 0.3, 21), Coords: flowcore.SavedCoords}
	z := pointMass{0.7}
	const nd, trials, observations = 3, 100, 500
	obs, _, err := lik.Sample(observations*nd, slices.Repeat([]float64(z), observations*nd), 99)
	if err != nil {
		t.Fatal(err)
	}
	pv := make([]float64, observations)
	for k := range observations {
		r, err := GOFPValue(lik, z, obs[k*nd*2:(k+1)*nd*2], nd, trials, uint64(1000+k))
		if err != nil {
			t.Fatal(err)
		}
		// a discrete p-value: spread it within its step so that the KS test sees a continuum
		pv[k] = r.PValue + (float64(k%trials)+0.5)/trials/trials
		if k == 0 && math.Abs(r.StdErr-math.Sqrt(r.PValue*(1-r.PValue)/trials)) > 1e-15 {
			t.Errorf("standard error %g for p %g", r.StdErr, r.PValue)
		}
	}
	ks := kstest.Uniform(pv)
	t.Logf("KS p-value of %d GOF p-values under the null: %.3f", observations, ks)
	if ks < 0.01 {
		t.Errorf("GOF p-values are not uniform under the null: KS p = %.4g", ks)
	}
	shifted := slices.Clone(obs[:nd*2])
	for i := range shifted {
		shifted[i] += 4
	}
	r, err := GOFPValue(lik, z, shifted, nd, trials, 5)
	if err != nil {
		t.Fatal(err)
	}
	if r.PValue < 0.99 {
		t.Errorf("shifted observation: p = %.3f, want near 1", r.PValue)
	}
}

func TestGOFPValueWithFlowPosterior(t *testing.T) {
	lik := FlowLikelihood{PDF: newPDF(t, "e1", "g", 2, 0.3, 22)}
	q := FlowPosterior{PDF: newPDF(t, "e2", "gg", 0, 0.3, 23)}
	x := []float64{0.1, -0.4, 0.3}
	r, err := GOFPValue(lik, q, x, 3, 400, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Z) != 800 || !(r.PValue > 0 && r.PValue < 1) {
		t.Errorf("p = %g with %d posterior values", r.PValue, len(r.Z))
	}
	if _, err := GOFPValue(lik, q, x[:2], 3, 400, 7); err == nil {
		t.Error("x_obs of the wrong length: no error")
	}
	wrong := FlowPosterior{PDF: newPDF(t, "e1", "g", 0, 0.3, 23)}
	if _, err := GOFPValue(lik, wrong, x, 3, 400, 7); err == nil {
		t.Error("posterior of the wrong width: no error")
	}
}
