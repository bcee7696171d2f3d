package ad

import "math"

// LogSumExp returns the R x 1 row-wise log Σ_j exp(a_ij), computed stably.
func LogSumExp(a *Node) *Node {
	t := a.tape
	out := t.New(a.R, 1)
	for i := 0; i < a.R; i++ {
		out.Val[i] = logSumExpRow(a.Val[i*a.C : (i+1)*a.C])
	}
	if t.Tracks(a) {
		t.Record([]*Node{out}, []*Node{a}, func() {
			if out.grad == nil {
				return
			}
			ga := a.Grad()
			for i := 0; i < a.R; i++ {
				for j := i * a.C; j < (i+1)*a.C; j++ {
					ga[j] += out.grad[i] * math.Exp(a.Val[j]-out.Val[i])
				}
			}
		})
	}
	return out
}

// Softmax returns the row-wise softmax of a.
func Softmax(a *Node) *Node {
	return Exp(Sub(a, LogSumExp(a)))
}

func logSumExpRow(row []float64) float64 {
	m := math.Inf(-1)
	for _, v := range row {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return m
	}
	s := 0.0
	for _, v := range row {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// NormalLogPDF returns the R x 1 row sums Σ_j log φ(a_ij) of the standard normal log-density.
func NormalLogPDF(a *Node) *Node {
	t := a.tape
	out := t.New(a.R, 1)
	c := -0.5 * float64(a.C) * math.Log(2*math.Pi)
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
