package manifold

import (
	"math"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/geom"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func mustSphere(t *testing.T, dim int) Manifold {
	t.Helper()
	m, err := New(spec.ManifoldDef{Kind: spec.Sphere, Dim: dim, Text: "s"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// gaussLogPDF is Σ log N(z_j) of one row.
func gaussLogPDF(z []float64) float64 {
	s := 0.0
	for _, v := range z {
		s += -0.5*v*v - 0.5*math.Log(2*math.Pi)
	}
	return s
}

func TestSphereUniformDensity(t *testing.T) {
	s1, s2 := mustSphere(t, 1), mustSphere(t, 2)
	tp := ad.NewTape(false)
	phis := []float64{0, 1e-9, 0.3, math.Pi, 5, 2*math.Pi - 1e-12, 2 * math.Pi}
	z, ld := s1.ToBase(tp.Const(len(phis), 1, phis))
	for i := range phis {
		lp := gaussLogPDF(z.Val[i:i+1]) + ld.Val[i]
		if math.IsInf(lp, 0) || math.IsNaN(lp) {
			t.Fatalf("s1 log p not finite at φ=%g", phis[i])
		}
		if phis[i] > 1e-8 && phis[i] < 2*math.Pi-1e-8 && math.Abs(lp+math.Log(2*math.Pi)) > 1e-12 {
			t.Errorf("s1 uniform log p at %g = %g", phis[i], lp)
		}
	}
	pts := []float64{0, 0, 1e-3, 0.3, 0.7, 2, math.Pi / 2, 0, math.Pi / 2, 2 * math.Pi, 2.5, 4, math.Pi - 1e-4, 1, math.Pi, 3}
	n := len(pts) / 2
	z, ld = s2.ToBase(tp.Const(n, 2, pts))
	for i := 0; i < n; i++ {
		lp := gaussLogPDF(z.Val[2*i:2*i+2]) + ld.Val[i]
		if math.IsInf(lp, 0) || math.IsNaN(lp) {
			t.Fatalf("s2 log p not finite at %v", pts[2*i:2*i+2])
		}
		th := math.Min(math.Max(pts[2*i], geom.ThetaMargin), math.Pi-geom.ThetaMargin)
		if want := math.Log(math.Sin(th) / (4 * math.Pi)); math.Abs(lp-want) > 1e-10*math.Max(1, math.Abs(want)) {
			t.Errorf("s2 uniform log p at %v = %.15g, want %.15g", pts[2*i:2*i+2], lp, want)
		}
	}
}

func TestSphereRoundTrips(t *testing.T) {
	tp := ad.NewTape(false)
	zs := []float64{-3, -1e-3, 0.2, 1, 4, 5.5}
	s1 := mustSphere(t, 1)
	x, ldf := s1.FromBase(tp.Const(len(zs), 1, zs))
	z, ldi := s1.ToBase(x)
	for i := range zs {
		if math.Abs(z.Val[i]-zs[i]) > 1e-9 || math.Abs(ldf.Val[i]+ldi.Val[i]) > 1e-9 {
			t.Errorf("s1 round trip z=%g: %g, log-dets %g %g", zs[i], z.Val[i], ldf.Val[i], ldi.Val[i])
		}
	}
	s2 := mustSphere(t, 2)
	z2 := []float64{0.3, -0.2, 1e-4, 2e-4, -2, 1.5, 3, -4, 0, -5.5, 1, 0}
	n := len(z2) / 2
	x, ldf = s2.FromBase(tp.Const(n, 2, z2))
	z, ldi = s2.ToBase(x)
	for i := 0; i < 2*n; i++ {
		if math.Abs(z.Val[i]-z2[i]) > 1e-9 {
			t.Errorf("s2 round trip entry %d: %g vs %g", i, z.Val[i], z2[i])
		}
	}
	for i := 0; i < n; i++ {
		if math.Abs(ldf.Val[i]+ldi.Val[i]) > 1e-9 {
			t.Errorf("s2 log-dets %g %g", ldf.Val[i], ldi.Val[i])
		}
	}
	e := s2.ToEmbedding(x)
	back := s2.FromEmbedding(e)
	for i := range back.Val {
		if math.Abs(back.Val[i]-x.Val[i]) > 1e-12 {
			t.Errorf("s2 embedding round trip entry %d: %g vs %g", i, back.Val[i], x.Val[i])
		}
	}
	for i := 0; i < n; i++ {
		if !s2.InEmbeddingSupport(e.Val[3*i:3*i+3]) || !s2.InSupport(x.Val[2*i:2*i+2]) {
			t.Errorf("row %d not in support", i)
		}
	}
	phis := []float64{0, 1, 4, 6.2}
	e1 := s1.ToEmbedding(tp.Const(4, 1, phis))
	b1 := s1.FromEmbedding(e1)
	for i := range phis {
		if math.Abs(b1.Val[i]-phis[i]) > 1e-12 {
			t.Errorf("s1 embedding round trip %g -> %g", phis[i], b1.Val[i])
		}
	}
}

func TestSphereLogDetMatchesFiniteDifference(t *testing.T) {
	tp := ad.NewTape(false)
	s2 := mustSphere(t, 2)
	z := []float64{0.7, -1.1}
	_, ld := s2.FromBase(tp.Const(1, 2, z))
	// (q, φ_z) with q = |z|²/2 are area-preserving polar coordinates of the plane, so the
	// log-Jacobian is log |dθ/dq|.
	h := 1e-6
	polar := func(q, a float64) []float64 {
		r := math.Sqrt(2 * q)
		x, _ := s2.FromBase(tp.Const(1, 2, []float64{r * math.Cos(a), r * math.Sin(a)}))
		return x.Val
	}
	q, a := 0.5*(z[0]*z[0]+z[1]*z[1]), math.Atan2(z[1], z[0])
	dq := (polar(q+h, a)[0] - polar(q-h, a)[0]) / (2 * h)
	if want := math.Log(math.Abs(dq)); math.Abs(ld.Val[0]-want) > 1e-7 {
		t.Errorf("s2 log-det %g, finite difference %g", ld.Val[0], want)
	}
	s1 := mustSphere(t, 1)
	_, ld1 := s1.FromBase(tp.Const(1, 1, []float64{0.4}))
	p := func(v float64) float64 { x, _ := s1.FromBase(tp.Const(1, 1, []float64{v})); return x.Val[0] }
	if want := math.Log(math.Abs(p(0.4+h)-p(0.4-h)) / (2 * h)); math.Abs(ld1.Val[0]-want) > 1e-7 {
		t.Errorf("s1 log-det %g, finite difference %g", ld1.Val[0], want)
	}
}

func TestSphereGradients(t *testing.T) {
	s1, s2 := mustSphere(t, 1), mustSphere(t, 2)
	sum := func(a, b *ad.Node) *ad.Node { return ad.Concat(a, b) }
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return sum(s1.FromBase(in[0])) },
		[]adtest.Input{{R: 3, C: 1, Val: []float64{-1, 0.2, 2}}}, 1e-6, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return sum(s1.ToBase(in[0])) },
		[]adtest.Input{{R: 3, C: 1, Val: []float64{0.1, 3, 6}}}, 1e-6, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return sum(s2.FromBase(in[0])) },
		[]adtest.Input{{R: 3, C: 2, Val: []float64{-1, 0.2, 2, 0.5, 0.01, -0.02}}}, 1e-7, 1e-5)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return sum(s2.ToBase(in[0])) },
		[]adtest.Input{{R: 3, C: 2, Val: []float64{0.1, 3, 2, 6, 3.1, 1}}}, 1e-6, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node {
		x := s2.FromEmbedding(in[0])
		return ad.Concat(x, s2.LogVolume(x), s2.ToEmbedding(x))
	}, []adtest.Input{{R: 2, C: 3, Val: []float64{0.3, -0.4, 0.8, -0.1, -0.2, -0.9}}}, 1e-6, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node {
		return ad.Concat(s1.FromEmbedding(in[0]), s1.ToEmbedding(s1.FromEmbedding(in[0])))
	}, []adtest.Input{{R: 2, C: 2, Val: []float64{0.3, -0.4, -0.1, 0.9}}}, 1e-6, 1e-6)
}

