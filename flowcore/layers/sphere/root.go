package sphere

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Root finding for the numerical directions of the m and n layers, and the implicit-function
// gradient of a root.

const (
	bisectionSteps = 8
	maxNewtonSteps = 60
)

// solveIncreasing solves f(x) = target row by row for an increasing f on [lo, hi]: bisection to a
// bracket of width (hi-lo)/2⁸, then Newton steps kept inside the bracket (a step that would leave
// it bisects instead) until the step is below rounding. eval returns f and f' at the points x of
// the listed rows (converged rows are left out). Rows whose target or evaluation is NaN end as NaN;
// the loops always terminate.
func solveIncreasing(target []float64, lo, hi float64, eval func(x []float64, rows []int) (f, df []float64)) []float64 {
	n := len(target)
	a, b, x := make([]float64, n), make([]float64, n), make([]float64, n)
	all := make([]int, n)
	for i := range x {
		a[i], b[i], all[i] = lo, hi, i
	}
	for s := 0; s < bisectionSteps; s++ {
		for i := range x {
			x[i] = 0.5 * (a[i] + b[i])
		}
		f, _ := eval(x, all)
		for i := range x {
			if f[i] < target[i] {
				a[i] = x[i]
			} else {
				b[i] = x[i]
			}
		}
	}
	active := all
	xs := make([]float64, 0, n)
	for i := range x {
		x[i] = 0.5 * (a[i] + b[i])
	}
	for s := 0; s < maxNewtonSteps && len(active) > 0; s++ {
		xs = xs[:0]
		for _, i := range active {
			xs = append(xs, x[i])
		}
		f, df := eval(xs, active)
		next := active[:0:0]
		for k, i := range active {
			r := f[k] - target[i]
			switch {
			case math.IsNaN(r):
				x[i] = math.NaN()
				continue
			case r == 0:
				continue
			case r < 0:
				a[i] = x[i]
			default:
				b[i] = x[i]
			}
			step := x[i] - r/df[k]
			if !(step >= a[i] && step <= b[i]) {
				step = 0.5 * (a[i] + b[i])
			}
			if math.Abs(step-x[i]) > 1e-15*(1+math.Abs(x[i])) {
				next = append(next, i)
			}
			x[i] = step
		}
		active = next
	}
	for i, v := range target {
		if math.IsNaN(v) {
			x[i] = math.NaN()
		}
	}
	return x
}

// implicitRoot returns a node with the values root (R x d) that solve f(root, params) = target
// row by row, whose gradients with respect to target and params follow the implicit-function rule
// at the root: with J = ∂f/∂x (d x d per row) and ḡ the gradient arriving at the root,
// target gets J⁻ᵀḡ and params get -(J⁻ᵀḡ)ᵀ ∂f/∂params. f must be the differentiable map written
// on the tape; it is re-evaluated on a private tape only when gradients are propagated.
func implicitRoot(root []float64, target, params *ad.Node, f func(x, params *ad.Node) *ad.Node) *ad.Node {
	t := target.Tape()
	r, d := target.R, target.C
	out := t.Const(r, d, root)
	t.Record([]*ad.Node{out}, []*ad.Node{target, params}, func() {
		g := out.Grad()
		// run evaluates f at the root on a fresh tape and back-propagates seed; it returns the
		// gradients with respect to the root and to the parameters.
		run := func(seed []float64) ([]float64, []float64) {
			s := ad.NewTape(true)
			xv := s.Var(r, d, root)
			pv := s.Var(params.R, params.C, params.Val)
			y := f(xv, pv)
			s.Backward(y, seed)
			return xv.Grad(), pv.Grad()
		}
		// jac[i*d*d + k*d + j] = ∂f_k/∂x_j of row i.
		jac := make([]float64, r*d*d)
		seed := make([]float64, r*d)
		for k := 0; k < d; k++ {
			clear(seed)
			for i := 0; i < r; i++ {
				seed[i*d+k] = 1
			}
			gx, _ := run(seed)
			for i := 0; i < r; i++ {
				copy(jac[i*d*d+k*d:i*d*d+(k+1)*d], gx[i*d:(i+1)*d])
			}
		}
		u := make([]float64, r*d)
		for i := 0; i < r; i++ {
			solveTransposed(jac[i*d*d:(i+1)*d*d], g[i*d:(i+1)*d], u[i*d:(i+1)*d])
		}
		if target.NeedsGrad() {
			gt := target.Grad()
			for i, v := range u {
				gt[i] += v
			}
		}
		if params.NeedsGrad() {
			for i := range u {
				u[i] = -u[i]
			}
			_, gp := run(u)
			pg := params.Grad()
			for i, v := range gp {
				pg[i] += v
			}
		}
	})
	return out
}

// solveTransposed solves Jᵀu = g for d = 1 or 2 (J row-major); rows with a zero gradient, a
// singular or non-finite Jacobian get u = 0.
func solveTransposed(j, g, u []float64) {
	clear(u)
	switch len(g) {
	case 1:
		if g[0] != 0 && j[0] != 0 && !math.IsNaN(j[0]) && !math.IsInf(j[0], 0) {
			u[0] = g[0] / j[0]
		}
	case 2:
		det := j[0]*j[3] - j[1]*j[2]
		if (g[0] == 0 && g[1] == 0) || det == 0 || math.IsNaN(det) || math.IsInf(det, 0) {
			return
		}
		// Jᵀ = [[j0, j2], [j1, j3]].
		u[0] = (j[3]*g[0] - j[2]*g[1]) / det
		u[1] = (-j[1]*g[0] + j[0]*g[1]) / det
	default:
		panic("sphere: implicit root of dimension > 2")
	}
}
