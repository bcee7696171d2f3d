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
	out := t.NewRaw(a.R, a.C)
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

// MapBatched is Map with the derivatives computed for all values at once as well:
// derivs(dst, x, y) sets dst[i] to the derivative at input x[i] with output y[i] (for functions
// whose derivative needs a vector kernel too). Values whose output gradient is 0 take no part in
// the backward step, whatever their derivative.
func MapBatched(a *Node, fill func(dst, src []float64), derivs func(dst, x, y []float64)) *Node {
	t := a.tape
	out := t.NewRaw(a.R, a.C)
	fill(out.Val, a.Val)
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			ga, go_ := a.Grad(), out.grad
			if go_ == nil {
				return
			}
			d := t.allocRaw(len(go_))
			derivs(d, a.Val, out.Val)
			for i, g := range go_ {
				if g != 0 {
					ga[i] += g * d[i]
				}
			}
		})
	}
	return out
}

// MaxBroadcast is the largest number of nodes Broadcast takes (its strides are returned in an
// array, without an allocation).
const MaxBroadcast = 6

// Stride is how a node broadcasts to an R x C result: element (i, j) of the broadcast node is
// Val[i·Row + j·Col].
type Stride struct{ Row, Col int }

// Broadcast returns the common R x C shape of the nodes (each 1 x 1, 1 x C, R x 1 or R x C) and the
// stride of each under broadcasting; it panics on incompatible shapes, naming the operation op.
func Broadcast(op string, ns ...*Node) (r, c int, st [MaxBroadcast]Stride) {
	if len(ns) > MaxBroadcast {
		panic(fmt.Sprintf("ad.%s: %d operands, at most %d broadcast together", op, len(ns), MaxBroadcast))
	}
	r, c = 1, 1
	for _, n := range ns {
		r, c = max(r, n.R), max(c, n.C)
	}
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
	out := t.NewRaw(r, c)
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
	out := t.NewRaw(r, c)
	ar, ac, br, bc := st[0].Row, st[0].Col, st[1].Row, st[1].Col
	n := len(out.Val)
	switch {
	case len(a.Val) == n && len(b.Val) == n:
		av, bv := a.Val[:n], b.Val[:n]
		for i := range out.Val {
			out.Val[i] = av[i] + s*bv[i]
		}
	case len(a.Val) == n && len(b.Val) == 1:
		b0 := b.Val[0]
		for i, v := range a.Val[:n] {
			out.Val[i] = v + s*b0
		}
	case len(a.Val) == n && b.R == 1: // b one row of c values, added to every row
		bv := b.Val[:c]
		for i := 0; i < r; i++ {
			row, arow := out.Val[i*c:(i+1)*c], a.Val[i*c:(i+1)*c]
			for j, v := range arow {
				row[j] = v + s*bv[j]
			}
		}
	default:
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
	out := t.NewRaw(r, c)
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
	return Map(a, simd.NormalCDF, func(x, _ float64) float64 { return NormalPDFF(x) })
}

// NormalQuantile returns Φ⁻¹(a).
func NormalQuantile(a *Node) *Node {
	return Map(a, simd.NormalQuantile, func(_, y float64) float64 { return 1 / NormalPDFF(y) })
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

// NormalPDFF is the standard normal density φ(x).
func NormalPDFF(x float64) float64 { return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi) }

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
