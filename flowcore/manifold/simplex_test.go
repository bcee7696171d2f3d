package manifold

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/spec"
)

func mustSimplex(t *testing.T, dim int) Manifold {
	t.Helper()
	m, err := New(spec.ManifoldDef{Kind: spec.Simplex, Dim: dim, Text: fmt.Sprintf("a%d", dim)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSimplexProjectionJacobian checks FromBase's log-Jacobian against log|det ∂x/∂z| from
// central differences, ToBase's against its negative, and the round trip (<= 1e-12), for d = 1..5.
func TestSimplexProjectionJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const h = 1e-6
	for d := 1; d <= 5; d++ {
		m := mustSimplex(t, d)
		for trial := 0; trial < 20; trial++ {
			z := make([]float64, d)
			for i := range z {
				z[i] = 1.5 * rng.NormFloat64()
			}
			tp := ad.NewTape(false)
			x, ld := m.FromBase(tp.Const(1, d, z))
			jac := make([]float64, d*d)
			for j := 0; j < d; j++ {
				zp, zm := append([]float64(nil), z...), append([]float64(nil), z...)
				zp[j] += h
				zm[j] -= h
				xp, _ := m.FromBase(tp.Const(1, d, zp))
				xm, _ := m.FromBase(tp.Const(1, d, zm))
				for i := 0; i < d; i++ {
					jac[i*d+j] = (xp.Val[i] - xm.Val[i]) / (2 * h)
				}
			}
			if want := logAbsDet(jac, d); math.Abs(ld.Val[0]-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("a%d z=%v: FromBase log-det %.12g, finite differences %.12g", d, z, ld.Val[0], want)
			}
			if !m.InSupport(x.Val) {
				t.Errorf("a%d z=%v: FromBase gave %v outside the simplex", d, z, x.Val)
			}
			back, bld := m.ToBase(tp.Const(1, d, x.Val))
			for i := range z {
				if math.Abs(back.Val[i]-z[i]) > 1e-12*math.Max(1, math.Abs(z[i])) {
					t.Errorf("a%d: round trip z %v -> %v", d, z, back.Val)
					break
				}
			}
			if math.Abs(bld.Val[0]+ld.Val[0]) > 1e-11*math.Max(1, math.Abs(ld.Val[0])) {
				t.Errorf("a%d: log-dets %g (from base) and %g (to base) do not cancel", d, ld.Val[0], bld.Val[0])
			}
		}
	}
}

// TestSimplexUniform: the projection alone is the uniform density on a1 (log p = 0) and a2
// (log p = log 2), also on and near the faces; at the vertices it is finite.
func TestSimplexUniform(t *testing.T) {
	for _, c := range []struct {
		d    int
		want float64
		pts  [][]float64
	}{
		{1, 0, [][]float64{{0}, {1e-300}, {0.3}, {0.5}, {1 - 1e-12}, {1}}},
		{2, math.Ln2, [][]float64{{0.2, 0.3}, {1e-9, 0.5}, {0.5, 1e-9}, {0.3, 0.7 - 1e-10}, {0.999, 1e-4}, {1.0 / 3, 1.0 / 3},
			{0, 0.5}, {0.5, 0}, {0.3, 0.7}}},
	} {
		m := mustSimplex(t, c.d)
		tp := ad.NewTape(false)
		for _, x := range c.pts {
			z, ld := m.ToBase(tp.Const(1, c.d, x))
			if lp := gaussLogPDF(z.Val) + ld.Val[0]; math.Abs(lp-c.want) > 1e-9 {
				t.Errorf("a%d x=%v: uniform log p %.15g, want %.15g", c.d, x, lp, c.want)
			}
		}
	}
	m := mustSimplex(t, 3)
	tp := ad.NewTape(false)
	vertices := []float64{0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1}
	z, ld := m.ToBase(tp.Const(4, 3, vertices))
	for i := 0; i < 4; i++ {
		if lp := gaussLogPDF(z.Val[3*i:3*i+3]) + ld.Val[i]; math.IsNaN(lp) || math.IsInf(lp, 0) {
			t.Errorf("a3 vertex %v: log p %g", vertices[3*i:3*i+3], lp)
		}
	}
}

// TestSimplexCoordinates: embedding round trip, the volume factor and the support checks.
func TestSimplexCoordinates(t *testing.T) {
	m := mustSimplex(t, 3)
	tp := ad.NewTape(false)
	x := tp.Const(2, 3, []float64{0.1, 0.2, 0.3, 0.5, 0, 0.25})
	e := m.ToEmbedding(x)
	want := []float64{0.4, 0.1, 0.2, 0.3, 0.25, 0.5, 0, 0.25}
	for i, v := range want {
		if math.Abs(e.Val[i]-v) > 1e-15 {
			t.Fatalf("embedding %v, want %v", e.Val, want)
		}
	}
	back := m.FromEmbedding(e)
	for i, v := range x.Val {
		if math.Abs(back.Val[i]-v) > 1e-15 {
			t.Fatalf("embedding round trip %v, want %v", back.Val, x.Val)
		}
	}
	if lv := m.LogVolume(x).Val[1]; math.Abs(lv-math.Log(4)/2) > 1e-15 {
		t.Errorf("LogVolume %g, want log(4)/2", lv)
	}
	for _, c := range []struct {
		x    []float64
		want bool
	}{
		{[]float64{0, 0, 0}, true}, {[]float64{1, 0, 0}, true}, {[]float64{0.5, 0.5, 1e-12}, true},
		{[]float64{-1e-300, 0.5, 0}, false}, {[]float64{0.5, 0.5, 1e-6}, false}, {[]float64{math.NaN(), 0, 0}, false},
	} {
		if got := m.InSupport(c.x); got != c.want {
			t.Errorf("InSupport(%v) = %v", c.x, got)
		}
	}
	for _, c := range []struct {
		e    []float64
		want bool
	}{
		{[]float64{0.25, 0.25, 0.25, 0.25}, true}, {[]float64{1, 0, 0, 0}, true},
		{[]float64{0.25, 0.25, 0.25, 0.2}, false}, {[]float64{1.1, -0.1, 0, 0}, false},
	} {
		if got := m.InEmbeddingSupport(c.e); got != c.want {
			t.Errorf("InEmbeddingSupport(%v) = %v", c.e, got)
		}
	}
	if !m.InSupport(m.Center()) {
		t.Errorf("center %v outside", m.Center())
	}
}

func TestSimplexGradients(t *testing.T) {
	m := mustSimplex(t, 3)
	both := func(a, b *ad.Node) *ad.Node { return ad.Concat(a, b) }
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return both(m.ToBase(in[0])) },
		[]adtest.Input{{R: 3, C: 3, Val: []float64{0.1, 0.2, 0.3, 0.6, 0.05, 0.3, 0.01, 0.9, 0.05}}}, 1e-7, 1e-6)
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return both(m.FromBase(in[0])) },
		[]adtest.Input{{R: 3, C: 3, Val: []float64{-1, 0.3, 2, 1.2, -2.5, 0.1, 3, 0, -0.4}}}, 1e-6, 1e-6)
}

// logAbsDet is log|det A| of the n x n row-major matrix a.
func logAbsDet(a []float64, n int) float64 {
	v, _ := mat.LogDet(mat.NewDense(n, n, a))
	return v
}
