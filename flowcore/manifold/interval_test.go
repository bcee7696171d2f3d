package manifold

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/spec"
	"github.com/gojammy/gojammy/simd"
)

func mustInterval(t *testing.T, low, high float64) Manifold {
	t.Helper()
	m, err := New(spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: low, High: high, Text: "i1"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestIntervalProjection checks the fused projection against its definition: z = Φ⁻¹((x − Low)/
// (High − Low)) with log dz/dx = z²/2 + log √(2π) − log(High − Low), the round trip, the clamp at
// the bounds and NaN rows.
func TestIntervalProjection(t *testing.T) {
	m := mustInterval(t, -2, 3)
	xs := []float64{-2, -1.999, -0.5, 0.5, 2.9999, 3, math.NaN()}
	tp := ad.NewTape(false)
	z, ld := m.ToBase(tp.Const(len(xs), 1, xs))
	for i, x := range xs {
		u := min(max((x+2)/5, 0x1p-1022), 1-0x1p-53)
		wantZ := simd.NormalQuantileOf(u)
		wantLd := 0.5*wantZ*wantZ + 0.5*math.Log(2*math.Pi) - math.Log(5)
		if math.IsNaN(x) {
			if !math.IsNaN(z.Val[i]) || !math.IsNaN(ld.Val[i]) {
				t.Errorf("NaN row: z %g, log-det %g", z.Val[i], ld.Val[i])
			}
			continue
		}
		if math.Abs(z.Val[i]-wantZ) > 1e-15*math.Max(1, math.Abs(wantZ)) || math.Abs(ld.Val[i]-wantLd) > 1e-14*math.Max(1, math.Abs(wantLd)) {
			t.Errorf("x=%g: z %.17g log-det %.17g, want %.17g %.17g", x, z.Val[i], ld.Val[i], wantZ, wantLd)
		}
		back, bld := m.FromBase(tp.Const(1, 1, []float64{z.Val[i]}))
		if x > -2 && x < 3 && (math.Abs(back.Val[0]-x) > 1e-12 || math.Abs(bld.Val[0]+ld.Val[i]) > 1e-12) {
			t.Errorf("x=%g: round trip %.17g, log-dets %g + %g", x, back.Val[0], ld.Val[i], bld.Val[0])
		}
	}
}

func TestIntervalGradients(t *testing.T) {
	m := mustInterval(t, -2, 3)
	both := func(a, b *ad.Node) *ad.Node { return ad.Concat(a, b) }
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return both(m.ToBase(in[0])) },
		[]adtest.Input{{R: 5, C: 1, Val: []float64{-1.99, -0.7, 0.4, 2.2, 2.995}}}, 1e-7, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return both(m.FromBase(in[0])) },
		[]adtest.Input{{R: 5, C: 1, Val: []float64{-3.1, -0.7, 0, 1.2, 4}}}, 1e-6, 1e-6)
}

// TestFiniteSupport: only Euclidean spaces hold every finite point; their support check agrees.
func TestFiniteSupport(t *testing.T) {
	for _, c := range []struct {
		def  spec.ManifoldDef
		want bool
	}{
		{spec.ManifoldDef{Kind: spec.Euclidean, Dim: 2, Text: "e2"}, true},
		{spec.ManifoldDef{Kind: spec.Interval, Dim: 1, Low: 0, High: 1, Text: "i1"}, false},
		{spec.ManifoldDef{Kind: spec.Sphere, Dim: 2, Text: "s2"}, false},
	} {
		m, err := New(c.def)
		if err != nil {
			t.Fatal(err)
		}
		if got := FiniteSupport(m); got != c.want {
			t.Errorf("%s: FiniteSupport = %v, want %v", c.def.Text, got, c.want)
		}
		if c.want && (!m.InSupport([]float64{1e300, -3}) || m.InSupport([]float64{math.Inf(1), 0})) {
			t.Errorf("%s: InSupport disagrees with FiniteSupport", c.def.Text)
		}
	}
}
