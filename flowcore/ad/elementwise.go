package ad

import (
	"fmt"
	"math"
)

// Unary applies f elementwise; df(x, y) is the derivative at input x with output y = f(x).
// It is the building block of every elementwise function below and of layer-specific ones.
func Unary(a *Node, f func(float64) float64, df func(x, y float64) float64) *Node {
	t := a.tape
	out := t.New(a.R, a.C)
	for i, v := range a.Val {
		out.Val[i] = f(v)
	}
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
	return out
}

// broadcastShape returns the output shape of an elementwise binary operation.
func broadcastShape(op string, a, b *Node) (int, int) {
	dim := func(x, y int, what string) int {
		switch {
		case x == y:
			return x
		case x == 1:
			return y
		case y == 1:
			return x
		}
		panic(fmt.Sprintf("ad.%s: %s %d and %d do not broadcast", op, what, x, y))
	}
	return dim(a.R, b.R, "rows"), dim(a.C, b.C, "columns")
}

// index of element (i, j) of n under broadcasting.
func bidx(n *Node, i, j int) int {
	if n.R == 1 {
		i = 0
	}
	if n.C == 1 {
		j = 0
	}
	return i*n.C + j
}

// Binary applies f elementwise with broadcasting; da and db give the partial derivatives at
// (x, y, z = f(x, y)).
func Binary(op string, a, b *Node, f func(x, y float64) float64, da, db func(x, y, z float64) float64) *Node {
	t := a.tape
	r, c := broadcastShape(op, a, b)
	out := t.New(r, c)
	same := a.R == r && a.C == c && b.R == r && b.C == c
	if same {
		for i := range out.Val {
			out.Val[i] = f(a.Val[i], b.Val[i])
		}
	} else {
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				out.Val[i*c+j] = f(a.Val[bidx(a, i, j)], b.Val[bidx(b, i, j)])
			}
		}
	}
	t.Record([]*Node{out}, []*Node{a, b}, func() {
		g := out.grad
		if g == nil {
			return
		}
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				k := i*c + j
				if g[k] == 0 {
					continue
				}
				ia, ib := bidx(a, i, j), bidx(b, i, j)
				x, y, z := a.Val[ia], b.Val[ib], out.Val[k]
				if a.needsGrad {
					a.Grad()[ia] += g[k] * da(x, y, z)
				}
				if b.needsGrad {
					b.Grad()[ib] += g[k] * db(x, y, z)
				}
			}
		}
	})
	return out
}

// Add returns a + b (broadcasting).
func Add(a, b *Node) *Node {
	return Binary("Add", a, b, func(x, y float64) float64 { return x + y },
		func(_, _, _ float64) float64 { return 1 }, func(_, _, _ float64) float64 { return 1 })
}

// Sub returns a - b (broadcasting).
func Sub(a, b *Node) *Node {
	return Binary("Sub", a, b, func(x, y float64) float64 { return x - y },
		func(_, _, _ float64) float64 { return 1 }, func(_, _, _ float64) float64 { return -1 })
}

// Mul returns a * b elementwise (broadcasting).
func Mul(a, b *Node) *Node {
	return Binary("Mul", a, b, func(x, y float64) float64 { return x * y },
		func(_, y, _ float64) float64 { return y }, func(x, _, _ float64) float64 { return x })
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
	return Unary(a, math.Exp, func(_, y float64) float64 { return y })
}

// Log returns log(a).
func Log(a *Node) *Node {
	return Unary(a, math.Log, func(x, _ float64) float64 { return 1 / x })
}

// Log1p returns log(1 + a).
func Log1p(a *Node) *Node {
	return Unary(a, math.Log1p, func(x, _ float64) float64 { return 1 / (1 + x) })
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
	return Unary(a, math.Tanh, func(_, y float64) float64 { return 1 - y*y })
}

// Sin returns sin(a).
func Sin(a *Node) *Node {
	return Unary(a, math.Sin, func(x, _ float64) float64 { return math.Cos(x) })
}

// Cos returns cos(a).
func Cos(a *Node) *Node {
	return Unary(a, math.Cos, func(x, _ float64) float64 { return -math.Sin(x) })
}

// Acos returns acos(a).
func Acos(a *Node) *Node {
	return Unary(a, math.Acos, func(x, _ float64) float64 { return -1 / math.Sqrt(1-x*x) })
}

// Sigmoid returns 1/(1+exp(-a)).
func Sigmoid(a *Node) *Node {
	return Unary(a, SigmoidF, func(_, y float64) float64 { return y * (1 - y) })
}

// Softplus returns log(1+exp(a)), computed stably.
func Softplus(a *Node) *Node {
	return Unary(a, SoftplusF, func(x, _ float64) float64 { return SigmoidF(x) })
}

// LogSigmoid returns log σ(a) = -softplus(-a).
func LogSigmoid(a *Node) *Node {
	return Unary(a, func(x float64) float64 { return -SoftplusF(-x) },
		func(x, _ float64) float64 { return SigmoidF(-x) })
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

// NormalQuantileF is Φ⁻¹(p), accurate in both tails (via erfcinv).
func NormalQuantileF(p float64) float64 {
	if p < 0.5 {
		return -math.Sqrt2 * math.Erfcinv(2*p)
	}
	return math.Sqrt2 * math.Erfcinv(2*(1-p))
}
