package stats

import "testing"

// BenchmarkEntropy is the entropy of 100 conditional rows of an e2 gg flow with 1000 samples
// each (10^5 samples and densities).
func BenchmarkEntropy(b *testing.B) {
	p := newPDF(b, "e2", "gg", 2, 0.3, 1)
	cond := make([]float64, 200)
	for i := range cond {
		cond[i] = float64(i%7) / 7
	}
	for b.Loop() {
		if _, err := Entropy(p, cond, []int{Total}, Options{SampleSize: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarginalEntropy is the marginal entropy of the second part of an unconditional
// e1+e1 flow from 1000 samples (10^6 conditional densities).
func BenchmarkMarginalEntropy(b *testing.B) {
	p := newPDF(b, "e1+e1", "g+g", 0, 0.3, 1)
	for b.Loop() {
		if _, err := Entropy(p, nil, []int{1}, Options{SampleSize: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarginalMomentsS2 is marginal_moments (vMF and Kent fits) of an s2 n flow from
// 10^4 samples.
func BenchmarkMarginalMomentsS2(b *testing.B) {
	p := newPDF(b, "s2", "n", 0, 0.3, 1)
	for b.Loop() {
		if _, err := MarginalMoments(p, nil, MomentOptions{SampleSize: 10000}); err != nil {
			b.Fatal(err)
		}
	}
}
