package simd

import (
	"math"
	"math/big"
)

// Correctly rounded references for the vector math tests, computed with math/big (package
// math is itself off by up to 1 ulp, e.g. its Exp overflows early at 709.782712893384).

const refPrec = 160

var refLn2, _, _ = big.ParseFloat("0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875", 10, refPrec, big.ToNearestEven)

func newRef(v float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(v) }

func refFloat64(v *big.Float) float64 {
	f, _ := v.Float64()
	return f
}

// sumSeries returns Σ terms until they drop below 2^-refPrec relative to 1; next turns the
// current term into the following one (k = 1, 2, …).
func sumSeries(first *big.Float, next func(term *big.Float, k int)) *big.Float {
	sum, term := newRef(0).Set(first), newRef(0).Set(first)
	for k := 1; term.Sign() != 0 && term.MantExp(nil) > -refPrec; k++ {
		next(term, k)
		sum.Add(sum, term)
	}
	return sum
}

// expBig is eˣ for finite x in [-746, 710] (expBigF). With minus1 it returns eˣ - 1, summed
// directly (without 1) for |x| < ½ to avoid cancellation.
func expBig(x float64, minus1 bool) *big.Float {
	if minus1 && math.Abs(x) < 0.5 {
		r := newRef(x)
		return sumSeries(r, func(term *big.Float, k int) { term.Mul(term, r).Quo(term, newRef(float64(k+1))) }) // r + r²/2 + …
	}
	e := expBigF(newRef(x))
	if minus1 {
		e.Sub(e, newRef(1))
	}
	return e
}

// expBigF is eˣ for x within the float64 exponent range: 2ⁿ·eʳ with r = x - n·ln2 as a Taylor
// series.
func expBigF(x *big.Float) *big.Float {
	xf, _ := x.Float64()
	n := math.Round(xf / math.Ln2)
	r := newRef(0).Sub(x, newRef(n).Mul(newRef(n), refLn2))
	e := sumSeries(newRef(1), func(term *big.Float, k int) { term.Mul(term, r).Quo(term, newRef(float64(k))) })
	return e.SetMantExp(e, int(n))
}

// lnBig is ln y for y > 0: e·ln2 + 2·atanh((m-1)/(m+1)) for y = m·2ᵉ, m in [√½, √2).
func lnBig(y *big.Float) *big.Float {
	m := newRef(0)
	e := y.MantExp(m) // m in [½, 1)
	if m.Cmp(newRef(math.Sqrt2/2)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	s := newRef(0).Sub(m, newRef(1))
	s.Quo(s, newRef(0).Add(m, newRef(1)))
	z := newRef(0).Mul(s, s)
	pow := newRef(0).Set(s)
	sum := sumSeries(s, func(term *big.Float, k int) {
		pow.Mul(pow, z)
		term.Quo(pow, newRef(float64(2*k+1)))
	})
	sum.Mul(sum, newRef(2))
	return sum.Add(sum, newRef(float64(e)).Mul(newRef(float64(e)), refLn2))
}

func expRef(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return 0
	}
	return refFloat64(expBig(x, false))
}

func expm1Ref(x float64) float64 {
	switch {
	case math.IsNaN(x) || x == 0:
		return x
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return -1
	}
	return refFloat64(expBig(x, true))
}

func logRef(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	return refFloat64(lnBig(newRef(x)))
}

// log1pBig is ln(1 + t) for t > -1, by its series for |t| < ½ (no cancellation in 1 + t).
func log1pBig(t *big.Float) *big.Float {
	if t.Cmp(newRef(-0.5)) > 0 && t.Cmp(newRef(0.5)) < 0 {
		pow := newRef(0).Set(t)
		return sumSeries(t, func(term *big.Float, k int) {
			pow.Mul(pow, t).Neg(pow)
			term.Quo(pow, newRef(float64(k+1)))
		})
	}
	y := new(big.Float).SetPrec(2200).Set(t) // 1 + t exactly
	y.Add(y, big.NewFloat(1))
	return lnBig(newRef(0).Set(y))
}

func log1pRef(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < -1:
		return math.NaN()
	case x == -1:
		return math.Inf(-1)
	case math.IsInf(x, 1) || x == 0:
		return x
	}
	return refFloat64(log1pBig(newRef(x)))
}

func sigmoidRef(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 746:
		return 1
	case x < -746:
		return 0
	case x < -700: // eˣ/(1 + eˣ)
		e := expBig(x, false)
		return refFloat64(e.Quo(e, newRef(0).Add(e, newRef(1))))
	}
	d := expBig(-x, false)
	d.Add(d, newRef(1))
	return refFloat64(d.Quo(newRef(1), d))
}

