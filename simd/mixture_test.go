package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// mixtureImpls returns the logistic-mixture implementations this build and CPU can run, by level.
func mixtureImpls() map[level]*mixtureKernels {
	return impls(func(k kernels) *mixtureKernels { return k.mixture })
}

// mixtureStride is the kernel record length of the tests: 4 values and 2 of padding, so that a
// kernel that ignored the stride would read the padding (NaN).
const mixtureStride = 6

// randomMixture returns k kernels with means in [−3, 3], widths in [0.05, 2] and normalized
// weights, each record padded with NaNs.
func randomMixture(rng *rand.Rand, k int) []float64 {
	par := make([]float64, k*mixtureStride)
	sum := 0.0
	for j := 0; j < k; j++ {
		p := par[j*mixtureStride : (j+1)*mixtureStride]
		h := 0.05 + 1.95*rng.Float64()
		p[0], p[1], p[2], p[4], p[5] = 6*rng.Float64()-3, 1/h, rng.Float64()+0.01, math.NaN(), math.NaN()
		sum += p[2]
	}
	for j := 0; j < k; j++ {
		p := par[j*mixtureStride:]
		p[2] /= sum
		p[3] = p[2] * p[1]
	}
	return par
}

// mixtureRef is the mixture at y with math.Exp and plain sums.
func mixtureRef(y float64, par []float64, k int) (F, S, f float64) {
	for j := 0; j < k; j++ {
		p := par[j*mixtureStride:]
		x := math.Exp(min(max((p[0]-y)*p[1], -maxMixtureArg), maxMixtureArg))
		q := 1 / (1 + x)
		F += p[2] * q
		S += p[2] * x * q
		f += p[3] * x * q * q
	}
	return F, S, f
}

// relClose reports whether got is within tol relative to want (both NaN counts as close).
func relClose(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}

// mixturePoints draws points around and far from the kernels, with the special values mixed in.
func mixturePoints(rng *rand.Rand, n int) []float64 {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e300, -1e300, 5e-324, 60, -60}
	y := make([]float64, n)
	for i := range y {
		switch rng.IntN(4) {
		case 0:
			y[i] = special[rng.IntN(len(special))]
		case 1:
			y[i] = 200*rng.Float64() - 100
		default:
			y[i] = 8*rng.Float64() - 4
		}
	}
	return y
}

// runMixture evaluates impl (with or without terms) and returns F, S, f, q, s.
func runMixture(impl *mixtureKernels, terms bool, y, par []float64, k int) (F, S, f, q, s []float64) {
	n := len(y)
	F, S, f = make([]float64, n), make([]float64, n), make([]float64, n)
	if !terms {
		impl.sums(F, S, f, y, par, k, mixtureStride)
		return F, S, f, nil, nil
	}
	q, s = make([]float64, k*n), make([]float64, k*n)
	impl.terms(F, S, f, q, s, y, par, k, mixtureStride, n)
	return F, S, f, q, s
}

// TestLogisticMixture checks every implementation, with and without terms, on all lengths up to
// four vector widths + 3 against the math.Exp reference: sums of positive terms, so 1e-14
// relative; NaN points give NaN sums, infinite points their limits.
func TestLogisticMixture(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{0, 1, 3, 10, 40} {
		par := randomMixture(rng, k)
		for n := 0; n <= 4*4+3; n++ {
			y := mixturePoints(rng, n)
			for l, impl := range mixtureImpls() {
				for _, terms := range []bool{false, true} {
					F, S, f, q, s := runMixture(impl, terms, y, par, k)
					for i, yi := range y {
						wF, wS, wf := mixtureRef(yi, par, k)
						if !relClose(F[i], wF, 1e-14) || !relClose(S[i], wS, 1e-14) || !relClose(f[i], wf, 1e-14) {
							t.Fatalf("%v k=%d n=%d terms=%v y=%v: got %v %v %v, want %v %v %v", l, k, n, terms, yi, F[i], S[i], f[i], wF, wS, wf)
						}
						for j := 0; terms && j < k; j++ {
							p := par[j*mixtureStride:]
							x := math.Exp(min(max((p[0]-yi)*p[1], -maxMixtureArg), maxMixtureArg))
							if !relClose(q[j*n+i], 1/(1+x), 1e-15) || !relClose(s[j*n+i], x/(1+x), 1e-15) {
								t.Fatalf("%v k=%d n=%d y=%v kernel %d: terms %v %v", l, k, n, yi, j, q[j*n+i], s[j*n+i])
							}
						}
					}
				}
			}
		}
	}
}

