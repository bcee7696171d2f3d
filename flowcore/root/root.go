// Package root finds roots of increasing functions row by row with a bracketed Newton method, and
// differentiates a root on the ad tape by the implicit-function rule. It serves every layer whose
// inverse map is numerical (the g mixtures, the m and n layers of the spheres).
package root

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Bracket is an interval [Lo, Hi] known to hold the root of an increasing function; Newton steps
// narrow it.
type Bracket struct{ Lo, Hi float64 }

// Step takes one bracketed Newton step from x, where the residual is r = f(x) − target and the
// Newton step is newton = r / f'(x). It narrows the bracket and returns the next iterate and
// whether the search is over: an exact root (next = x), a NaN residual (next is NaN), or a step no
// longer than tol. A step that would leave the bracket bisects it instead; a converged step is
// taken even if rounding puts it just outside the bracket (bisecting then would restart the search
// when an end of the bracket lies within tol of the root).
func (b *Bracket) Step(x, r, newton, tol float64) (next float64, done bool) {
	if r == 0 {
		return x, true
	}
	if math.IsNaN(r) {
		return math.NaN(), true
	}
	if r < 0 {
		b.Lo = x
	} else {
		b.Hi = x
	}
	next = x - newton
	if math.Abs(next-x) <= tol {
		return next, true
	}
	if !(next > b.Lo && next < b.Hi) {
		next = 0.5 * (b.Lo + b.Hi)
	}
	return next, math.Abs(next-x) <= tol
}

const (
	// bisectionSteps narrow the common start bracket of Increasing before Newton takes over.
	bisectionSteps = 8
	// maxNewtonSteps bounds the Newton phase of Increasing.
	maxNewtonSteps = 60
	// relTol is Increasing's convergence test: a step below relTol·(1+|x|).
	relTol = 1e-15
)

// Increasing solves f(x) = target row by row for an increasing f on [lo, hi]: bisection to a
// bracket of width (hi-lo)/2⁸, then bracketed Newton steps (Bracket.Step) until the step is below
// rounding. eval returns f and f' at the points x of the listed rows (converged rows are left
// out). Rows whose target or evaluation is NaN end as NaN; the loops always terminate.
func Increasing(target []float64, lo, hi float64, eval func(x []float64, rows []int) (f, df []float64)) []float64 {
	n := len(target)
	br, x := make([]Bracket, n), make([]float64, n)
	all := make([]int, n)
	for i := range x {
		br[i], all[i] = Bracket{lo, hi}, i
	}
	for s := 0; s < bisectionSteps; s++ {
		for i := range x {
			x[i] = 0.5 * (br[i].Lo + br[i].Hi)
		}
		f, _ := eval(x, all)
		for i := range x {
			if f[i] < target[i] {
				br[i].Lo = x[i]
			} else {
				br[i].Hi = x[i]
			}
		}
	}
	for i := range x {
		x[i] = 0.5 * (br[i].Lo + br[i].Hi)
	}
	active := all
	xs := make([]float64, 0, n)
	for s := 0; s < maxNewtonSteps && len(active) > 0; s++ {
		xs = xs[:0]
		for _, i := range active {
			xs = append(xs, x[i])
		}
		f, df := eval(xs, active)
		next := active[:0:0]
		for k, i := range active {
			r := f[k] - target[i]
			var done bool
			x[i], done = br[i].Step(x[i], r, r/df[k], relTol*(1+math.Abs(x[i])))
			if !done {
				next = append(next, i)
			}
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

// Implicit returns a node with the values root (R x d, d = 1 or 2) that solve f(root, params) =
// target row by row, whose gradients with respect to target and params follow the
// implicit-function rule at the root: with J = ∂f/∂x (d x d per row) and ḡ the gradient arriving at
// the root, target gets J⁻ᵀḡ and params get -(J⁻ᵀḡ)ᵀ ∂f/∂params. f must be the differentiable map
// written on the tape; it is re-evaluated on a private tape only when gradients are propagated, so
// the iterations that found the root are never differentiated.
func Implicit(root []float64, target, params *ad.Node, f func(x, params *ad.Node) *ad.Node) *ad.Node {
	t := target.Tape()
	r, d := target.R, target.C
	if d > 2 {
		panic("root.Implicit: dimension > 2")
	}
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
		if gt := target.OptGrad(); gt != nil {
			for i, v := range u {
				gt[i] += v
			}
		}
		if pg := params.OptGrad(); pg != nil {
			for i := range u {
				u[i] = -u[i]
			}
			_, gp := run(u)
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
	}
}
