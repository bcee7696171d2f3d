// Package root finds roots of increasing functions row by row with a bracketed Newton method, and
// differentiates a root on the ad tape by the implicit-function rule. It serves every layer whose
// inverse map is numerical (the g mixtures, the m and n layers of the spheres).
package root

import (
	"math"
	"slices"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Bracket is an interval [Lo, Hi] known to hold the root of an increasing function; Newton steps
// narrow it.
type Bracket struct {
	Lo, Hi float64
	last   float64 // the length of the step before (0: none yet)
}

// Step takes one bracketed Newton step from x, where the residual is r = f(x) − target and the
// Newton step is newton = r / f'(x). It narrows the bracket and returns the next iterate and
// whether the search is over: an exact root (next = x), a NaN residual (next is NaN), or a step no
// longer than tol. A step that would leave the bracket bisects it instead, and so does a step
// longer than half the step before: Newton's method is then not converging — next to a kink of f
// it can cycle between both sides of the root, narrowing the bracket from one side only, for
// hundreds of steps (safeguarded Newton as in Numerical Recipes' rtsafe). A converged step is
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
	if !(next > b.Lo && next < b.Hi) || (b.last > 0 && math.Abs(newton) > 0.5*b.last) {
		next = 0.5 * (b.Lo + b.Hi)
	}
	b.last = math.Abs(next - x)
	return next, b.last <= tol
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
		br[i], all[i] = Bracket{Lo: lo, Hi: hi}, i
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
	return newton(target, x, br, eval)
}

// IncreasingShared is Increasing for rows that share one increasing function f: f is tabulated
// once at knots evenly spaced points of [lo, hi] (one eval call, rows all 0), and each search
// starts from the cubic Hermite interpolation of the inverse between the two knots around its
// target (with the slopes 1/f' there), inside the bracket they form, before the Newton steps of
// Increasing. It pays from a few dozen rows: one evaluation of the knots replaces the eight
// bisection steps and most Newton steps of every row.
func IncreasingShared(target []float64, lo, hi float64, knots int, eval func(x []float64, rows []int) (f, df []float64)) []float64 {
	kx := make([]float64, knots)
	for j := range kx {
		kx[j] = lo + (hi-lo)*float64(j)/float64(knots-1)
	}
	kx[knots-1] = hi
	f, df := eval(kx, make([]int, knots))
	f, df = slices.Clone(f), slices.Clone(df)
	br, x := make([]Bracket, len(target)), make([]float64, len(target))
	for i, v := range target {
		// the knot interval [j, j+1] with f_j < v <= f_{j+1} (the first or last one beyond them)
		j, _ := slices.BinarySearch(f, v)
		j = min(max(j-1, 0), knots-2)
		br[i] = Bracket{Lo: kx[j], Hi: kx[j+1]}
		x[i] = hermiteInverse(v, kx[j], kx[j+1], f[j], f[j+1], df[j], df[j+1])
	}
	return newton(target, x, br, eval)
}

// hermiteInverse interpolates the inverse of an increasing function between the knots (x0, f0)
// and (x1, f1) with derivatives d0, d1 at v: the cubic Hermite polynomial in u = (v−f0)/(f1−f0)
// with slopes (f1−f0)/d, clamped to [x0, x1]. A flat or non-finite interval gives its middle.
func hermiteInverse(v, x0, x1, f0, f1, d0, d1 float64) float64 {
	h := f1 - f0
	if !(h > 0) || math.IsInf(h, 0) {
		return 0.5 * (x0 + x1)
	}
	u := min(max((v-f0)/h, 0), 1)
	s0, s1 := h/d0, h/d1
	if !(s0 >= 0 && s1 >= 0) || math.IsInf(s0, 0) || math.IsInf(s1, 0) {
		return x0 + u*(x1-x0) // no usable slopes: linear
	}
	u2 := u * u
	u3 := u2 * u
	y := (2*u3-3*u2+1)*x0 + (u3-2*u2+u)*s0 + (3*u2-2*u3)*x1 + (u3-u2)*s1
	return min(max(y, x0), x1)
}

// newton runs bracketed Newton steps (Bracket.Step) from the iterates x until every row's step is
// below rounding; rows whose target is NaN end as NaN.
func newton(target, x []float64, br []Bracket, eval func(x []float64, rows []int) (f, df []float64)) []float64 {
	active := make([]int, len(x))
	for i := range active {
		active[i] = i
	}
	xs := make([]float64, 0, len(x))
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