// TestLogisticMixturePointsIndependent checks that a point's sums do not depend on the other
// points or on its position (full vector group or padded tail).
func TestLogisticMixturePointsIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	par := randomMixture(rng, 12)
	y := mixturePoints(rng, 23)
	for l, impl := range mixtureImpls() {
		F, S, f, _, _ := runMixture(impl, true, y, par, 12)
		for i := range y {
			F1, S1, f1, _, _ := runMixture(impl, false, y[i:i+1], par, 12)
			same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
			if !same(F1[0], F[i]) || !same(S1[0], S[i]) || !same(f1[0], f[i]) {
				t.Errorf("%v point %d (y = %v): alone %v %v %v, in the batch %v %v %v", l, i, y[i], F1[0], S1[0], f1[0], F[i], S[i], f[i])
			}
		}
	}
}

// TestMixtureExp checks the kernels' exponential against the correctly rounded reference on its
// range |a| ≤ 700, and that generic and assembly kernels give identical sums (they run the same
// operations, fused multiply-adds included).
func TestMixtureExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	worst := 0.0
	for i := 0; i < 20000; i++ {
		a := 1400*rng.Float64() - 700
		if i%2 == 0 {
			a = 4*rng.Float64() - 2
		}
		worst = max(worst, ulpDiff(mixtureExp(a), expRef(a)))
	}
	for _, a := range []float64{0, -0.0, 700, -700, math.Ln2 / 2, -math.Ln2 / 2, 1e-300} {
		worst = max(worst, ulpDiff(mixtureExp(a), expRef(a)))
	}
	if worst > 2 {
		t.Errorf("mixtureExp: %v ulp from the correctly rounded exponential (bound 2)", worst)
	}
	if !math.IsNaN(mixtureExp(math.NaN())) {
		t.Error("mixtureExp(NaN) is not NaN")
	}
	par := randomMixture(rng, 9)
	y := mixturePoints(rng, 37)
	gF, gS, gf, gq, gs := runMixture(&mixtureGeneric, true, y, par, 9)
	for l, impl := range mixtureImpls() {
		F, S, f, q, s := runMixture(impl, true, y, par, 9)
		for i, pair := range [][2][]float64{{F, gF}, {S, gS}, {f, gf}, {q, gq}, {s, gs}} {
			for j := range pair[0] {
				if ulpDiff(pair[0][j], pair[1][j]) != 0 {
					t.Fatalf("%v output %d[%d]: %v, generic %v", l, i, j, pair[0][j], pair[1][j])
				}
			}
		}
	}
}

func TestLogisticMixturePanics(t *testing.T) {
	out := make([]float64, 4)
	for _, c := range []struct{ par, k, stride int }{{7, 2, 4}, {8, 2, 3}, {4, -1, 4}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("len(par)=%d k=%d stride=%d: no panic", c.par, c.k, c.stride)
				}
			}()
			LogisticMixture(out, out, out, out, make([]float64, c.par), c.k, c.stride)
		}()
	}
}

func BenchmarkLogisticMixture(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	const k = 10
	par := randomMixture(rng, k)
	for _, n := range []int{1, 256, 4096} {
		y := make([]float64, n)
		for i := range y {
			y[i] = 6*rng.Float64() - 3
		}
		F, S, f := make([]float64, n), make([]float64, n), make([]float64, n)
		q, s := make([]float64, k*n), make([]float64, k*n)
		for l, impl := range mixtureImpls() {
			b.Run(fmt.Sprintf("%v/%d", l, n), func(b *testing.B) {
				for b.Loop() {
					impl.sums(F, S, f, y, par, k, mixtureStride)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*k), "ns/term")
			})
			b.Run(fmt.Sprintf("%v/terms/%d", l, n), func(b *testing.B) {
				for b.Loop() {
					impl.terms(F, S, f, q, s, y, par, k, mixtureStride, n)
				}
			})
		}
	}
}

// FuzzLogisticMixture checks every implementation at one point of a fixed mixture against the
// reference.
func FuzzLogisticMixture(f *testing.F) {
	for _, v := range []float64{0, math.NaN(), math.Inf(1), -1e308, 3.5, -700} {
		f.Add(v)
	}
	par := randomMixture(rand.New(rand.NewPCG(9, 10)), 7)
	f.Fuzz(func(t *testing.T, y float64) {
		wF, wS, wf := mixtureRef(y, par, 7)
		for l, impl := range mixtureImpls() {
			F, S, fd, _, _ := runMixture(impl, false, []float64{y}, par, 7)
			if !relClose(F[0], wF, 1e-14) || !relClose(S[0], wS, 1e-14) || !relClose(fd[0], wf, 1e-14) {
				t.Errorf("%v y=%v: %v %v %v, want %v %v %v", l, y, F[0], S[0], fd[0], wF, wS, wf)
			}
		}
	})
}
