package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// impls returns the kernels of one family (get picks it from a level's set) that this build and
// CPU can run, by level.
func impls[K any](get func(kernels) *K) map[level]*K {
	out := map[level]*K{}
	for l := levelGeneric; l < numLevels; l++ {
		if k := get(levelKernels(l)); k != nil && cpuSupports(l) {
			out[l] = k
		}
	}
	return out
}

// vecmathImpls returns the vector math implementations this build and CPU can run, by level.
func vecmathImpls() map[level]*vecmathKernels {
	return impls(func(k kernels) *vecmathKernels { return k.vecmath })
}

// ulpDiff is the distance in units in the last place between x and the reference y: 0 when
// both are NaN or equal (including infinities), +Inf when only one is NaN or infinite or
// their signs differ (zeros excepted).
func ulpDiff(x, y float64) float64 {
	switch {
	case x == y || (math.IsNaN(x) && math.IsNaN(y)):
		return 0
	case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) || (x < 0) != (y < 0):
		return math.Inf(1)
	}
	return math.Abs(float64(int64(math.Float64bits(math.Abs(x))) - int64(math.Float64bits(math.Abs(y)))))
}

// vecmathFunc is one vector math function with its reference and inputs.
type vecmathFunc struct {
	name   string
	kernel func(*vecmathKernels) func(dst, x []float64)
	ref    func(float64) float64 // correctly rounded
	std    func(float64) float64 // package math's, for benchmarks
	maxUlp float64               // documented bound
	// sameBits: every implementation computes the generic one's operation sequence (fused
	// where it fuses), so the results are the same bits (TestVecmathSameAsGeneric).
	sameBits bool
	inputs   func(rng *rand.Rand) float64
	special  []float64
}

// expInputs draws exp and expm1 arguments: the whole finite-result range and beyond, values
// near 0, and arbitrary float64s.
func expInputs(rng *rand.Rand) float64 {
	switch rng.IntN(4) {
	case 0:
		return rng.Float64()*1460 - 750
	case 1:
		return rng.NormFloat64()
	case 2:
		return math.Ldexp(rng.Float64()-0.5, -rng.IntN(80)) // tiny, both signs
	}
	return math.Float64frombits(rng.Uint64())
}

var expSpecials = []float64{
	0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, 0x1p-54, -0x1p-54, 1, -1, math.Inf(1), math.Inf(-1), math.NaN(),
	math.MaxFloat64, -math.MaxFloat64, 709.782712893384, 709.7827128933841, 709.78, 710, -708.3964185322641,
	-708.4, -745.1332191019411, -745.1332191019412, -745.2, -746, -1000, 0.5 * math.Ln2, -0.5 * math.Ln2,
	1.5 * math.Ln2, math.Nextafter(1.5*math.Ln2, 0), 1023.5 * math.Ln2, -1022.5 * math.Ln2, 37.5, -37.5, 54 * math.Ln2,
}

