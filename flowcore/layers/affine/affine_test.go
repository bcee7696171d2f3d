package affine

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/flowcore/ad/adtest"
	"github.com/gojammy/gojammy/flowcore/layers"
	"github.com/gojammy/gojammy/flowcore/spec"
)

// build makes a layer of entry e on e<d> with option overrides.
func build(t testing.TB, e layers.Entry, d int, offset bool, opts map[string]any) layers.Layer {
	t.Helper()
	v := e.Schema.Defaults()
	for name, val := range opts {
		if err := e.Schema.Set(v, name, val); err != nil {
			t.Fatal(err)
		}
	}
	ctx := layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Euclidean, Dim: d, Text: fmt.Sprintf("e%d", d)}, ModelOffset: offset}
	l, err := e.New(ctx, v)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var covTypes = []string{covIdentity, covSymmetric, covDiagonal, covFull}

// widthVariants are width-regulator option sets.
var widthVariants = []map[string]any{
	{},
	{"softplus_for_width": 1},
	{"width_smooth_saturation": 0, "clamp_widths": 1},
	{"width_smooth_saturation": 0, "upper_bound_for_widths": -1.0},
	{"clamp_widths": 1, "lower_bound_for_widths": 0.1},
}

func TestLowerPairs(t *testing.T) {
	got := lowerPairs(4)
	want := [][2]int{{3, 0}, {2, 0}, {3, 1}, {1, 0}, {2, 1}, {3, 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("lowerPairs(4) = %v, want %v", got, want)
	}
}

// TestCounts checks the parameter counts of t and x for every option combination.
func TestCounts(t *testing.T) {
	for d := 1; d <= 6; d++ {
		for _, offset := range []bool{false, true} {
			off := 0
			if offset {
				off = d
			}
			want := map[string]int{covIdentity: 0, covSymmetric: 1, covDiagonal: d, covFull: d + d*(d-1)/2}
			for _, cov := range covTypes {
				for _, w := range widthVariants {
					opts := map[string]any{"cov_type": cov}
					for k, v := range w {
						opts[k] = v
					}
					l := build(t, TEntry, d, offset, opts)
					if l.NumParams() != off+want[cov] || len(l.InitialParams(nil)) != l.NumParams() {
						t.Errorf("e%d t %v offset=%v: %d parameters, want %d", d, opts, offset, l.NumParams(), off+want[cov])
					}
				}
			}
			for _, add := range []int{0, 1} {
				l := build(t, XEntry, d, false, map[string]any{"add_offset": add})
				if l.NumParams() != add*d {
					t.Errorf("e%d x add_offset=%d: %d parameters", d, add, l.NumParams())
				}
			}
		}
	}
	// Upstream count_parameters of single-layer pdfs (the last layer owns the offset).
	if n := build(t, TEntry, 2, true, nil).NumParams(); n != 4 {
		t.Errorf("e2 t: %d parameters, want 4", n)
	}
	if n := build(t, TEntry, 5, true, nil).NumParams(); n != 10 {
		t.Errorf("e5 t: %d parameters, want 10", n)
	}
	init := build(t, TEntry, 3, true, map[string]any{"cov_type": covFull}).InitialParams(nil)
	if fmt.Sprint(init) != fmt.Sprint([]float64{0.001, 0.001, 0.001, 0, 0, 0, 0, 0, 0}) {
		t.Errorf("initial parameters %v", init)
	}
}

// TestOptionErrors checks refused options.
func TestOptionErrors(t *testing.T) {
	v := TEntry.Schema.Defaults()
	if err := TEntry.Schema.Set(v, "cov_type", "banded"); err == nil {
		t.Errorf("cov_type banded accepted")
	}
	if err := TEntry.Schema.Set(v, "upper_bound_for_widths", -1.0); err != nil {
		t.Fatal(err)
	}
	if _, err := TEntry.New(layers.Context{Manifold: spec.ManifoldDef{Kind: spec.Euclidean, Dim: 2}}, v); err == nil {
		t.Errorf("smooth saturation without upper bound accepted")
	} else {
		t.Log(err)
	}
}

func randVals(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

// TestTriangularGradients checks both custom ops with respect to points, log-diagonal and lower
// entries, for one-row and per-row parameters.
func TestTriangularGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 4, 3
	pairs := lowerPairs(d)
	for _, rows := range []int{1, n} {
		for _, solve := range []bool{false, true} {
			inputs := []adtest.Input{{R: n, C: d, Val: randVals(rng, n*d, 1)},
				{R: rows, C: d, Val: randVals(rng, rows*d, 0.3)}, {R: rows, C: len(pairs), Val: randVals(rng, rows*len(pairs), 0.5)}}
			f := func(_ *ad.Tape, in []*ad.Node) *ad.Node {
				if solve {
					return lowerSolve(in[0], in[1], in[2], pairs)
				}
				return lowerMul(in[0], in[1], in[2], pairs)
			}
			t.Run(fmt.Sprintf("rows=%d/solve=%v", rows, solve), func(t *testing.T) {
				adtest.CheckGradients(t, f, inputs, 1e-6, 1e-7)
			})
		}
	}
}

// TestTGradients checks the layer maps (points and parameters) for every covariance type and width
// regulator, with one-row and per-row parameters.
func TestTGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, d = 4, 3
	for _, cov := range covTypes {
		for wi, w := range widthVariants {
			opts := map[string]any{"cov_type": cov}
			for k, v := range w {
				opts[k] = v
			}
			l := build(t, TEntry, d, true, opts)
			for _, rows := range []int{1, n} {
				for _, inverse := range []bool{false, true} {
					inputs := []adtest.Input{{R: n, C: d, Val: randVals(rng, n*d, 1)},
						{R: rows, C: l.NumParams(), Val: randVals(rng, rows*l.NumParams(), 0.5)}}
					f := func(_ *ad.Tape, in []*ad.Node) *ad.Node {
						m := l.Forward
						if inverse {
							m = l.Inverse
						}
						y, ld := m(in[0], in[1])
						return ad.Concat(y, ld)
					}
					t.Run(fmt.Sprintf("%s/width%d/rows=%d/inverse=%v", cov, wi, rows, inverse), func(t *testing.T) {
						adtest.CheckGradients(t, f, inputs, 1e-6, 1e-6)
					})
				}
			}
		}
	}
}

