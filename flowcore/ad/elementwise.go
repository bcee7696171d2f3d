package ad

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/simd"
)

// Unary applies f elementwise; df(x, y) is the derivative at input x with output y = f(x).
// It is the building block of every elementwise function below and of layer-specific ones.
func Unary(a *Node, f func(float64) float64, df func(x, y float64) float64) *Node {
	return Map(a, func(dst, src []float64) {
		for i, v := range src {
			dst[i] = f(v)
		}
	}, df)
}

// Map is Unary with the function applied to all values at once, fill(dst, src), as the batched
// kernels of package simd do; df(x, y) is the derivative at input x with output y.
func Map(a *Node, fill func(dst, src []float64), df func(x, y float64) float64) *Node {
	t := a.tape
	out := t.newFilled(a.R, a.C)
	fill(out.Val, a.Val)
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			ga, go_ := a.Grad(), out.grad
			if go_ == nil {
				return
			}
			for i, g := range go_ {
				if g != 0 {
					ga[i] += g * df(a.Val[i], out.Val[i])
				}
			}
		})
	}
	return out
}

// Stride is how a node broadcasts to an R x C result: element (i, j) of the broadcast node is
// Val[i·Row + j·Col].
type Stride struct{ Row, Col int }

// Broadcast returns the common R x C shape of the nodes (each 1 x 1, 1 x C, R x 1 or R x C) and the
// stride of each under broadcasting; it panics on incompatible shapes, naming the operation op.
func Broadcast(op string, ns ...*Node) (r, c int, st []Stride) {
	r, c = 1, 1
	for _, n := range ns {
		r, c = max(r, n.R), max(c, n.C)
	}
	st = make([]Stride, len(ns))
	for k, n := range ns {
		if (n.R != 1 && n.R != r) || (n.C != 1 && n.C != c) {
			panic(fmt.Sprintf("ad.%s: cannot broadcast %dx%d to %dx%d", op, n.R, n.C, r, c))
		}
		if n.R > 1 {
			st[k].Row = n.C
		}
		if n.C > 1 {
			st[k].Col = 1
		}
	}
	return r, c, st
}

// OptGrad returns the gradient of n (as Grad), or nil if n needs none: the form custom ops use to
// skip inputs without gradients.
func (n *Node) OptGrad() []float64 {
	if !n.needsGrad {
		return nil
	}
	return n.Grad()
}

// Binary applies f elementwise with broadcasting; da and db give the partial derivatives at
// (x, y, z = f(x, y)).
func Binary(op string, a, b *Node, f func(x, y float64) float64, da, db func(x, y, z float64) float64) *Node {
	t := a.tape
	r, c, st := Broadcast(op, a, b)
	out := t.newFilled(r, c)
	ar, ac, br, bc := st[0].Row, st[0].Col, st[1].Row, st[1].Col
	if a.R == r && a.C == c && b.R == r && b.C == c {
		av, bv := a.Val[:len(out.Val)], b.Val[:len(out.Val)]
		for i := range out.Val {
			out.Val[i] = f(av[i], bv[i])
		}
	} else {
		for i := 0; i < r; i++ {
			row := out.Val[i*c : (i+1)*c]
			for j := range row {
				row[j] = f(a.Val[i*ar+j*ac], b.Val[i*br+j*bc])
			}
		}
	}
	if t.Tracks(a, b) {
		t.Record([]*Node{out}, []*Node{a, b}, func() {
			g := out.grad
			if g == nil {
				return
			}
			ga, gb := a.OptGrad(), b.OptGrad()
			for i := 0; i < r; i++ {
				for j := 0; j < c; j++ {
					k := i*c + j
					if g[k] == 0 {
						continue
					}
					ia, ib := i*ar+j*ac, i*br+j*bc
					x, y, z := a.Val[ia], b.Val[ib], out.Val[k]
					if ga != nil {
						ga[ia] += g[k] * da(x, y, z)
					}
					if gb != nil {
						gb[ib] += g[k] * db(x, y, z)
					}
				}
			}
		})
	}
	return out
}

// Add returns a + b (broadcasting).
func Add(a, b *Node) *Node { return addScaled("Add", a, b, 1) }

// Sub returns a - b (broadcasting).
func Sub(a, b *Node) *Node { return addScaled("Sub", a, b, -1) }