var vecmathFuncs = []vecmathFunc{
	{
		name: "exp", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.exp }, ref: expRef, std: math.Exp, maxUlp: 1, sameBits: true,
		inputs: expInputs, special: expSpecials,
	},
	{
		name: "expm1", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.expm1 }, ref: expm1Ref, std: math.Expm1, maxUlp: 1,
		inputs: expInputs, special: expSpecials,
	},
	{
		name: "log", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.log }, ref: logRef, std: math.Log, maxUlp: 1, sameBits: true,
		inputs: func(rng *rand.Rand) float64 {
			switch rng.IntN(3) {
			case 0:
				return 0.5 + 1.5*rng.Float64() // near 1, both sides of √2
			case 1:
				return math.Float64frombits(rng.Uint64() >> 1) // any positive float64, subnormals included
			}
			return math.Float64frombits(rng.Uint64()) // negative half gives NaN
		},
		special: []float64{
			0, math.Copysign(0, -1), 5e-324, 1e-310, 0x1p-1022, math.Nextafter(0x1p-1022, 0), 1, math.Nextafter(1, 0),
			math.Nextafter(1, 2), sqrt2, math.Nextafter(sqrt2, 0), math.Nextafter(sqrt2, 2), 2 * sqrt2, 0.5,
			math.MaxFloat64, math.Inf(1), math.Inf(-1), math.NaN(), -1, -5e-324, 2, math.E,
		},
	},
	{
		name: "log1p", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.log1p }, ref: log1pRef, std: math.Log1p, maxUlp: 1, sameBits: true,
		inputs: func(rng *rand.Rand) float64 {
			switch rng.IntN(4) {
			case 0:
				return rng.Float64()*1.5 - 1 // [-1, ½): near the pole and around 0
			case 1:
				return math.Ldexp(rng.Float64()-0.5, -rng.IntN(80)) // tiny, both signs
			case 2:
				return math.Float64frombits(rng.Uint64() >> 1) // any positive float64
			}
			return math.Float64frombits(rng.Uint64()) // most negatives give NaN
		},
		special: []float64{
			0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, 0x1p-53, -0x1p-53, 0x1p-52, -1, math.Nextafter(-1, 0),
			math.Nextafter(-1, -2), -0.5, 0.5, sqrt2 - 1, math.Nextafter(sqrt2-1, 1), 1, math.E - 1, math.MaxFloat64,
			math.Inf(1), math.Inf(-1), math.NaN(), -2, 1e300,
		},
	},
	{
		name: "sigmoid", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.sigmoid }, ref: sigmoidRef,
		std: func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, maxUlp: 2, sameBits: true,
		inputs: expInputs, special: expSpecials,
	},
	{
		name: "softplus", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.softplus },
		ref: func(x float64) float64 { return softplusRef(x, 1) }, std: func(x float64) float64 { return math.Log1p(math.Exp(x)) }, maxUlp: 2, sameBits: true,
		inputs: expInputs, special: expSpecials,
	},
	{
		name: "logsigmoid", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.logSigmoid },
		ref: func(x float64) float64 { return softplusRef(x, -1) }, std: func(x float64) float64 { return -math.Log1p(math.Exp(-x)) }, maxUlp: 2, sameBits: true,
		inputs: expInputs, special: expSpecials,
	},
	{
		name: "tanh", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.tanh }, ref: tanhRef, std: math.Tanh, maxUlp: 2,
		inputs: expInputs, special: append([]float64{0.5493061443340548, 20, -20, 19.06, 0x1p-28, -0x1p-28}, expSpecials...),
	},
	{
		name: "sin", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.sin },
		ref: func(x float64) float64 { s, _ := sincosRef(x); return s }, std: math.Sin, maxUlp: 1,
		inputs: trigInputs, special: trigSpecials(),
	},
	{
		name: "cos", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.cos },
		ref: func(x float64) float64 { _, c := sincosRef(x); return c }, std: math.Cos, maxUlp: 1,
		inputs: trigInputs, special: trigSpecials(),
	},
	{
		name: "erf", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.erf }, ref: erfRef, std: math.Erf, maxUlp: 1, sameBits: true,
		inputs: erfInputs, special: erfSpecials(1),
	},
	{
		name: "erfc", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.erfc }, ref: erfcRef, std: math.Erfc, maxUlp: 2, sameBits: true,
		inputs: erfInputs, special: erfSpecials(1),
	},
	{
		name: "normalcdf", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.normalCDF }, ref: normalCDFRef,
		std: func(x float64) float64 { return math.Erfc(-x/math.Sqrt2) / 2 }, maxUlp: 3, sameBits: true,
		inputs: func(rng *rand.Rand) float64 { return -math.Sqrt2 * erfInputs(rng) }, special: erfSpecials(-math.Sqrt2),
	},
	{
		name: "normalquantile", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.normalQuantile },
		ref: func(p float64) float64 { return normalQuantileRef(p, normalQuantileScalar(p)) },
		std: func(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }, maxUlp: 5, sameBits: true,
		inputs: quantileInputs, special: quantileSpecials(),
	},
	{
		name: "atan", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.atan },
		ref: func(x float64) float64 { return atan2Ref(x, 1) }, std: math.Atan, maxUlp: 1, sameBits: true,
		inputs: atanInputs, special: atanSpecials,
	},
	{
		name: "asin", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.asin }, ref: asinRef, std: math.Asin,
		maxUlp: 2, sameBits: true, inputs: asinInputs, special: atanSpecials,
	},
	{
		name: "acos", kernel: func(k *vecmathKernels) func(dst, x []float64) { return k.acos }, ref: acosRef, std: math.Acos,
		maxUlp: 2, sameBits: true, inputs: asinInputs, special: atanSpecials,
	},
}