// TestTRoundTripAndLogDet maps points both ways and compares the log-determinant with a
// finite-difference Jacobian.
func TestTRoundTripAndLogDet(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, d = 3, 4
	for _, cov := range covTypes {
		l := build(t, TEntry, d, true, map[string]any{"cov_type": cov})
		tape := ad.NewTape(false)
		params := tape.Const(1, l.NumParams(), randVals(rng, l.NumParams(), 0.7))
		x := tape.Const(n, d, randVals(rng, n*d, 2))
		z, ld := l.Inverse(x, params)
		x2, ld2 := l.Forward(z, params)
		for i := range x.Val {
			if math.Abs(x2.Val[i]-x.Val[i]) > 1e-12 {
				t.Errorf("%s: round trip %g -> %g", cov, x.Val[i], x2.Val[i])
			}
		}
		for i := 0; i < n; i++ {
			if math.Abs(ld.Val[i]+ld2.Val[i]) > 1e-12 {
				t.Errorf("%s: log-determinants %g and %g", cov, ld.Val[i], ld2.Val[i])
			}
			jac := mat.NewDense(d, d, nil)
			const h = 1e-6
			for b := 0; b < d; b++ {
				pt := append([]float64(nil), x.Val[i*d:(i+1)*d]...)
				pt[b] += h
				zp, _ := l.Inverse(tape.Const(1, d, pt), params)
				pt[b] -= 2 * h
				zm, _ := l.Inverse(tape.Const(1, d, pt), params)
				for a := 0; a < d; a++ {
					jac.Set(a, b, (zp.Val[a]-zm.Val[a])/(2*h))
				}
			}
			if fd := math.Log(math.Abs(mat.Det(jac))); math.Abs(fd-ld.Val[i]) > 1e-7 {
				t.Errorf("%s: log-determinant %g, finite differences %g", cov, ld.Val[i], fd)
			}
		}
	}
}

