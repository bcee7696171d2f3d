package constrain

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func regulators() []Width {
	return []Width{
		{Lower: 0.01, Upper: 100, SmoothSaturation: true},
		{Lower: 0.01, Upper: 100, SmoothSaturation: true, Clamp: true},
		{Lower: 0.01, Upper: 100},
		{Lower: 0.01, Upper: 100, Clamp: true},
		{Lower: 0.01, Upper: -1},
		{Lower: 0.01, Upper: -1, Clamp: true},
		{Lower: 0.5, Upper: 100, Softplus: true},
		{Lower: 0.5, Upper: 100, Softplus: true, Clamp: true, SmoothSaturation: true},
	}
}

var raws = []float64{-40, -9, -3, -0.4, 0, 0.3, 2, 7, 15, 40}

// TestBoundedLog checks the definition, its limits and its inverse.
func TestBoundedLog(t *testing.T) {
	for _, centered := range []bool{false, true} {
		lo, hi := 0.01, 100.0
		c := 0.0
		if centered {
			c = math.Log(hi)
		}
		for _, x := range []float64{-5, -1, 0, 0.5, 3} {
			want := math.Log(hi/(1+math.Exp(c-x)) + lo)
			got := BoundedLogF(x, lo, hi, centered)
			if math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
				t.Errorf("blog(%g) = %.17g, want %.17g", x, got, want)
			}
			if back := BoundedLogInvF(got, lo, hi, centered); math.Abs(back-x) > 1e-9 {
				t.Errorf("inverse of blog(%g) = %g", x, back)
			}
		}
		if got := BoundedLogF(1e4, lo, hi, centered); math.Abs(got-math.Log(hi+lo)) > 1e-14 {
			t.Errorf("upper saturation %g", got)
		}
		if got := BoundedLogF(-1e4, lo, hi, centered); math.Abs(got-math.Log(lo)) > 1e-14 {
			t.Errorf("lower saturation %g", got)
		}
	}
	// Centered, blog ≈ log(eˣ + lo) for moderate x and ≈ 0 at 0.
	if got := BoundedLogF(0, 0.01, 100, true); math.Abs(got) > 0.02 {
		t.Errorf("centered blog(0) = %g", got)
	}
	adtest.CheckGradients(t, func(tp *ad.Tape, in []*ad.Node) *ad.Node {
		return ad.Concat(BoundedLog(in[0], 0.1, 9, true), BoundedLog(in[0], 1, 10, false))
	}, []adtest.Input{{R: 1, C: len(raws), Val: raws}}, 1e-6, 1e-7)
}

// TestWidth checks every regulator variant: value, gradient and inverse.
func TestWidth(t *testing.T) {
	for i, w := range regulators() {
		if err := w.Validate(); err != nil {
			t.Fatalf("regulator %d: %v", i, err)
		}
		for _, x := range raws {
			y := w.LogWidthF(x)
			if !(math.Exp(y) >= w.Lower*(1-1e-12)) || (w.SmoothSaturation && !(math.Exp(y) <= (w.Upper+w.Lower)*(1+1e-12))) {
				t.Errorf("regulator %d: raw %g gives width %g outside the bounds", i, x, math.Exp(y))
			}
			if back := w.LogWidthF(w.RawFor(y)); math.Abs(back-y) > 1e-7 && math.Exp(y) > w.Lower*(1+1e-6) {
				t.Errorf("regulator %d: log-width %g -> raw %g -> %g", i, y, w.RawFor(y), back)
			}
		}
		// Keep finite differences away from the clamp corners.
		safe := []float64{-3, -0.4, 0, 0.3, 2}
		adtest.CheckGradients(t, func(tp *ad.Tape, in []*ad.Node) *ad.Node { return w.LogWidth(in[0]) },
			[]adtest.Input{{R: 1, C: len(safe), Val: safe}}, 1e-6, 1e-7)
	}
	if got := (Width{Lower: 0.01, Upper: 100, SmoothSaturation: true}).LogWidthF(0); math.Abs(got) > 0.02 {
		t.Errorf("default regulator at 0 gives log-width %g, want ≈ 0", got)
	}
}

// TestWidthOptions checks the schema defaults and validation.
func TestWidthOptions(t *testing.T) {
	s := WidthSchema()
	var w Width
	err := spec.Decode(s.Defaults(), &w)
	if err == nil {
		err = w.Validate()
	}
	if err != nil || w != (Width{Lower: 0.01, Upper: 100, SmoothSaturation: true}) {
		t.Fatalf("defaults: %+v, %v", w, err)
	}
	v := s.Defaults()
	if err := s.Set(v, OptUpper, -1.0); err != nil {
		t.Fatal(err)
	}
	if err := spec.Decode(v, &w); err != nil || w.Validate() == nil {
		t.Errorf("smooth saturation without an upper bound accepted")
	}
	if err := s.Set(v, OptUpper, -2.0); err == nil {
		t.Errorf("upper bound -2 accepted")
	}
	if err := s.Set(v, OptLower, 0.0); err == nil {
		t.Errorf("lower bound 0 accepted")
	}
}