// softplusRef is ln(1 + eˣ) (sign +1) or ln σ(x) = -ln(1 + e⁻ˣ) (sign -1).
func softplusRef(x float64, sign float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case math.Abs(x) > 746: // ln(1 + e^-|x|) < 2⁻¹⁰⁷⁵
		if sign > 0 {
			return max(x, 0)
		}
		return min(x, 0)
	}
	l := log1pBig(expBig(-math.Abs(x), false))
	if sign > 0 {
		return refFloat64(l.Add(l, newRef(max(x, 0))))
	}
	return refFloat64(l.Sub(newRef(min(x, 0)), l))
}

func tanhRef(x float64) float64 {
	switch {
	case math.IsNaN(x) || x == 0:
		return x
	case math.Abs(x) > 40:
		return math.Copysign(1, x)
	}
	t := expBig(-2*math.Abs(x), true)
	y := newRef(0).Neg(t)
	y.Quo(y, t.Add(t, newRef(2)))
	return math.Copysign(refFloat64(y), x)
}

var refPio2, _, _ = big.ParseFloat("1.5707963267948966192313216916397514420985846996875529104874722961539082031431044993140174126710585339", 10, refPrec, big.ToNearestEven)

// sincosRef is (sin x, cos x) rounded to nearest for |x| ≤ 1e6: r = x - j·π/2 and Taylor
// series, with the quadrant j mod 4 applied exactly.
func sincosRef(x float64) (float64, float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return math.NaN(), math.NaN()
	}
	if x == 0 {
		return x, 1
	}
	j := math.Round(x * 2 / math.Pi)
	r := newRef(x)
	r.Sub(r, newRef(j).Mul(newRef(j), refPio2))
	z := newRef(0).Mul(r, r)
	sin := sumSeries(r, func(term *big.Float, k int) { term.Mul(term, z).Quo(term, newRef(float64(-2*k*(2*k+1)))) })
	cos := sumSeries(newRef(1), func(term *big.Float, k int) { term.Mul(term, z).Quo(term, newRef(float64(-(2*k-1)*(2*k)))) })
	q := int64(j) & 3
	if q&1 != 0 {
		sin, cos = cos, sin.Neg(sin)
	}
	if q&2 != 0 {
		sin.Neg(sin)
		cos.Neg(cos)
	}
	return refFloat64(sin), refFloat64(cos)
}

var refPi = newRef(0).Mul(refPio2, newRef(2))

// refSqrtPi is √π.
var refSqrtPi = newRef(0).Sqrt(refPi)

// erfSeriesBig is erf y = 2/√π·e^(-y²)·Σ 2ⁿ·y²ⁿ⁺¹/(1·3·…·(2n+1)) for 0 ≤ y ≤ 3: the terms are
// positive, so the sum does not cancel.
func erfSeriesBig(y *big.Float) *big.Float {
	y2 := newRef(0).Mul(y, y)
	s := sumSeries(y, func(term *big.Float, k int) {
		term.Mul(term, y2).Mul(term, newRef(2)).Quo(term, newRef(float64(2*k+1)))
	})
	s.Mul(s, expBigF(newRef(0).Neg(y2)))
	return s.Mul(s, newRef(2)).Quo(s, refSqrtPi)
}

// erfcBig is erfc y for y ≥ 0: 1 - erf y by the series up to 3 (losing at most 17 of refPrec
// bits), beyond by the continued fraction erfc y = e^(-y²)/√π / (y + ½/(y + 1/(y + (3/2)/(y + …)))),
// evaluated backwards from a depth at which it has converged to refPrec bits.
func erfcBig(y *big.Float) *big.Float {
	if y.Cmp(newRef(3)) <= 0 {
		e := erfSeriesBig(y)
		return e.Sub(newRef(1), e)
	}
	yf, _ := y.Float64()
	f := newRef(0).Set(y)
	for n := 40 + int(2000/(yf*yf)); n >= 1; n-- {
		f.Quo(newRef(float64(n)/2), f)
		f.Add(f, y)
	}
	e := expBigF(newRef(0).Neg(newRef(0).Mul(y, y)))
	return e.Quo(e, f.Mul(f, refSqrtPi))
}

// erfBig is erf y for any finite y.
func erfBig(y *big.Float) *big.Float {
	a := newRef(0).Abs(y)
	var e *big.Float
	if a.Cmp(newRef(3)) <= 0 {
		e = erfSeriesBig(a)
	} else {
		e = erfcBig(a)
		e.Sub(newRef(1), e)
	}
	if y.Sign() < 0 {
		e.Neg(e)
	}
	return e
}

// erfcSignedBig is erfc y for any finite y (2 - erfc|y| for y < 0).
func erfcSignedBig(y *big.Float) *big.Float {
	if y.Sign() >= 0 {
		return erfcBig(y)
	}
	e := erfcBig(newRef(0).Neg(y))
	return e.Sub(newRef(2), e)
}

