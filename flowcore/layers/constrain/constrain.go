// Package constrain maps raw (unconstrained) layer parameters to constrained values with
// jammy_flows' regulators, as elementwise operations on the ad tape, together with their inverses
// (for data-driven initialization).
package constrain

import (
	"math"

	"github.com/gojammy/gojammy/flowcore/ad"
	"github.com/gojammy/gojammy/simd"
)

// BoundedLog is jammy_flows' bounded log function blog(x; lo, hi, centered) = log(hi·σ(x − c) + lo)
// elementwise, with c = log hi if centered and 0 otherwise. Centered, it behaves like log(eˣ + lo)
// for moderate x and saturates at log(hi + lo); it is computed stably for all x. lo and hi must be
// positive.
func BoundedLog(x *ad.Node, lo, hi float64, centered bool) *ad.Node {
	b := newBlog(lo, hi, centered)
	return ad.MapBatched(x, b.fill, b.derivs)
}

// BoundedLogF is BoundedLog on one value.
func BoundedLogF(x, lo, hi float64, centered bool) float64 {
	return one(newBlog(lo, hi, centered).fill, x)
}

// one applies the batched map fill to the single value x.
func one(fill func(dst, src []float64), x float64) float64 {
	v := []float64{x}
	fill(v, v)
	return v[0]
}

// blog is a prepared bounded log.
type blog struct {
	lo, hi, c float64
}

func newBlog(lo, hi float64, centered bool) blog {
	return blog{lo: lo, hi: hi, c: center(hi, centered)}
}

// fill sets dst[i] to the bounded log of src[i] (dst may be src) with the vector kernels: with
// u = x − c and e = exp(−|u|), σ(u) = 1/(1+e) for u ≥ 0 and e/(1+e) otherwise (full relative
// precision on both sides), then one log of hi·σ(u) + lo.
func (b blog) fill(dst, src []float64) {
	var e [256]float64
	for lo := 0; lo < len(src); lo += len(e) {
		n := min(len(e), len(src)-lo)
		d, ex := dst[lo:lo+n], e[:n]
		for i, x := range src[lo : lo+n] {
			ex[i] = -math.Abs(x - b.c)
		}
		simd.Exp(ex, ex)
		for i, x := range src[lo : lo+n] {
			q := 1 / (1 + ex[i])
			if x < b.c {
				q *= ex[i]
			}
			d[i] = b.hi*q + b.lo
		}
		simd.Log(d, d)
	}
}

// derivs sets dst[i] to d blog/dx = hi·σ(u)σ(−u)/(hi·σ(u) + lo) at x[i], u = x[i] − c, with
// σ(u)σ(−u) = e/(1+e)², e = exp(−|u|) from the vector kernel (y unused).
func (b blog) derivs(dst, x, _ []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = -math.Abs(v - b.c)
	}
	simd.Exp(dst, dst)
	for i, e := range dst {
		q := 1 / (1 + e)
		s := q
		if x[i] < b.c {
			s = e * q
		}
		dst[i] = b.hi * e * q * q / (b.hi*s + b.lo)
	}
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

// logAddExpConst sets dst[i] = log(e^a[i] + eᵇ) (dst may be a), computed stably as
// max + log1p(e^(min − max)) with the vector kernels; NaN stays NaN.
func logAddExpConst(dst, a []float64, b float64) {
	var hi [256]float64
	for lo := 0; lo < len(a); lo += len(hi) {
		n := min(len(hi), len(a)-lo)
		d, h := dst[lo:lo+n], hi[:n]
		for i, v := range a[lo : lo+n] {
			h[i] = max(v, b)
			d[i] = min(v, b) - h[i]
		}
		simd.Exp(d, d)
		simd.Log1p(d, d)
		for i, m := range h {
			if math.IsInf(m, -1) {
				d[i] = m
			} else {
				d[i] += m
			}
		}
	}
}
