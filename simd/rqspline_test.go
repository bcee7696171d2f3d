package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// rqsplineImpls returns the spline implementations this build and CPU can run, by level.
func rqsplineImpls() map[level]*rqsplineKernels {
	return impls(func(k kernels) *rqsplineKernels { return k.rqspline })
}

// randomBins returns the records of a random monotone spline of k bins on [−3, 4] × [−2, 5]
// (knot spacings and slopes spread over two decades), each record followed by two NaNs of
// padding so that a kernel reading past a record's fields would produce NaN.
func randomBins(rng *rand.Rand, k int) []float64 {
	const stride = RQRecordLen + 2
	xs, ys := []float64{-3}, []float64{-2}
	for j := 0; j < k; j++ {
		xs = append(xs, xs[j]+math.Pow(10, 2*rng.Float64()-1))
		ys = append(ys, ys[j]+math.Pow(10, 2*rng.Float64()-1))
	}
	ds := make([]float64, k+1)
	for j := range ds {
		ds[j] = math.Pow(10, 2*rng.Float64()-1)
	}
	bins := make([]float64, k*stride)
	for j := 0; j < k; j++ {
		r := bins[j*stride:]
		w, h := xs[j+1]-xs[j], ys[j+1]-ys[j]
		s := h / w
		copy(r, []float64{xs[j], xs[j+1], ys[j], ys[j+1], ds[j], ds[j+1], w, h, s, ds[j] + ds[j+1] - 2*s, math.NaN(), math.NaN()})
	}
	return bins
}

// rqPoints draws n points with their record offsets into bins (k records of stride
// RQRecordLen + 2): positions inside a random bin, its ends exactly, and some NaNs. With
// inverse the points are heights (y) instead of positions (x).
func rqPoints(rng *rand.Rand, bins []float64, k, n int, inverse bool) ([]float64, []int32) {
	pts, at := make([]float64, n), make([]int32, n)
	for i := range pts {
		b := rng.IntN(k)
		at[i] = int32(b * (RQRecordLen + 2))
		lo, hi := bins[at[i]+rqX0], bins[at[i]+rqX1]
		if inverse {
			lo, hi = bins[at[i]+rqY0], bins[at[i]+rqY1]
		}
		switch rng.IntN(8) {
		case 0:
			pts[i] = lo
		case 1:
			pts[i] = hi
		case 2:
			pts[i] = math.NaN()
		default:
			pts[i] = lo + (hi-lo)*rng.Float64()
		}
	}
	return pts, at
}

// rqRef is the forward map of bin record r at x with the formulas of the bin written out
// directly (no fused operations): y and dy/dx.
func rqRef(r []float64, x float64) (float64, float64) {
	x0, y0, d0, d1, w, h, s := r[rqX0], r[rqY0], r[rqD0], r[rqD1], r[rqW], r[rqH], r[rqS]
	xi := (x - x0) / w
	t := xi * (1 - xi)
	den := s + (d0+d1-2*s)*t
	y := y0 + h*(s*xi*xi+d0*t)/den
	der := s * s * (d1*xi*xi + 2*s*t + d0*(1-xi)*(1-xi)) / (den * den)
	return y, der
}

// TestRQSpline checks every implementation on all lengths up to four vector widths + 3: the
// forward map against the written-out formulas (1e-13 relative to the bin's scale), the inverse
// as a round trip (|forward(inverse(y)) − y| ≤ 1e-12·(|y| + 1)), both slopes equal at
// the solution, and NaN points giving NaN.
func TestRQSpline(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, k := range []int{1, 2, 5, 16} {
		bins := randomBins(rng, k)
		for n := 0; n <= 4*4+3; n++ {
			for l, impl := range rqsplineImpls() {
				x, at := rqPoints(rng, bins, k, n, false)
				y, der := make([]float64, n), make([]float64, n)
				impl.forward(y, der, x, bins, at)
				for i := range x {
					r := bins[at[i]:]
					wy, wd := rqRef(r, x[i])
					if math.IsNaN(x[i]) {
						if !math.IsNaN(y[i]) || !math.IsNaN(der[i]) {
							t.Fatalf("%v forward(NaN) = %v, %v", l, y[i], der[i])
						}
						continue
					}
					if math.Abs(y[i]-wy) > 1e-13*(math.Abs(r[rqY1])+1) || !relClose(der[i], wd, 1e-13) || y[i] < r[rqY0] || y[i] > r[rqY1] {
						t.Fatalf("%v k=%d n=%d x=%v: got %v, %v want %v, %v", l, k, n, x[i], y[i], der[i], wy, wd)
					}
				}
				yy, at := rqPoints(rng, bins, k, n, true)
				xs, dinv := make([]float64, n), make([]float64, n)
				impl.inverse(xs, dinv, yy, bins, at)
				back, dfwd := make([]float64, n), make([]float64, n)
				impl.forward(back, dfwd, xs, bins, at)
				for i := range yy {
					r := bins[at[i]:]
					if math.IsNaN(yy[i]) {
						if !math.IsNaN(xs[i]) || !math.IsNaN(dinv[i]) {
							t.Fatalf("%v inverse(NaN) = %v, %v", l, xs[i], dinv[i])
						}
						continue
					}
					if xs[i] < r[rqX0] || xs[i] > r[rqX1] || math.Abs(back[i]-yy[i]) > 1e-12*(math.Abs(yy[i])+1) || !relClose(dinv[i], dfwd[i], 1e-9) {
						t.Fatalf("%v k=%d n=%d y=%v: x=%v back %v, slopes %v vs %v", l, k, n, yy[i], xs[i], back[i], dinv[i], dfwd[i])
					}
				}
			}
		}
	}
}