func erfRef(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return math.Copysign(min(math.Abs(x), 1), x) // NaN, ±1, ±0
	}
	if math.Abs(x) > 7 {
		return math.Copysign(1, x)
	}
	return refFloat64(erfBig(newRef(x)))
}

func erfcRef(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 28:
		return 0
	case x < -7:
		return 2
	}
	return refFloat64(erfcSignedBig(newRef(x)))
}

// normalCDFBig is Φ(x) = erfc(-x/√2)/2.
func normalCDFBig(x *big.Float) *big.Float {
	y := newRef(0).Quo(x, newRef(0).Sqrt(newRef(2)))
	e := erfcSignedBig(y.Neg(y))
	return e.Quo(e, newRef(2))
}

func normalCDFRef(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x < -40:
		return 0
	case x > 10:
		return 1
	}
	return refFloat64(normalCDFBig(newRef(x)))
}

// normalQuantileRef is Φ⁻¹(p) rounded to nearest: Newton steps x -= (Φ(x) - p)/φ(x) in
// refPrec bits from start (the float64 under test; a poor start only costs steps) until the
// step is below 2⁻¹²⁰ relative, for the lower tail p ≤ ½ (Φ⁻¹(p) = -Φ⁻¹(1 - p), 1 - p exact,
// above ½).
func normalQuantileRef(p, start float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	case p > 0.5:
		return -normalQuantileRef(1-p, -start)
	case p == 0.5:
		return 0
	}
	if !(start < 0 && start > -40) {
		start = -1
	}
	x := newRef(start)
	sqrt2Pi := newRef(0).Sqrt(newRef(0).Mul(refPi, newRef(2)))
	for range 100 {
		d := normalCDFBig(x)
		d.Sub(d, newRef(p))
		phi := expBigF(newRef(0).Quo(newRef(0).Mul(x, x), newRef(-2)))
		d.Mul(d, sqrt2Pi).Quo(d, phi)
		x.Sub(x, d)
		if d.Sign() == 0 || d.MantExp(nil) < x.MantExp(nil)-120 {
			break
		}
	}
	return refFloat64(x)
}

// atanBig is atan t for t ≥ 0: π/2 - atan(1/t) above 1, then halvings
// atan t = 2·atan(t/(1 + √(1 + t²))) down to t < 2⁻¹⁰ and the series t - t³/3 + t⁵/5 - ….
func atanBig(t *big.Float) *big.Float {
	if t.Cmp(newRef(1)) > 0 {
		a := atanBig(newRef(0).Quo(newRef(1), t))
		return a.Sub(refPio2, a)
	}
	t = newRef(0).Set(t)
	halvings := 0
	for t.Sign() != 0 && t.MantExp(nil) > -10 {
		s := newRef(0).Mul(t, t)
		s.Sqrt(s.Add(s, newRef(1)))
		t.Quo(t, s.Add(s, newRef(1)))
		halvings++
	}
	z := newRef(0).Mul(t, t)
	pow := newRef(0).Set(t)
	a := sumSeries(t, func(term *big.Float, k int) {
		pow.Mul(pow, z).Neg(pow)
		term.Quo(pow, newRef(float64(2*k+1)))
	})
	return a.SetMantExp(a, halvings)
}

// atan2Ref is atan2(y, x) rounded to nearest; zeros, infinities and NaN as math.Atan2 (whose
// special values are the correctly rounded constants).
func atan2Ref(y, x float64) float64 {
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) || x == 0 || y == 0 {
		return math.Atan2(y, x)
	}
	a := atanBig(newRef(0).Quo(newRef(math.Abs(y)), newRef(math.Abs(x))))
	if x < 0 {
		a.Sub(refPi, a)
	}
	return math.Copysign(refFloat64(a), y)
}

func asinRef(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.Abs(x) > 1:
		return math.NaN()
	case math.Abs(x) == 1:
		return math.Copysign(math.Pi/2, x)
	case x == 0:
		return x
	}
	c := newRef(0).Mul(newRef(x), newRef(x))
	c.Sqrt(c.Sub(newRef(1), c))
	a := atanBig(c.Quo(newRef(math.Abs(x)), c))
	return math.Copysign(refFloat64(a), x)
}

// acosRef is acos x = 2·atan√((1 - x)/(1 + x)) rounded to nearest.
func acosRef(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.Abs(x) > 1:
		return math.NaN()
	case x == -1:
		return math.Pi
	}
	r := newRef(0).Quo(newRef(0).Sub(newRef(1), newRef(x)), newRef(0).Add(newRef(1), newRef(x)))
	a := atanBig(r.Sqrt(r))
	return refFloat64(a.Mul(a, newRef(2)))
}
