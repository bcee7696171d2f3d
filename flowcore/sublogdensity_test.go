package flowcore_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/internal/testpdf"
)

// TestSubLogDensity checks that the conditional log-densities of the sub-manifolds add up to
// the log-density, that the first is the density of the first sub-manifold's flow alone, and
// that rows outside the support or with NaN are marked in every column.
func TestSubLogDensity(t *testing.T) {
	p := testpdf.Perturbed(t, "e1+s2+e2", "g+f+gg", 2, 0.3, rand.New(rand.NewPCG(4, 5)))
	const n = 300
	cond := make([]float64, 2*n)
	for i := range cond {
		cond[i] = math.Sin(float64(i))
	}
	s, err := p.Sample(n, cond, 3, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	x := s.X
	x[7*6] = math.NaN()       // a NaN row
	x[9*6+1], x[9*6+2] = 3, 0 // a point off the unit sphere: outside the support
	d, err := p.SubLogDensity(x, n, cond, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	full, err := p.LogDensity(x, n, cond, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	first := testpdf.Perturbed(t, "e1", "g", 2, 0.3, rand.New(rand.NewPCG(4, 5)))
	x0 := make([]float64, n)
	for i := range x0 {
		x0[i] = x[i*6]
	}
	d0, err := first.LogDensity(x0, n, cond, flowcore.EmbeddingCoords)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		parts := d.SubLogPDF[i*3 : i*3+3]
		switch i {
		case 7:
			for _, v := range parts {
				if !math.IsNaN(v) {
					t.Errorf("NaN row: %v", parts)
				}
			}
			continue
		case 9:
			for _, v := range parts {
				if !math.IsInf(v, -1) {
					t.Errorf("row outside the support: %v", parts)
				}
			}
			continue
		}
		if sum := parts[0] + parts[1] + parts[2]; math.Abs(sum-full.LogPDF[i]) > 1e-12*(1+math.Abs(sum)) {
			t.Errorf("row %d: parts %v sum to %.15g, log_pdf %.15g", i, parts, sum, full.LogPDF[i])
		}
		if math.Abs(parts[0]-d0.LogPDF[i]) > 1e-12*(1+math.Abs(parts[0])) {
			t.Errorf("row %d: first part %.15g, the first flow alone %.15g", i, parts[0], d0.LogPDF[i])
		}
	}
}