// atanInputs draws arguments of atan (and, pairwise, atan2): moderate values around the
// reduction bounds, tiny and huge magnitudes, and arbitrary float64s.
func atanInputs(rng *rand.Rand) float64 {
	switch rng.IntN(4) {
	case 0:
		return rng.Float64()*6 - 3
	case 1:
		return math.Ldexp(rng.Float64()-0.5, rng.IntN(200)-100)
	case 2:
		return math.Ldexp(rng.Float64()-0.5, -rng.IntN(1080)) // tiny down to subnormal
	}
	return math.Float64frombits(rng.Uint64())
}

// asinInputs draws arguments of asin and acos: [-1, 1], near ±1 and near 0, and arbitrary
// float64s (mostly outside [-1, 1]).
func asinInputs(rng *rand.Rand) float64 {
	switch rng.IntN(4) {
	case 0:
		return rng.Float64()*2 - 1
	case 1:
		return math.Copysign(1-math.Ldexp(rng.Float64(), -rng.IntN(54)), rng.Float64()-0.5)
	case 2:
		return math.Ldexp(rng.Float64()-0.5, -rng.IntN(1080))
	}
	return math.Float64frombits(rng.Uint64())
}

// atanSpecials are edges of the inverse trigonometric functions: zeros, subnormals, ±1 and the
// doubles next to them, the reduction bounds, huge values, infinities and NaN.
var atanSpecials = func() []float64 {
	out := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, 0x1p-27, math.MaxFloat64, -math.MaxFloat64,
		math.Inf(1), math.Inf(-1), math.NaN(), 0x1p66, 1e300}
	for _, v := range []float64{1, atanSplit1, atanSplit2, 0.5, 2, 1 / atanSplit1, 1 / atanSplit2, math.Sqrt2 / 2, 0.70710678118654746} {
		for _, w := range []float64{v, math.Nextafter(v, 0), math.Nextafter(v, 10)} {
			out = append(out, w, -w)
		}
	}
	return out
}()

// erfInputs draws erf and erfc arguments: the approximations' intervals, the tail up to where
// erfc underflows, tiny values and arbitrary float64s.
func erfInputs(rng *rand.Rand) float64 {
	switch rng.IntN(4) {
	case 0:
		return rng.Float64()*8 - 4
	case 1:
		return rng.Float64()*60 - 30
	case 2:
		return math.Ldexp(rng.Float64()-0.5, -rng.IntN(1080)) // tiny down to subnormal, both signs
	}
	return math.Float64frombits(rng.Uint64())
}

// erfSpecials are edges for erf and erfc times scale (NormalCDF's are -√2 times erfc's): zeros,
// subnormals, non-finite values, the doubles around the interval bounds and the underflow.
func erfSpecials(scale float64) []float64 {
	out := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, math.Inf(1), math.Inf(-1), math.NaN(),
		math.MaxFloat64, -math.MaxFloat64, 0x1p-28, 0x1p-56}
	for _, v := range []float64{erfSmall, erfMid, erfLarge, 0.25, 1, 6, 26.5, 26.55, 27.2, 27.25, 27.3, erfcLimit} {
		for _, w := range []float64{v, math.Nextafter(v, 0), math.Nextafter(v, 100)} {
			out = append(out, w*scale, -w*scale)
		}
	}
	return out
}

