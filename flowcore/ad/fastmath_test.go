package ad_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
)

func TestFastLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for i := 0; i < 200000; i++ {
		x := math.Exp(1400*rng.Float64() - 700)
		if i%2 == 0 {
			x = 0.5 + 1.5*rng.Float64()
		}
		want, got := math.Log(x), ad.FastLog(x)
		// Both are within 1.2 ulp of the exact value (checked in high precision).
		if math.Abs(got-want) > 5e-16*math.Abs(want) {
			t.Fatalf("ad.FastLog(%.17g) = %.17g, math.Log %.17g", x, got, want)
		}
	}
	for _, x := range []float64{0, -1, math.Inf(1), math.NaN(), 1, 1e-310, math.MaxFloat64, 0.6875, 1.375, 2} {
		if got, want := ad.FastLog(x), math.Log(x); got != want && !(math.IsNaN(got) && math.IsNaN(want)) && math.Abs(got-want) > 5e-16*math.Abs(want) {
			t.Errorf("ad.FastLog(%g) = %g, want %g", x, got, want)
		}
	}
}

func BenchmarkFastLog(b *testing.B) {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = 0.01 + float64(i)*0.37
	}
	b.Run("fast", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += ad.FastLog(xs[i&1023])
		}
		benchSink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += math.Log(xs[i&1023])
		}
		benchSink = s
	})
}

// benchSink keeps benchmark results alive.
var benchSink float64

// TestFastLogNearOne checks FastLog where its argument is within 1/16 of 1 against math.Log.
func TestFastLogNearOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for i := 0; i < 200000; i++ {
		x := 1 + 0.125*(rng.Float64()-0.5)*math.Pow(10, -12*rng.Float64())
		want, got := math.Log(x), ad.FastLog(x)
		if math.Abs(got-want) > 3e-16*math.Abs(want) {
			t.Fatalf("FastLog(%.17g) = %.17g, math.Log %.17g", x, got, want)
		}
	}
}
