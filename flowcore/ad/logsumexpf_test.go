package ad

import (
	"math"
	"testing"
)

// TestLogSumExpF checks large terms without overflow and the special values.
func TestLogSumExpF(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		v    []float64
		want float64
	}{
		{[]float64{1000, 1000}, 1000 + math.Ln2},
		{[]float64{0, math.Log(3)}, math.Log(4)},
		{[]float64{-inf, 2}, 2},
		{[]float64{-inf, -inf}, -inf},
		{nil, -inf},
		{[]float64{1, inf}, inf},
	} {
		if got := LogSumExpF(c.v); got != c.want && math.Abs(got-c.want) > 1e-15*math.Abs(c.want) {
			t.Errorf("LogSumExpF(%v) = %.17g, want %.17g", c.v, got, c.want)
		}
	}
	if got := LogSumExpF([]float64{1, math.NaN(), 2}); !math.IsNaN(got) {
		t.Errorf("a NaN term gave %g", got)
	}
}