func TestSphereSupport(t *testing.T) {
	s1, s2 := mustSphere(t, 1), mustSphere(t, 2)
	for _, c := range []struct {
		m    Manifold
		x    []float64
		want bool
	}{
		{s1, []float64{0}, true}, {s1, []float64{2 * math.Pi}, true}, {s1, []float64{-1e-9}, false},
		{s1, []float64{7}, false}, {s1, []float64{math.NaN()}, false},
		{s2, []float64{0, 0}, true}, {s2, []float64{math.Pi, 2 * math.Pi}, true},
		{s2, []float64{3.2, 1}, false}, {s2, []float64{1, -0.1}, false}, {s2, []float64{1, 6.3}, false},
	} {
		if got := c.m.InSupport(c.x); got != c.want {
			t.Errorf("InSupport(%v) = %v", c.x, got)
		}
	}
	if !s2.InEmbeddingSupport([]float64{0, 0.6, 0.8}) || s2.InEmbeddingSupport([]float64{0, 0.6, 0.81}) ||
		s1.InEmbeddingSupport([]float64{math.Inf(1), 0}) || !s1.InEmbeddingSupport([]float64{0, -1}) {
		t.Error("embedding support")
	}
	// Poles and the seam give finite values in every map.
	tp := ad.NewTape(false)
	x := tp.Const(4, 2, []float64{0, 0, math.Pi, 2 * math.Pi, 0, 2 * math.Pi, math.Pi, 0})
	z, ld := s2.ToBase(x)
	e := s2.ToEmbedding(x)
	back := s2.FromEmbedding(e)
	for _, v := range [][]float64{z.Val, ld.Val, back.Val, s2.LogVolume(x).Val} {
		for _, f := range v {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				t.Fatalf("non-finite value at the poles: %v", v)
			}
		}
	}
}
