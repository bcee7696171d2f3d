package manifold

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/spec"
)

// TestAllInSupportIsInSupportOnEveryRow compares AllInSupport with the per-point checks on rows
// that hold each manifold's points between other columns, inside and outside the support.
func TestAllInSupportIsInSupportOnEveryRow(t *testing.T) {
	defs, err := spec.ParsePDFDefs("e2+i1_-1.5_2.0+s1+s2")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	edges := []float64{0, -1.5, 2, math.Pi, 2 * math.Pi, math.Inf(1), math.Inf(-1), math.NaN(), math.Nextafter(2, 3), -1e-300}
	for _, d := range defs {
		m, err := New(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, embedding := range []bool{false, true} {
			w, check := m.Dim(), m.InSupport
			if embedding {
				w, check = m.EmbeddingDim(), m.InEmbeddingSupport
			}
			const stride, off, rows = 7, 2, 5
			for trial := 0; trial < 2000; trial++ {
				xs := make([]float64, rows*stride)
				for i := range xs {
					xs[i] = 7 * (rng.Float64() - 0.3)
					if rng.IntN(8) == 0 {
						xs[i] = edges[rng.IntN(len(edges))]
					}
				}
				if trial%2 == 0 { // mostly valid rows too
					for r := 0; r < rows; r++ {
						copy(xs[r*stride+off:], m.Center())
					}
					xs[rng.IntN(rows)*stride+off] = edges[rng.IntN(len(edges))]
				}
				want := true
				for r := 0; r < rows; r++ {
					want = want && check(xs[r*stride+off:r*stride+off+w])
				}
				if got := AllInSupport(m, xs, off, stride, embedding); got != want {
					t.Fatalf("%s (embedding %v): AllInSupport %v, per row %v on %v", d.Text, embedding, got, want, xs)
				}
			}
		}
	}
}