// TestRQSplineSameAsGeneric checks that every implementation gives the generic results bit for
// bit, and that a point's result does not depend on the other points (full group or padded
// tail).
func TestRQSplineSameAsGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	bins := randomBins(rng, 7)
	same := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || (a != a && b != b) }
	for _, inverse := range []bool{false, true} {
		pts, at := rqPoints(rng, bins, 7, 203, inverse)
		run := func(impl *rqsplineKernels, pts []float64, at []int32) ([]float64, []float64) {
			out, der := make([]float64, len(pts)), make([]float64, len(pts))
			if inverse {
				impl.inverse(out, der, pts, bins, at)
			} else {
				impl.forward(out, der, pts, bins, at)
			}
			return out, der
		}
		wo, wd := run(&rqsplineGeneric, pts, at)
		for l, impl := range rqsplineImpls() {
			o, d := run(impl, pts, at)
			for i := range pts {
				o1, d1 := run(impl, pts[i:i+1], at[i:i+1])
				if !same(o[i], wo[i]) || !same(d[i], wd[i]) || !same(o1[0], o[i]) || !same(d1[0], d[i]) {
					t.Fatalf("%v inverse=%v point %d (%v): batch %v %v, alone %v %v, generic %v %v", l, inverse, i, pts[i], o[i], d[i], o1[0], d1[0], wo[i], wd[i])
				}
			}
		}
	}
}

// TestRQSplinePanics checks the argument checks of the exported functions.
func TestRQSplinePanics(t *testing.T) {
	bins := randomBins(rand.New(rand.NewPCG(15, 16)), 2)
	out := make([]float64, 4)
	for _, c := range []struct {
		name string
		at   []int32
	}{{"short at", []int32{0}}, {"negative", []int32{0, -1}}, {"past the end", []int32{0, int32(len(bins) - RQRecordLen + 1)}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			RQSplineForward(out, out, out[:2], bins, c.at)
		}()
	}
}

func BenchmarkRQSpline(b *testing.B) {
	rng := rand.New(rand.NewPCG(17, 18))
	const k = 8
	bins := randomBins(rng, k)
	for _, n := range []int{1, 256, 4096} {
		for _, inverse := range []bool{false, true} {
			pts, at := rqPoints(rng, bins, k, n, inverse)
			out, der := make([]float64, n), make([]float64, n)
			for l, impl := range rqsplineImpls() {
				f, dir := impl.forward, "forward"
				if inverse {
					f, dir = impl.inverse, "inverse"
				}
				b.Run(fmt.Sprintf("%v/%s/%d", l, dir, n), func(b *testing.B) {
					for b.Loop() {
						f(out, der, pts, bins, at)
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/point")
				})
			}
		}
	}
}

// FuzzRQSpline checks every implementation against the generic one at one point of a fixed bin
// (any float64, not only points inside the bin: the kernels must not fail on them either).
func FuzzRQSpline(f *testing.F) {
	for _, v := range []float64{0, math.NaN(), math.Inf(1), math.Inf(-1), -1e308, 5e-324, math.Copysign(0, -1), 0.5} {
		f.Add(v)
	}
	bins := randomBins(rand.New(rand.NewPCG(19, 20)), 1)
	at := []int32{0}
	f.Fuzz(func(t *testing.T, v float64) {
		var wo, wd, o, d [1]float64
		for _, inverse := range []bool{false, true} {
			g := rqsplineGeneric.forward
			if inverse {
				g = rqsplineGeneric.inverse
			}
			g(wo[:], wd[:], []float64{v}, bins, at)
			for l, impl := range rqsplineImpls() {
				k := impl.forward
				if inverse {
					k = impl.inverse
				}
				k(o[:], d[:], []float64{v}, bins, at)
				if math.Float64bits(o[0]) != math.Float64bits(wo[0]) && !(o[0] != o[0] && wo[0] != wo[0]) ||
					math.Float64bits(d[0]) != math.Float64bits(wd[0]) && !(d[0] != d[0] && wd[0] != wd[0]) {
					t.Errorf("%v inverse=%v v=%v: %v %v, generic %v %v", l, inverse, v, o[0], d[0], wo[0], wd[0])
				}
			}
		}
	})
}