// addScaled returns a + s·b for s = ±1 (exactly a ± b), broadcasting: Binary without a function
// call per element.
func addScaled(op string, a, b *Node, s float64) *Node {
	t := a.tape
	r, c, st := Broadcast(op, a, b)
	out := t.newFilled(r, c)
	ar, ac, br, bc := st[0].Row, st[0].Col, st[1].Row, st[1].Col
	if a.R == r && a.C == c && b.R == r && b.C == c {
		av, bv := a.Val[:len(out.Val)], b.Val[:len(out.Val)]
		for i := range out.Val {
			out.Val[i] = av[i] + s*bv[i]
		}
	} else {
		for i := 0; i < r; i++ {
			row := out.Val[i*c : (i+1)*c]
			for j := range row {
				row[j] = a.Val[i*ar+j*ac] + s*b.Val[i*br+j*bc]
			}
		}
	}
	if t.Tracks(a, b) {
		t.Record([]*Node{out}, []*Node{a, b}, func() {
			g := out.grad
			if g == nil {
				return
			}
			for _, in := range []struct {
				n          *Node
				rs, cs     int
				derivative float64
			}{{a, ar, ac, 1}, {b, br, bc, s}} {
				if !in.n.needsGrad {
					continue
				}
				gn := in.n.Grad()
				for i := 0; i < r; i++ {
					for j, v := range g[i*c : (i+1)*c] {
						gn[i*in.rs+j*in.cs] += in.derivative * v
					}
				}
			}
		})
	}
	return out
}

// Mul returns a * b elementwise (broadcasting), without a function call per element.
func Mul(a, b *Node) *Node {
	r, c, st := Broadcast("Mul", a, b)
	t := a.tape
	out := t.New(r, c)
	switch n := len(out.Val); {
	case len(a.Val) == n && len(b.Val) == n:
		av, bv := a.Val[:n], b.Val[:n]
		for k, x := range av {
			out.Val[k] = x * bv[k]
		}
	case len(b.Val) == 1:
		mulScalar(out.Val, a.Val[:n], b.Val[0])
	case len(a.Val) == 1:
		mulScalar(out.Val, b.Val[:n], a.Val[0])
	default:
		for i := 0; i < r; i++ {
			o, ao, bo := out.Val[i*c:(i+1)*c], i*st[0].Row, i*st[1].Row
			switch {
			case st[0].Col == 0: // (with b's column stride also 0, c is 1)
				mulScalar(o, b.Val[bo:bo+c], a.Val[ao])
			case st[1].Col == 0:
				mulScalar(o, a.Val[ao:ao+c], b.Val[bo])
			default:
				bv := b.Val[bo : bo+c]
				for j, x := range a.Val[ao : ao+c] {
					o[j] = x * bv[j]
				}
			}
		}
	}
	if !t.Tracks(a, b) {
		return out
	}
	t.Record([]*Node{out}, []*Node{a, b}, func() {
		g, ga, gb := out.Grad(), a.OptGrad(), b.OptGrad()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				gij := g[i*c+j]
				if gij == 0 {
					continue
				}
				ia, ib := i*st[0].Row+j*st[0].Col, i*st[1].Row+j*st[1].Col
				if ga != nil {
					ga[ia] += gij * b.Val[ib]
				}
				if gb != nil {
					gb[ib] += gij * a.Val[ia]
				}
			}
		}
	})
	return out
}

// mulScalar sets dst = a·s.
func mulScalar(dst, a []float64, s float64) {
	for k, x := range a {
		dst[k] = x * s
	}
}

// Div returns a / b elementwise (broadcasting).
func Div(a, b *Node) *Node {
	return Binary("Div", a, b, func(x, y float64) float64 { return x / y },
		func(_, y, _ float64) float64 { return 1 / y }, func(_, y, z float64) float64 { return -z / y })
}

// Atan2 returns atan2(a, b) elementwise (broadcasting).
func Atan2(a, b *Node) *Node {
	return Binary("Atan2", a, b, math.Atan2,
		func(x, y, _ float64) float64 { return y / (x*x + y*y) },
		func(x, y, _ float64) float64 { return -x / (x*x + y*y) })
}

// AddScalar returns a + s.
func AddScalar(a *Node, s float64) *Node {
	return Unary(a, func(x float64) float64 { return x + s }, func(_, _ float64) float64 { return 1 })
}

// Scale returns s * a.
func Scale(a *Node, s float64) *Node {
	return Unary(a, func(x float64) float64 { return s * x }, func(_, _ float64) float64 { return s })
}

// Neg returns -a.
func Neg(a *Node) *Node { return Scale(a, -1) }

// Exp returns exp(a).
func Exp(a *Node) *Node {
	return Map(a, simd.Exp, func(_, y float64) float64 { return y })
}

// Log returns log(a).
func Log(a *Node) *Node {
	return Map(a, simd.Log, func(x, _ float64) float64 { return 1 / x })
}