// quantileInputs draws probabilities: uniform on (0, 1), down to the smallest subnormal, near 1
// and near ½, and arbitrary float64s (mostly outside [0, 1]).
func quantileInputs(rng *rand.Rand) float64 {
	switch rng.IntN(5) {
	case 0:
		return rng.Float64()
	case 1:
		return math.Ldexp(1+rng.Float64(), -rng.IntN(1075))
	case 2:
		return 1 - math.Ldexp(rng.Float64(), -rng.IntN(54))
	case 3:
		return 0.5 + math.Ldexp(rng.Float64()-0.5, -rng.IntN(60))
	}
	return math.Float64frombits(rng.Uint64())
}

// quantileSpecials are edges for the normal quantile: 0, 1, outside [0, 1], subnormals, ½ and
// the doubles around the interval bounds (|p - ½| = 0.425, √(-ln p) = 5).
func quantileSpecials() []float64 {
	out := []float64{0, math.Copysign(0, -1), 1, 0.5, 5e-324, 1e-323, 1e-310, 0x1p-1022, 1e-300, -5e-324, -1,
		math.Nextafter(1, 2), 2, math.Inf(1), math.Inf(-1), math.NaN(), 1 - 0x1p-53, 1 - 0x1p-52, 0x1p-53}
	for _, v := range []float64{0.5 - quantSplit, 0.5 + quantSplit, math.Exp(-25), 1 - math.Exp(-25), math.Exp(-1.6 * 1.6),
		math.Nextafter(0.5, 0), math.Nextafter(0.5, 1)} {
		out = append(out, v, math.Nextafter(v, 0), math.Nextafter(v, 1))
	}
	return out
}

// trigInputs draws sin and cos arguments within the kernels' range ±trigLimit.
func trigInputs(rng *rand.Rand) float64 {
	switch rng.IntN(4) {
	case 0:
		return (rng.Float64()*2 - 1) * 10
	case 1:
		return (rng.Float64()*2 - 1) * trigLimit
	case 2:
		return math.Ldexp(rng.Float64()-0.5, -rng.IntN(60))
	}
	return float64(rng.IntN(2*636619+1)-636619) * math.Pi / 2 // near the reduction boundaries
}

// trigSpecials are edges for sin and cos: zeros, subnormals, non-finite values, the doubles
// nearest to multiples of π/4 and π/2, and the range limit.
func trigSpecials() []float64 {
	out := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 1e-310, 0x1p-27, math.Inf(1), math.Inf(-1), math.NaN(),
		trigLimit, -trigLimit, math.Nextafter(trigLimit, 0), 636619 * math.Pi / 2}
	for _, k := range []float64{1, 2, 3, 4, 5, 7, 100, 1001, 65536, 636618} {
		for _, m := range []float64{math.Pi / 4, math.Pi / 2} {
			v := k * m
			out = append(out, v, -v, math.Nextafter(v, 0), math.Nextafter(v, 1e9))
		}
	}
	return out
}

// TestVecmathAccuracy checks every implementation against correctly rounded references on
// random inputs over the whole float64 range and on edges, to the documented ulp bound, and
// checks that results do not depend on the position in the slice (every tail length).
func TestVecmathAccuracy(t *testing.T) {
	n := 30000
	if testing.Short() {
		n = 4000
	}
	for _, f := range vecmathFuncs {
		rng := rand.New(rand.NewPCG(11, 12))
		x := make([]float64, 0, n+len(f.special))
		x = append(x, f.special...)
		for len(x) < cap(x) {
			x = append(x, f.inputs(rng))
		}
		want := make([]float64, len(x))
		for i, v := range x {
			want[i] = f.ref(v)
		}
		for l, impl := range vecmathImpls() {
			kern := f.kernel(impl)
			dst := make([]float64, len(x))
			kern(dst, x)
			worst, at := 0.0, 0.0
			for i, v := range x {
				if d := ulpDiff(dst[i], want[i]); d > worst {
					worst, at = d, v
				}
			}
			t.Logf("%s %v: max %v ulp (at %v)", f.name, l, worst, at)
			if worst > f.maxUlp {
				t.Errorf("%s %v: %v ulp at x = %v (%v, correctly rounded %v)", f.name, l, worst, at, kernIn(kern, at), f.ref(at))
			}
			for m := 0; m <= 4*8+3; m++ { // every tail, in place
				y := append([]float64(nil), x[:m]...)
				kern(y, y)
				for i := range y {
					if y[i] != dst[i] && !(math.IsNaN(y[i]) && math.IsNaN(dst[i])) {
						t.Fatalf("%s %v: length %d: [%d] = %v, want %v", f.name, l, m, i, y[i], dst[i])
					}
				}
			}
		}
	}
}

