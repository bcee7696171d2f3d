package rotation

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
)

func randVals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func matMul(a, b []float64, d int) []float64 {
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			for j := 0; j < d; j++ {
				c[i*d+j] += a[i*d+k] * b[k*d+j]
			}
		}
	}
	return c
}

func identity(d int) []float64 {
	m := make([]float64, d*d)
	for i := 0; i < d; i++ {
		m[i*d+i] = 1
	}
	return m
}

func closeSlices(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Fatalf("%s: entry %d = %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

func TestParamCounts(t *testing.T) {
	cases := []struct {
		mode      string
		dim, n, p int
	}{
		{Householder, 1, -1, 1}, {Householder, 3, -1, 9}, {Householder, 3, 2, 6}, {Householder, 2, 0, 0},
		{Angles, 1, 0, 0}, {Angles, 2, 0, 1}, {Angles, 4, 0, 6},
		{Cayley, 1, 0, 0}, {Cayley, 2, 0, 1},
		{Triangular, 1, 0, 0}, {Triangular, 2, 0, 3}, {Triangular, 3, 0, 8},
		{None, 3, 0, 0},
	}
	for _, c := range cases {
		r, err := New(c.mode, c.dim, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if r.NumParams() != c.p {
			t.Errorf("%s dim %d n %d: %d params, want %d", c.mode, c.dim, c.n, r.NumParams(), c.p)
		}
	}
	for _, bad := range []struct {
		mode      string
		dim, n    int
		substring string
	}{{Cayley, 3, 0, "dimension 2"}, {"spin", 2, 0, "householder"}, {Householder, 2, -2, "reflections"}, {None, 0, 0, "dimension"}} {
		if _, err := New(bad.mode, bad.dim, bad.n); err == nil || !strings.Contains(err.Error(), bad.substring) {
			t.Errorf("New(%q, %d, %d): error %v, want one mentioning %q", bad.mode, bad.dim, bad.n, err, bad.substring)
		}
	}
}

// TestMatricesMatchDefinitions builds every matrix the slow way, from jammy_flows' definitions.
func TestMatricesMatchDefinitions(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	d := 4
	// Householder: Q = Π_j (I − 2 v vᵀ/|v|²) in index order.
	hh, _ := New(Householder, d, 3)
	p := randVals(rng, hh.NumParams())
	q := identity(d)
	for j := 0; j < 3; j++ {
		v := p[j*d : (j+1)*d]
		n2 := 0.0
		for _, a := range v {
			n2 += a * a
		}
		h := identity(d)
		for a := 0; a < d; a++ {
			for b := 0; b < d; b++ {
				h[a*d+b] -= 2 * v[a] * v[b] / n2
			}
		}
		q = matMul(q, h, d)
	}
	closeSlices(t, "householder", hh.Matrix(p), q, 1e-14)
	// Angles: Givens rotations over pairs in lexicographic order, each multiplied from the left.
	an, _ := New(Angles, d, 0)
	p = randVals(rng, an.NumParams())
	m := identity(d)
	k := 0
	for a := 0; a < d; a++ {
		for b := a + 1; b < d; b++ {
			g := identity(d)
			g[a*d+a], g[b*d+b] = math.Cos(p[k]), math.Cos(p[k])
			g[a*d+b], g[b*d+a] = math.Sin(p[k]), -math.Sin(p[k])
			m = matMul(g, m, d)
			k++
		}
	}
	closeSlices(t, "angles", an.Matrix(p), m, 1e-14)
	// Cayley.
	ca, _ := New(Cayley, 2, 0)
	c := 0.7
	f := 1 / (1 + c*c)
	closeSlices(t, "cayley", ca.Matrix([]float64{c}), []float64{(1 - c*c) * f, -2 * c * f, 2 * c * f, (1 - c*c) * f}, 1e-15)
	// Triangular (d=3): lower fill (2,0), (1,0), (2,1); U is the transposed fill of the right block.
	tr, _ := New(Triangular, 3, 0)
	p = []float64{0.1, 0.2, 0.3, 0.4, -0.7, 0.5, 0.6, 0.7}
	l := []float64{1, 0, 0, 0.2, 1, 0, 0.1, 0.3, 1}
	dg := []float64{math.Exp(0.4), 0, 0, 0, math.Exp(-0.7), 0, 0, 0, math.Exp(0.3)}
	u := []float64{1, 0.6, 0.5, 0, 1, 0.7, 0, 0, 1}
	closeSlices(t, "triangular", tr.Matrix(p), matMul(matMul(l, dg, 3), u, 3), 1e-14)
}

func TestInverseAndOrthogonality(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, mode := range Modes {
		for d := 1; d <= 4; d++ {
			if mode == Cayley && d > 2 {
				continue
			}
			r, _ := New(mode, d, -1)
			p := randVals(rng, r.NumParams())
			m := r.Matrix(p)
			if mode != Triangular {
				mt := make([]float64, d*d)
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						mt[i*d+j] = m[j*d+i]
					}
				}
				closeSlices(t, mode+" MᵀM", matMul(mt, m, d), identity(d), 1e-14)
			}
			tp := ad.NewTape(false)
			x := tp.Const(5, d, randVals(rng, 5*d))
			pn := tp.Const(1, len(p), p)
			back := r.Apply(r.Apply(x, pn, false), pn, true)
			closeSlices(t, mode+" round trip", back.Val, x.Val, 1e-13)
		}
	}
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, mode := range Modes {
		for d := 1; d <= 4; d++ {
			if mode == Cayley && d > 2 || mode == None {
				continue
			}
			r, _ := New(mode, d, -1)
			if r.NumParams() == 0 {
				continue
			}
			for _, inverse := range []bool{false, true} {
				for _, shape := range [][2]int{{4, 1}, {3, 3}, {1, 3}} {
					f := func(_ *ad.Tape, in []*ad.Node) *ad.Node { return r.Apply(in[0], in[1], inverse) }
					adtest.CheckGradients(t, f, []adtest.Input{
						{R: shape[0], C: d, Val: randVals(rng, shape[0]*d)},
						{R: shape[1], C: r.NumParams(), Val: randVals(rng, shape[1]*r.NumParams())},
					}, 1e-6, 1e-7)
				}
				// MatrixNode row 1 is the map of parameter row 1; with inverse, its inverse.
				p := randVals(rng, 2*r.NumParams())
				m := r.MatrixNode(ad.NewTape(false).Const(2, r.NumParams(), p), inverse).Val[d*d:]
				want := r.Matrix(p[r.NumParams():])
				for i := 0; i < d; i++ {
					for j := 0; j < d; j++ {
						got := m[i*d+j]
						if inverse {
							// (M⁻¹·M)_ij = δ_ij.
							got = 0
							for q := 0; q < d; q++ {
								got += m[i*d+q] * want[q*d+j]
							}
							if i == j {
								got--
							}
						} else {
							got -= want[i*d+j]
						}
						if math.Abs(got) > 1e-12 {
							t.Errorf("%s d=%d inverse=%v: MatrixNode entry (%d,%d) off by %g", mode, d, inverse, i, j, got)
						}
					}
				}
				adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node { return r.MatrixNode(in[0], inverse) },
					[]adtest.Input{{R: 2, C: r.NumParams(), Val: p}}, 1e-6, 1e-7)
			}
		}
	}
}

// TestSharedMatrixCache checks that Apply with constant shared parameters gives the same values
// from its matrix cache as a fresh map, also after the parameters change, and that parameters
// with gradients bypass it.
func TestSharedMatrixCache(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	r, _ := New(Householder, 3, -1)
	x := randVals(rng, 4*3)
	for range 3 {
		p := randVals(rng, r.NumParams())
		for _, inverse := range []bool{false, true} {
			fresh, _ := New(Householder, 3, -1)
			tp := ad.NewTape(false)
			want := fresh.Apply(tp.Const(4, 3, x), tp.Const(1, len(p), p), inverse).Val
			for range 2 {
				got := r.Apply(tp.Const(4, 3, x), tp.Const(1, len(p), p), inverse).Val
				closeSlices(t, "cached", got, want, 0)
			}
			rec := ad.NewTape(true)
			got := r.Apply(rec.Const(4, 3, x), rec.Var(1, len(p), p), inverse).Val
			closeSlices(t, "with gradients", got, want, 0)
		}
	}
}