// Log1p returns log(1 + a).
func Log1p(a *Node) *Node {
	return Map(a, simd.Log1p, func(x, _ float64) float64 { return 1 / (1 + x) })
}

// Sqrt returns sqrt(a).
func Sqrt(a *Node) *Node {
	return Unary(a, math.Sqrt, func(_, y float64) float64 { return 0.5 / y })
}

// Square returns a².
func Square(a *Node) *Node {
	return Unary(a, func(x float64) float64 { return x * x }, func(x, _ float64) float64 { return 2 * x })
}

// Tanh returns tanh(a).
func Tanh(a *Node) *Node {
	return Map(a, simd.Tanh, func(_, y float64) float64 { return 1 - y*y })
}

// Sin returns sin(a).
func Sin(a *Node) *Node {
	return Map(a, simd.Sin, func(x, _ float64) float64 { return math.Cos(x) })
}

// Cos returns cos(a).
func Cos(a *Node) *Node {
	return Map(a, simd.Cos, func(x, _ float64) float64 { return -math.Sin(x) })
}

// Acos returns acos(a).
func Acos(a *Node) *Node {
	return Unary(a, math.Acos, func(x, _ float64) float64 { return -1 / math.Sqrt(1-x*x) })
}

// Sigmoid returns 1/(1+exp(-a)).
func Sigmoid(a *Node) *Node {
	return Map(a, simd.Sigmoid, func(_, y float64) float64 { return y * (1 - y) })
}

// Softplus returns log(1+exp(a)), computed stably.
func Softplus(a *Node) *Node {
	return Map(a, simd.Softplus, func(x, _ float64) float64 { return SigmoidF(x) })
}

// LogSigmoid returns log σ(a) = -softplus(-a).
func LogSigmoid(a *Node) *Node {
	return Map(a, simd.LogSigmoid, func(x, _ float64) float64 { return SigmoidF(-x) })
}

// NormalCDF returns Φ(a), the standard normal CDF.
func NormalCDF(a *Node) *Node {
	return Unary(a, NormalCDFF, func(x, _ float64) float64 { return NormalPDFF(x) })
}

// NormalQuantile returns Φ⁻¹(a).
func NormalQuantile(a *Node) *Node {
	return Unary(a, NormalQuantileF, func(_, y float64) float64 { return 1 / NormalPDFF(y) })
}

// SigmoidF is the logistic function 1/(1+e^-x), accurate for all x.
func SigmoidF(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// SoftplusF is log(1+e^x), accurate for all x.
func SoftplusF(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// NormalCDFF is the standard normal CDF Φ(x).
func NormalCDFF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// NormalPDFF is the standard normal density φ(x).
func NormalPDFF(x float64) float64 { return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi) }

// NormalQuantileF is Φ⁻¹(p), accurate to about 1e-16 relative over the whole range (Wichura's
// algorithm AS 241, PPND16), including p down to the smallest float64.
func NormalQuantileF(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	}
	q := p - 0.5
	if math.Abs(q) <= 0.425 {
		r := 0.180625 - q*q
		return q * poly(r, as241A[:]) / poly(r, as241B[:])
	}
	r := p
	if q > 0 {
		r = 1 - p
	}
	r = math.Sqrt(-FastLog(r))
	var z float64
	if r <= 5 {
		r -= 1.6
		z = poly(r, as241C[:]) / poly(r, as241D[:])
	} else {
		r -= 5
		z = poly(r, as241E[:]) / poly(r, as241F[:])
	}
	if q < 0 {
		return -z
	}
	return z
}

// poly evaluates Σ c[i]·x^i.
func poly(x float64, c []float64) float64 {
	s := 0.0
	for i := len(c) - 1; i >= 0; i-- {
		s = s*x + c[i]
	}
	return s
}

// Coefficients of AS 241 (Wichura 1988, Applied Statistics 37, 477-484).
var (
	as241A = [8]float64{3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
		45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727}
	as241B = [8]float64{1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
		21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852545925}
	as241C = [8]float64{1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
		1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4}
	as241D = [8]float64{1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
		0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9}
	as241E = [8]float64{6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
		0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7}
	as241F = [8]float64{1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
		7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15}
)

// Clamp limits a elementwise to [lo, hi] (NaN stays NaN); the gradient is 1 inside and 0 where a
// value is clamped.
func Clamp(a *Node, lo, hi float64) *Node {
	return Unary(a, func(x float64) float64 { return ClampF(x, lo, hi) }, func(x, _ float64) float64 {
		if x < lo || x > hi {
			return 0
		}
		return 1
	})
}

// ClampF limits v to [lo, hi] (NaN stays NaN); plain comparisons, cheaper than math.Min/Max.
func ClampF(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}
