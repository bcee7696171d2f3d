// Package constrain maps raw (unconstrained) layer parameters to constrained values with
// jammy_flows' regulators, as elementwise operations on the ad tape, together with their inverses
// (for data-driven initialization).
package constrain

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// BoundedLog is jammy_flows' bounded log function blog(x; lo, hi, centered) = log(hi·σ(x − c) + lo)
// elementwise, with c = log hi if centered and 0 otherwise. Centered, it behaves like log(eˣ + lo)
// for moderate x and saturates at log(hi + lo); it is computed stably for all x. lo and hi must be
// positive.
func BoundedLog(x *ad.Node, lo, hi float64, centered bool) *ad.Node {
	c := center(hi, centered)
	return ad.Unary(x, func(v float64) float64 { return BoundedLogF(v, lo, hi, centered) },
		func(v, y float64) float64 { return math.Exp(math.Log(hi)-ad.SoftplusF(c-v)-y) * ad.SigmoidF(c-v) })
}

// BoundedLogF is BoundedLog on one value.
func BoundedLogF(x, lo, hi float64, centered bool) float64 {
	a := math.Log(hi) - ad.SoftplusF(center(hi, centered)-x)
	return logAddExp(a, math.Log(lo))
}

// BoundedLogInvF inverts BoundedLogF: the x with BoundedLogF(x) = y. Values of y at or beyond the
// range (log lo, log(hi + lo)) give ∓Inf.
func BoundedLogInvF(y, lo, hi float64, centered bool) float64 {
	q := (math.Exp(y) - lo) / hi
	return center(hi, centered) + math.Log(q) - math.Log1p(-q)
}

func center(hi float64, centered bool) float64 {
	if centered {
		return math.Log(hi)
	}
	return 0
}

// logAddExp is log(eᵃ + eᵇ), computed stably.
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}