// TestVecmathSameAsGeneric checks that the implementations of the functions marked sameBits
// give the generic results bit for bit, on every length up to four vectors of 8 plus 3 and with
// dst aliasing x.
func TestVecmathSameAsGeneric(t *testing.T) {
	for _, f := range vecmathFuncs {
		if !f.sameBits {
			continue
		}
		rng := rand.New(rand.NewPCG(21, 22))
		x := append([]float64(nil), f.special...)
		for range 3000 {
			x = append(x, f.inputs(rng))
		}
		want := make([]float64, len(x))
		f.kernel(&vecmathGeneric)(want, x)
		for l, impl := range vecmathImpls() {
			kern := f.kernel(impl)
			got := make([]float64, len(x))
			kern(got, x)
			for m := 0; m <= 4*8+3; m++ {
				y := append([]float64(nil), x[len(x)-m:]...)
				kern(y, y)
				copy(got[len(x)-m:], y)
				for i, v := range got {
					if math.Float64bits(v) != math.Float64bits(want[i]) && !(math.IsNaN(v) && math.IsNaN(want[i])) {
						t.Fatalf("%s %v (in place, length %d): x = %v: %v, generic %v", f.name, l, m, x[i], v, want[i])
					}
				}
			}
		}
	}
}

// atan2Pairs returns (y, x) pairs for atan2: every pair of edges (zeros, infinities, NaN, …,
// all sign quadrants) and n random pairs, a third of them of nearly equal magnitude.
func atan2Pairs(n int) (y, x []float64) {
	for _, a := range atanSpecials {
		for _, b := range atanSpecials {
			y, x = append(y, a), append(x, b)
		}
	}
	rng := rand.New(rand.NewPCG(31, 32))
	for i := range n {
		a, b := atanInputs(rng), atanInputs(rng)
		if i%3 == 0 {
			b = math.Copysign(a*(1+(rng.Float64()-0.5)*0.1), b)
		}
		y, x = append(y, a), append(x, b)
	}
	return y, x
}

// TestAtan2 checks every Atan2 implementation against the correctly rounded reference to the
// documented bound, bit for bit against the generic one on every length up to four vectors of
// 8 plus 3 with dst aliasing y or x, and the exported function.
func TestAtan2(t *testing.T) {
	const maxUlp = 2
	n := 20000
	if testing.Short() {
		n = 3000
	}
	y, x := atan2Pairs(n)
	want, gen := make([]float64, len(x)), make([]float64, len(x))
	for i := range x {
		want[i] = atan2Ref(y[i], x[i])
	}
	vecmathGeneric.atan2(gen, y, x)
	same := func(a, b float64) bool {
		return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
	}
	for l, impl := range vecmathImpls() {
		got := make([]float64, len(x))
		impl.atan2(got, y, x)
		worst, at := 0.0, 0
		for i := range x {
			if d := ulpDiff(got[i], want[i]); d > worst {
				worst, at = d, i
			}
			if !same(got[i], gen[i]) {
				t.Fatalf("atan2 %v(%v, %v) = %v, generic %v", l, y[i], x[i], got[i], gen[i])
			}
		}
		t.Logf("atan2 %v: max %v ulp (at %v, %v)", l, worst, y[at], x[at])
		if worst > maxUlp {
			t.Errorf("atan2 %v: %v ulp at (%v, %v): %v, correctly rounded %v", l, worst, y[at], x[at], got[at], want[at])
		}
		for m := 0; m <= 4*8+3; m++ {
			for _, alias := range []string{"y", "x"} {
				yy, xx := append([]float64(nil), y[:m]...), append([]float64(nil), x[:m]...)
				dst := yy
				if alias == "x" {
					dst = xx
				}
				impl.atan2(dst, yy, xx)
				for i := range dst {
					if !same(dst[i], gen[i]) {
						t.Fatalf("atan2 %v: length %d, dst = %s: [%d] = %v, want %v", l, m, alias, i, dst[i], gen[i])
					}
				}
			}
		}
	}
	got := make([]float64, len(x)+1)
	Atan2(got, y, x)
	for i := range x {
		if ulpDiff(got[i], want[i]) > maxUlp {
			t.Fatalf("Atan2(%v, %v) = %v, correctly rounded %v", y[i], x[i], got[i], want[i])
		}
	}
	if got[len(x)] != 0 {
		t.Error("Atan2 wrote past len(x)")
	}
}

