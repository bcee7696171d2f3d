package ad

import (
	"math"

	"github.com/gojammy/gojammy/simd"
)

// LogSumExp returns the R x 1 row-wise log Σ_j exp(a_ij), computed stably (the row maximum
// taken out; ±Inf if it is infinite), with the exponentials and logs as vector kernels.
func LogSumExp(a *Node) *Node {
	t := a.tape
	out := t.NewRaw(a.R, 1)
	d := t.allocRaw(len(a.Val))
	for i := 0; i < a.R; i++ {
		row := a.Val[i*a.C : (i+1)*a.C]
		m := math.Inf(-1)
		for _, v := range row {
			if v > m {
				m = v
			}
		}
		out.Val[i] = m
		for j, v := range row {
			d[i*a.C+j] = v - m
		}
	}
	simd.Exp(d, d)
	sums := t.allocRaw(a.R)
	for i := range sums {
		s := 0.0
		for _, e := range d[i*a.C : (i+1)*a.C] {
			s += e
		}
		sums[i] = s
	}
	simd.Log(sums, sums)
	for i, m := range out.Val {
		if !math.IsInf(m, 0) {
			out.Val[i] = m + sums[i]
		}
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga, e := a.Grad(), t.allocRaw(len(a.Val))
			for j, v := range a.Val {
				e[j] = v - out.Val[j/a.C]
			}
			simd.Exp(e, e)
			for j := range ga {
				ga[j] += out.grad[j/a.C] * e[j]
			}
		})
	}
	return out
}

// Softmax returns the row-wise softmax of a.
func Softmax(a *Node) *Node {
	return Exp(Sub(a, LogSumExp(a)))
}

// LogSumExpF is log Σ exp(v) for plain values, computed stably: −Inf for no terms or only −Inf
// terms, +Inf if one is +Inf, NaN if one is NaN.
func LogSumExpF(v []float64) float64 {
	mx := math.Inf(-1)
	for _, a := range v {
		if a > mx || math.IsNaN(a) {
			mx = a
		}
	}
	if math.IsInf(mx, 0) || math.IsNaN(mx) {
		return mx
	}
	s := 0.0
	for _, a := range v {
		s += math.Exp(a - mx)
	}
	return mx + math.Log(s)
}

// LogSqrt2Pi is log √(2π), the normalization of the standard normal log-density (a constant:
// math.Log is not folded by the compiler).
const LogSqrt2Pi = 0.9189385332046727

// NormalLogPDF returns the R x 1 row sums Σ_j log φ(a_ij) of the standard normal log-density.
func NormalLogPDF(a *Node) *Node {
	t := a.tape
	out := t.New(a.R, 1)
	c := -float64(a.C) * LogSqrt2Pi
	for i := range out.Val {
		s := 0.0
		for _, v := range a.Val[i*a.C : (i+1)*a.C] {
			s += v * v
		}
		out.Val[i] = -0.5*s + c
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga := a.Grad()
			for i, g := range out.grad {
				for j := i * a.C; j < (i+1)*a.C; j++ {
					ga[j] -= g * a.Val[j]
				}
			}
		})
	}
	return out
}