// TestX checks the identity layer with and without offset, including its gradients.
func TestX(t *testing.T) {
	l := build(t, XEntry, 2, false, map[string]any{"add_offset": 1})
	tape := ad.NewTape(false)
	p := tape.Const(1, 2, []float64{0.5, -1})
	z, ld := l.Inverse(tape.Const(1, 2, []float64{1, 1}), p)
	if z.Val[0] != 0.5 || z.Val[1] != 2 || ld.Val[0] != 0 {
		t.Errorf("x inverse: %v %v", z.Val, ld.Val)
	}
	x, _ := l.Forward(z, p)
	if x.Val[0] != 1 || x.Val[1] != 1 {
		t.Errorf("x forward: %v", x.Val)
	}
	adtest.CheckGradients(t, func(_ *ad.Tape, in []*ad.Node) *ad.Node {
		y, _ := l.Inverse(in[0], in[1])
		return y
	}, []adtest.Input{{R: 3, C: 2, Val: []float64{1, 2, 3, 4, 5, 6}}, {R: 3, C: 2, Val: []float64{1, 0, -1, 2, 0.5, 3}}}, 1e-6, 1e-8)
	params, mapped, err := l.(layers.DataInitializer).InitFromData([]float64{1, 2, 3, 6}, 2, nil)
	if err != nil || fmt.Sprint(params) != "[2 4]" || fmt.Sprint(mapped) != "[-1 -2 1 2]" {
		t.Errorf("x data init: %v %v %v", params, mapped, err)
	}
}

// correlated draws n points of a Gaussian with mean mu and covariance A Aᵀ.
func correlated(rng *rand.Rand, n int, mu []float64, a [][]float64) []float64 {
	d := len(mu)
	x := make([]float64, n*d)
	for i := 0; i < n; i++ {
		e := randVals(rng, d, 1)
		for r := 0; r < d; r++ {
			x[i*d+r] = mu[r]
			for c := 0; c < d; c++ {
				x[i*d+r] += a[r][c] * e[c]
			}
		}
	}
	return x
}

// reverseKL is ½[tr(M⁻¹C) − log det C + log det M − d] for C = LLᵀ of the layer's parameters
// (without offset) and the second moments M of the centred data.
func reverseKL(l *tLayer, raw []float64, m *mat.SymDense) float64 {
	d := l.d
	tape := ad.NewTape(false)
	eye := make([]float64, d*d)
	for i := 0; i < d; i++ {
		eye[i*d+i] = 1
	}
	// Columns of L are the images of the unit vectors (rows of the result); the offset is zero.
	full := append(make([]float64, d), raw...)
	lz, _ := l.Forward(tape.Const(d, d, eye), tape.Const(1, len(full), full))
	lt := mat.NewDense(d, d, lz.Val) // Lᵀ
	var c mat.Dense
	c.Mul(lt.T(), lt)
	var minv mat.Dense
	if err := minv.Inverse(m); err != nil {
		panic(err)
	}
	var p mat.Dense
	p.Mul(&minv, &c)
	return 0.5 * (mat.Trace(&p) - math.Log(mat.Det(&c)) + math.Log(mat.Det(m)) - float64(d))
}