// FuzzAtan2 checks every Atan2 implementation on one pair against the correctly rounded
// reference.
func FuzzAtan2(f *testing.F) {
	y, x := atan2Pairs(0)
	for i := range x {
		f.Add(y[i], x[i])
	}
	f.Fuzz(func(t *testing.T, y, x float64) {
		want := atan2Ref(y, x)
		for l, impl := range vecmathImpls() {
			d := []float64{y}
			impl.atan2(d, d, []float64{x})
			if ulpDiff(d[0], want) > 2 {
				t.Errorf("atan2 %v(%v, %v) = %v, correctly rounded %v", l, y, x, d[0], want)
			}
		}
	})
}

func kernIn(kern func(dst, x []float64), v float64) float64 {
	d := []float64{v}
	kern(d, d)
	return d[0]
}

// TestVecmathDispatch checks the exported functions (the chosen implementation) on a short
// slice and that they write only len(x) values.
func TestVecmathDispatch(t *testing.T) {
	x := []float64{0, 1e-20, 0.5, 2, 3}
	for _, tc := range []struct {
		name string
		f    func(dst, x []float64)
		ref  func(float64) float64
	}{
		{"Exp", Exp, math.Exp}, {"Expm1", Expm1, math.Expm1}, {"Log", Log, math.Log}, {"Log1p", Log1p, math.Log1p},
		{"Sigmoid", Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }},
		{"Softplus", Softplus, func(x float64) float64 { return math.Log1p(math.Exp(x)) }},
		{"LogSigmoid", LogSigmoid, func(x float64) float64 { return -math.Log1p(math.Exp(-x)) }},
		{"Tanh", Tanh, math.Tanh},
		{"Sin", Sin, math.Sin}, {"Cos", Cos, math.Cos},
		{"Erf", Erf, math.Erf}, {"Erfc", Erfc, math.Erfc},
		{"NormalCDF", NormalCDF, func(x float64) float64 { return math.Erfc(-x/math.Sqrt2) / 2 }},
		{"Atan", Atan, math.Atan}, {"Asin", Asin, math.Asin}, {"Acos", Acos, math.Acos},
		{"NormalQuantile", NormalQuantile, func(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }},
	} {
		got := make([]float64, len(x)+1)
		tc.f(got, x)
		for i, v := range x {
			if want := tc.ref(v); math.Abs(got[i]-want) > 1e-15*math.Abs(want) {
				t.Errorf("%s(%v) = %v, want %v", tc.name, v, got[i], want)
			}
		}
		if got[len(x)] != 0 {
			t.Errorf("%s wrote past len(x)", tc.name)
		}
	}
}

