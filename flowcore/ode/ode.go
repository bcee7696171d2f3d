// Package ode integrates ordinary differential equations dy/dt = f(t, y) on the ad tape with
// explicit Runge–Kutta methods: torchdiffeq's fixed-grid methods (euler, midpoint, rk4) and its
// adaptive embedded pairs (dopri5, dopri8, bosh3, fehlberg2, adaptive_heun) with the same error norm and
// step-size controller, except that every row of the batch is an independent system with its own
// step size, so that a row's solution does not depend on the other rows. Gradients follow the
// discrete solution (discretize, then differentiate); step sizes are constants.
package ode

import (
	"fmt"
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// Func is the right-hand side: the derivative (R x n) at times t (R x 1) and states y (R x n).
type Func func(t, y *ad.Node) *ad.Node

// Options choose the method and its accuracy.
type Options struct {
	// Method is one of Methods.
	Method string
	// RTol and ATol bound the local error of adaptive methods per row: the root mean square over
	// the components of err / (ATol + RTol·max(|y_old|, |y_new|)) must be <= 1.
	RTol, ATol float64
	// StepSize is the grid step of the fixed-grid methods (the last step ends at t1).
	StepSize float64
}

// tableau is an explicit Runge–Kutta method: stage times c, stage matrix a (lower triangular,
// row j has j entries), weights b and, for adaptive methods, the error weights e = b − b̂.
type tableau struct {
	c     []float64
	a     [][]float64
	b, e  []float64
	order int
}

// Methods lists the method names Options.Method accepts.
var Methods = []string{"euler", "midpoint", "rk4", "dopri5", "dopri8", "bosh3", "fehlberg2", "adaptive_heun"}

var tableaus = map[string]tableau{
	"euler":    {c: []float64{0}, a: [][]float64{{}}, b: []float64{1}, order: 1},
	"midpoint": {c: []float64{0, 0.5}, a: [][]float64{{}, {0.5}}, b: []float64{0, 1}, order: 2},
	// torchdiffeq's rk4 is the 3/8 rule.
	"rk4": {c: []float64{0, 1.0 / 3, 2.0 / 3, 1}, a: [][]float64{{}, {1.0 / 3}, {-1.0 / 3, 1}, {1, -1, 1}},
		b: []float64{0.125, 0.375, 0.375, 0.125}, order: 4},
	"dopri5": {
		c: []float64{0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1},
		a: [][]float64{{}, {1.0 / 5}, {3.0 / 40, 9.0 / 40}, {44.0 / 45, -56.0 / 15, 32.0 / 9},
			{19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
			{9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
			{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}},
		b: []float64{35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0},
		e: []float64{35.0/384 - 1951.0/21600, 0, 500.0/1113 - 22642.0/50085, 125.0/192 - 451.0/720,
			-2187.0/6784 + 12231.0/42400, 11.0/84 - 649.0/6300, -1.0 / 60},
		order: 5},
	// Prince and Dormand's RK8(7)13M, as torchdiffeq's dopri8.
	"dopri8": {
		c: []float64{0, 1.0 / 18, 1.0 / 12, 1.0 / 8, 5.0 / 16, 3.0 / 8, 59.0 / 400, 93.0 / 200, 5490023248.0 / 9719169821, 13.0 / 20, 1201146811.0 / 1299019798, 1, 1, 1},
		a: [][]float64{{},
			{1.0 / 18},
			{1.0 / 48, 1.0 / 16},
			{1.0 / 32, 0, 3.0 / 32},
			{5.0 / 16, 0, -75.0 / 64, 75.0 / 64},
			{3.0 / 80, 0, 0, 3.0 / 16, 3.0 / 20},
			{29443841.0 / 614563906, 0, 0, 77736538.0 / 692538347, -28693883.0 / 1125000000, 23124283.0 / 1800000000},
			{16016141.0 / 946692911, 0, 0, 61564180.0 / 158732637, 22789713.0 / 633445777, 545815736.0 / 2771057229, -180193667.0 / 1043307555},
			{39632708.0 / 573591083, 0, 0, -433636366.0 / 683701615, -421739975.0 / 2616292301, 100302831.0 / 723423059, 790204164.0 / 839813087, 800635310.0 / 3783071287},
			{246121993.0 / 1340847787, 0, 0, -37695042795.0 / 15268766246, -309121744.0 / 1061227803, -12992083.0 / 490766935, 6005943493.0 / 2108947869, 393006217.0 / 1396673457, 123872331.0 / 1001029789},
			{-1028468189.0 / 846180014, 0, 0, 8478235783.0 / 508512852, 1311729495.0 / 1432422823, -10304129995.0 / 1701304382, -48777925059.0 / 3047939560, 15336726248.0 / 1032824649, -45442868181.0 / 3398467696, 3065993473.0 / 597172653},
			{185892177.0 / 718116043, 0, 0, -3185094517.0 / 667107341, -477755414.0 / 1098053517, -703635378.0 / 230739211, 5731566787.0 / 1027545527, 5232866602.0 / 850066563, -4093664535.0 / 808688257, 3962137247.0 / 1805957418, 65686358.0 / 487910083},
			{403863854.0 / 491063109, 0, 0, -5068492393.0 / 434740067, -411421997.0 / 543043805, 652783627.0 / 914296604, 11173962825.0 / 925320556, -13158990841.0 / 6184727034, 3936647629.0 / 1978049680, -160528059.0 / 685178525, 248638103.0 / 1413531060, 0},
			{14005451.0 / 335480064, 0, 0, 0, 0, -59238493.0 / 1068277825, 181606767.0 / 758867731, 561292985.0 / 797845732, -1041891430.0 / 1371343529, 760417239.0 / 1151165299, 118820643.0 / 751138087, -528747749.0 / 2220607170, 1.0 / 4},
		},
		b:     []float64{14005451.0 / 335480064, 0, 0, 0, 0, -59238493.0 / 1068277825, 181606767.0 / 758867731, 561292985.0 / 797845732, -1041891430.0 / 1371343529, 760417239.0 / 1151165299, 118820643.0 / 751138087, -528747749.0 / 2220607170, 1.0 / 4, 0},
		e:     []float64{14005451.0/335480064 - 13451932.0/455176623, 0, 0, 0, 0, -59238493.0/1068277825 + 808719846.0/976000145, 181606767.0/758867731 - 1757004468.0/5645159321, 561292985.0/797845732 - 656045339.0/265891186, -1041891430.0/1371343529 + 3867574721.0/1518517206, 760417239.0/1151165299 - 465885868.0/322736535, 118820643.0/751138087 - 53011238.0/667516719, -528747749.0/2220607170 - 2.0/45, 1.0 / 4, 0},
		order: 8},
	"bosh3": {c: []float64{0, 0.5, 0.75, 1}, a: [][]float64{{}, {0.5}, {0, 0.75}, {2.0 / 9, 1.0 / 3, 4.0 / 9}},
		b: []float64{2.0 / 9, 1.0 / 3, 4.0 / 9, 0}, e: []float64{2.0/9 - 7.0/24, 1.0/3 - 0.25, 4.0/9 - 1.0/3, -0.125},
		order: 3},
	"fehlberg2": {c: []float64{0, 0.5, 1}, a: [][]float64{{}, {0.5}, {1.0 / 256, 255.0 / 256}},
		b: []float64{1.0 / 512, 255.0 / 256, 1.0 / 512}, e: []float64{-1.0 / 512, 0, 1.0 / 512}, order: 2},
	"adaptive_heun": {c: []float64{0, 1}, a: [][]float64{{}, {1}}, b: []float64{0.5, 0.5},
		e: []float64{0.5, -0.5}, order: 2},
}

// Step-size control constants (torchdiffeq's).
const (
	safety  = 0.9
	ifactor = 10.0
	dfactor = 0.2
	// maxSteps bounds the attempted steps of one integration; rows still running then get NaN.
	maxSteps = 100000
)

// Check validates the options.
func (o Options) Check() error {
	tb, ok := tableaus[o.Method]
	switch {
	case !ok:
		return fmt.Errorf("solver %q is not available; choose one of %q", o.Method, Methods)
	case tb.e == nil && !(o.StepSize > 0):
		return fmt.Errorf("step_size must be > 0 for the fixed-grid solver %q, got %g", o.Method, o.StepSize)
	case tb.e != nil && !(o.RTol > 0 && o.ATol > 0):
		return fmt.Errorf("rtol and atol must be > 0 for the adaptive solver %q, got %g and %g", o.Method, o.RTol, o.ATol)
	}
	return nil
}

// Integrate returns the states at t1 of the rows y0 (R x n) at t0; t1 < t0 integrates backwards.
// A row whose adaptive integration fails (non-finite error, step size underflow, too many steps)
// ends as NaN. The options must have passed Check.
func Integrate(f Func, y0 *ad.Node, t0, t1 float64, o Options) *ad.Node {
	tb := tableaus[o.Method]
	if t0 == t1 {
		return y0
	}
	if tb.e == nil {
		return fixedGrid(f, tb, y0, t0, t1, o.StepSize)
	}
	return adaptive(f, tb, y0, t0, t1, o)
}

// fixedGrid steps through torchdiffeq's grid: ceil(|t1−t0|/h + 1) points t0 + k·h (towards t1),
// the last one replaced by t1.
func fixedGrid(f Func, tb tableau, y *ad.Node, t0, t1, h float64) *ad.Node {
	span := math.Abs(t1 - t0)
	dir := math.Copysign(1, t1-t0)
	n := int(math.Ceil(span/h + 1))
	prev := t0
	for k := 1; k < n; k++ {
		next := t0 + dir*float64(k)*h
		if k == n-1 {
			next = t1
		}
		dt := make([]float64, y.R)
		ts := make([]float64, y.R)
		for i := range dt {
			dt[i], ts[i] = next-prev, prev
		}
		y, _ = rkStep(f, tb, y, ts, dt)
		prev = next
	}
	return y
}

// rkStep takes one step of size dt[i] from time t[i] for every row, returning the new states and
// (for adaptive tableaus) the error estimates.
func rkStep(f Func, tb tableau, y *ad.Node, t, dt []float64) (*ad.Node, *ad.Node) {
	tp := y.Tape()
	h := tp.Const(len(dt), 1, dt)
	k := make([]*ad.Node, len(tb.c))
	for s := range tb.c {
		ys := y
		if s > 0 {
			ys = ad.Add(y, ad.Mul(h, combine(k[:s], tb.a[s])))
		}
		ts := make([]float64, len(t))
		for i := range ts {
			ts[i] = t[i] + tb.c[s]*dt[i]
		}
		k[s] = f(tp.Const(len(ts), 1, ts), ys)
	}
	out := ad.Add(y, ad.Mul(h, combine(k, tb.b)))
	if tb.e == nil {
		return out, nil
	}
	return out, ad.Mul(h, combine(k, tb.e))
}

// combine is Σ_j w_j·k_j over the non-zero weights (every row of a tableau has one).
func combine(k []*ad.Node, w []float64) *ad.Node {
	var sum *ad.Node
	for j, wj := range w {
		if wj == 0 {
			continue
		}
		term := ad.Scale(k[j], wj)
		if sum == nil {
			sum = term
		} else {
			sum = ad.Add(sum, term)
		}
	}
	return sum
}

// adaptive integrates every row with its own step size: torchdiffeq's initial step selection,
// error ratio and step-size update, per row.
func adaptive(f Func, tb tableau, y *ad.Node, t0, t1 float64, o Options) *ad.Node {
	r, n := y.R, y.C
	dir := math.Copysign(1, t1-t0)
	t := make([]float64, r)
	for i := range t {
		t[i] = t0
	}
	h := initialSteps(f, tb, y, t0, dir, o)
	done := make([]bool, r)
	failed := make([]bool, r)
	dt := make([]float64, r)
	for step := 0; ; step++ {
		running := 0
		for i := range dt {
			dt[i] = 0
			if done[i] {
				continue
			}
			running++
			dt[i] = dir * math.Min(h[i], math.Abs(t1-t[i]))
		}
		if running == 0 {
			break
		}
		if step == maxSteps {
			for i := range done {
				failed[i] = failed[i] || !done[i]
			}
			break
		}
		next, errEst := rkStep(f, tb, y, t, dt)
		accept := make([]bool, r) // fresh: the tape's SelectRows keeps it for the backward pass
		for i := 0; i < r; i++ {
			accept[i] = true
			if done[i] {
				continue
			}
			ratio := errorRatio(y.Val[i*n:(i+1)*n], next.Val[i*n:(i+1)*n], errEst.Val[i*n:(i+1)*n], o)
			switch {
			case math.IsNaN(ratio) || math.IsInf(ratio, 0) || math.Abs(dt[i]) <= 1e-15*math.Max(1, math.Abs(t[i])):
				failed[i], done[i] = true, true
			case ratio <= 1:
				t[i] += dt[i]
				if t[i] == t1 || math.Abs(t1-t[i]) <= 1e-15*math.Max(1, math.Abs(t1)) {
					t[i], done[i] = t1, true
				}
			default:
				accept[i] = false
			}
			h[i] = math.Abs(dt[i]) * stepFactor(ratio, tb.order)
		}
		y = ad.SelectRows(accept, next, y)
	}
	if !anyTrue(failed) {
		return y
	}
	nan := make([]float64, n)
	for i := range nan {
		nan[i] = math.NaN()
	}
	return ad.SelectRows(failed, y.Tape().Const(1, n, nan), y)
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

// errorRatio is the root mean square of err / (ATol + RTol·max(|y|, |next|)).
func errorRatio(y, next, err []float64, o Options) float64 {
	s := 0.0
	for j, e := range err {
		q := e / (o.ATol + o.RTol*math.Max(math.Abs(y[j]), math.Abs(next[j])))
		s += q * q
	}
	return math.Sqrt(s / float64(len(err)))
}

// stepFactor is torchdiffeq's update of the step size after an error ratio: never below 1 after
// an accepted step, at least dfactor after a rejected one, at most ifactor.
func stepFactor(ratio float64, order int) float64 {
	if ratio == 0 {
		return ifactor
	}
	lo := dfactor
	if ratio < 1 {
		lo = 1
	}
	return math.Min(ifactor, math.Max(safety/math.Pow(ratio, 1/float64(order)), lo))
}

// initialSteps is torchdiffeq's (Hairer's) initial step size per row, from f at t0 and at one
// explicit Euler step.
func initialSteps(f Func, tb tableau, y *ad.Node, t0, dir float64, o Options) []float64 {
	r, n := y.R, y.C
	tp := y.Tape()
	t := make([]float64, r)
	for i := range t {
		t[i] = t0
	}
	f0 := f(tp.Const(r, 1, t), y).Val
	h0 := make([]float64, r)
	y1 := make([]float64, r*n)
	rms := func(v []float64, scale func(j int) float64) float64 {
		s := 0.0
		for j, x := range v {
			q := x / scale(j)
			s += q * q
		}
		return math.Sqrt(s / float64(len(v)))
	}
	d1 := make([]float64, r)
	for i := 0; i < r; i++ {
		yi, fi := y.Val[i*n:(i+1)*n], f0[i*n:(i+1)*n]
		scale := func(j int) float64 { return o.ATol + math.Abs(yi[j])*o.RTol }
		d0 := rms(yi, scale)
		d1[i] = rms(fi, scale)
		h0[i] = 1e-6
		if d0 >= 1e-5 && d1[i] >= 1e-5 {
			h0[i] = 0.01 * d0 / d1[i]
		}
		for j := range yi {
			y1[i*n+j] = yi[j] + h0[i]*dir*fi[j]
		}
	}
	t1 := make([]float64, r)
	for i := range t1 {
		t1[i] = t0 + h0[i]*dir
	}
	f1 := f(tp.Const(r, 1, t1), tp.Const(r, n, y1)).Val
	out := make([]float64, r)
	for i := 0; i < r; i++ {
		yi := y.Val[i*n : (i+1)*n]
		scale := func(j int) float64 { return o.ATol + math.Abs(yi[j])*o.RTol }
		diff := make([]float64, n)
		for j := range diff {
			diff[j] = f1[i*n+j] - f0[i*n+j]
		}
		d2 := rms(diff, scale) / h0[i]
		h1 := math.Max(1e-6, h0[i]*1e-3)
		if d1[i] > 1e-15 || d2 > 1e-15 {
			h1 = math.Pow(0.01/math.Max(d1[i], d2), 1/float64(tb.order+1))
		}
		out[i] = math.Min(100*h0[i], h1)
	}
	return out
}