// TestTDataInit checks the closed-form fit: the offset is the mean, the fitted parameters minimize
// the reverse KL divergence (no random perturbation improves it), the full fit whitens the data and
// the returned points are the layer's own map of the data.
func TestTDataInit(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const n, d = 4000, 3
	mu := []float64{1, -2, 0.5}
	a := [][]float64{{2, 0, 0}, {0.8, 0.5, 0}, {-0.3, 0.4, 1.2}}
	x := correlated(rng, n, mu, a)
	for _, cov := range covTypes {
		l := build(t, TEntry, d, true, map[string]any{"cov_type": cov}).(*tLayer)
		params, mapped, err := l.InitFromData(x, n, rng)
		if err != nil {
			t.Fatal(err)
		}
		if len(params) != l.NumParams() {
			t.Fatalf("%s: %d parameters", cov, len(params))
		}
		means, centred := centre(x, n, d)
		for j := range means {
			if params[j] != means[j] {
				t.Errorf("%s: offset %v, mean %v", cov, params[:d], means)
			}
		}
		tape := ad.NewTape(false)
		z, _ := l.Inverse(tape.Const(n, d, x), tape.Const(1, len(params), params))
		for i := range z.Val {
			if z.Val[i] != mapped[i] {
				t.Fatalf("%s: returned points differ from the layer's map", cov)
			}
		}
		if cov == covIdentity {
			continue
		}
		var m mat.SymDense
		m.SymOuterK(1/float64(n), mat.NewDense(n, d, centred).T())
		best := reverseKL(l, params[d:], &m)
		for trial := 0; trial < 20; trial++ {
			p := append([]float64(nil), params[d:]...)
			for i := range p {
				p[i] += 0.01 * rng.NormFloat64()
			}
			if kl := reverseKL(l, p, &m); kl < best-1e-12 {
				t.Errorf("%s: perturbed parameters reach KL %g < fitted %g", cov, kl, best)
			}
		}
		if cov == covFull {
			var s mat.SymDense
			s.SymOuterK(1/float64(n), mat.NewDense(n, d, mapped).T())
			for i := 0; i < d; i++ {
				for j := 0; j < d; j++ {
					want := 0.0
					if i == j {
						want = 1
					}
					if math.Abs(s.At(i, j)-want) > 1e-9 {
						t.Errorf("full fit: mapped second moments %v", mat.Formatted(&s))
						break
					}
				}
			}
		}
	}
	if _, _, err := build(t, TEntry, 2, true, nil).(layers.DataInitializer).InitFromData([]float64{1, math.NaN()}, 1, nil); err == nil {
		t.Errorf("NaN data accepted")
	}
}

// fixture is the part of an upstream reference file these tests use.
type fixture struct {
	PDFDefs  string                    `json:"pdf_defs"`
	FlowDefs string                    `json:"flow_defs"`
	Options  map[string]map[string]any `json:"options"`
	Params   []float64                 `json:"params"`
	X        [][]float64               `json:"x"`
	LogPDF   []float64                 `json:"log_pdf"`
}

// TestUpstream reproduces jammy_flows' log-densities of single-layer Euclidean PDFs t and x:
// log p = log N(z) + logDet, the layer owning the model offset (t) or add_offset (x).
func TestUpstream(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/upstream/e*.json")
	ran := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fx fixture
		if err := json.Unmarshal(raw, &fx); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var e layers.Entry
		switch fx.FlowDefs {
		case "t":
			e = TEntry
		case "x":
			e = XEntry
		default:
			continue
		}
		defs, err := spec.ParsePDFDefs(fx.PDFDefs)
		if err != nil || len(defs) != 1 {
			continue
		}
		d := defs[0].Dim
		l := build(t, e, d, fx.FlowDefs == "t", fx.Options[fx.FlowDefs])
		if l.NumParams() != len(fx.Params) {
			t.Fatalf("%s: %d parameters, fixture has %d", f, l.NumParams(), len(fx.Params))
		}
		n := len(fx.X)
		xs := make([]float64, 0, n*d)
		for _, row := range fx.X {
			xs = append(xs, row...)
		}
		tape := ad.NewTape(false)
		z, ld := l.Inverse(tape.Const(n, d, xs), tape.Const(1, len(fx.Params), fx.Params))
		worst := 0.0
		for i := 0; i < n; i++ {
			lp := ld.Val[i] - 0.5*float64(d)*math.Log(2*math.Pi)
			for _, v := range z.Val[i*d : (i+1)*d] {
				lp -= 0.5 * v * v
			}
			rel := math.Abs(lp-fx.LogPDF[i]) / math.Max(1, math.Abs(fx.LogPDF[i]))
			worst = math.Max(worst, rel)
			if rel > 1e-10 {
				t.Errorf("%s point %d: log p %.15g, upstream %.15g", filepath.Base(f), i, lp, fx.LogPDF[i])
			}
		}
		t.Logf("%s: %d points, largest relative difference %.2g", filepath.Base(f), n, worst)
		ran++
	}
	if ran == 0 {
		t.Fatal("no upstream fixtures for t or x in testdata/upstream")
	}
}