// TestSincos checks Sincos against Sin and Cos (the same kernels) in place, and the exported
// trigonometric functions beyond the kernels' range, where they defer to package math.
func TestSincos(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := trigSpecials()
	for range 1000 {
		x = append(x, trigInputs(rng))
	}
	big := []float64{1e7, -3e9, 1e22, math.MaxFloat64, 2 * trigLimit}
	x = append(x, big...)
	s, c := make([]float64, len(x)), make([]float64, len(x))
	Sin(s, x)
	Cos(c, x)
	for _, tc := range []struct{ sinIsX, cosIsX bool }{{false, false}, {true, false}, {false, true}} {
		gs, gc, in := make([]float64, len(x)), make([]float64, len(x)), append([]float64(nil), x...)
		if tc.sinIsX {
			gs = in
		}
		if tc.cosIsX {
			gc = in
		}
		Sincos(gs, gc, in)
		for i := range x {
			if ulpDiff(gs[i], s[i]) != 0 || ulpDiff(gc[i], c[i]) != 0 {
				t.Fatalf("%+v: Sincos(%v) = %v, %v; Sin, Cos = %v, %v", tc, x[i], gs[i], gc[i], s[i], c[i])
			}
		}
	}
	for i, v := range x[len(x)-len(big):] {
		j := len(x) - len(big) + i
		if s[j] != math.Sin(v) || c[j] != math.Cos(v) {
			t.Errorf("Sin, Cos(%v) = %v, %v; math: %v, %v", v, s[j], c[j], math.Sin(v), math.Cos(v))
		}
	}
}

// benchDomain maps BenchmarkVecmath's arguments in [-10, 10] into the domain of the functions
// that need it.
var benchDomain = map[string]func(float64) float64{
	"log": math.Exp, "log1p": math.Exp,
	"asin": func(x float64) float64 { return x / 10 }, "acos": func(x float64) float64 { return x / 10 },
	"normalquantile": func(x float64) float64 { return (x + 10) / 20 },
}

func BenchmarkVecmath(b *testing.B) {
	const n = 4096
	rng := rand.New(rand.NewPCG(1, 1))
	x, dst := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()*20 - 10
	}
	for _, f := range vecmathFuncs {
		in := x
		if scale := benchDomain[f.name]; scale != nil {
			in = make([]float64, n)
			for i := range in {
				in[i] = scale(x[i])
			}
		}
		for l, impl := range vecmathImpls() {
			kern := f.kernel(impl)
			b.Run(fmt.Sprintf("%s/%v", f.name, l), func(b *testing.B) {
				b.SetBytes(8 * n)
				for b.Loop() {
					kern(dst, in)
				}
			})
		}
		b.Run(f.name+"/math", func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				for i, v := range in {
					dst[i] = f.std(v)
				}
			}
		})
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = rng.Float64()*20 - 10
	}
	for l, impl := range vecmathImpls() {
		b.Run(fmt.Sprintf("atan2/%v", l), func(b *testing.B) {
			b.SetBytes(8 * n)
			for b.Loop() {
				impl.atan2(dst, y, x)
			}
		})
	}
	b.Run("atan2/math", func(b *testing.B) {
		b.SetBytes(8 * n)
		for b.Loop() {
			for i, v := range x {
				dst[i] = math.Atan2(y[i], v)
			}
		}
	})
}

// FuzzVecmath checks every vector math function of every implementation on one argument
// against its correctly rounded reference and documented bound.
func FuzzVecmath(f *testing.F) {
	for _, v := range slices.Concat(expSpecials, trigSpecials(), erfSpecials(1), quantileSpecials(), atanSpecials) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		for _, fn := range vecmathFuncs {
			if (fn.name == "sin" || fn.name == "cos") && math.Abs(v) > trigLimit {
				continue // the kernels' range; TestSincos covers the exported fallback
			}
			want := fn.ref(v)
			for l, impl := range vecmathImpls() {
				if got := kernIn(fn.kernel(impl), v); ulpDiff(got, want) > fn.maxUlp {
					t.Errorf("%s %v(%v) = %v, correctly rounded %v", fn.name, l, v, got, want)
				}
			}
		}
	})
}
