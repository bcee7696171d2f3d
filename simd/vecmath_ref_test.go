package simd

import (
	"math"
	"math/big"
)

// Correctly rounded references for the vector math tests (package math is itself off by up to
// 1 ulp, e.g. its Exp overflows early at 709.782712893384).

const refPrec = 160

var refLn2, _, _ = big.ParseFloat("0.6931471805599453094172321214581765680755001343602552541206800094933936219696947156058633269964186875", 10, refPrec, big.ToNearestEven)

func newRef(v float64) *big.Float { return new(big.Float).SetPrec(refPrec).SetFloat64(v) }

// expRef is eˣ rounded to nearest: 2ⁿ·eʳ with r = x - n·ln2 summed as a Taylor series.
func expRef(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 710:
		return math.Inf(1)
	case x < -746:
		return 0
	}
	n := math.Round(x / math.Ln2)
	r := newRef(x)
	r.Sub(r, newRef(n).Mul(newRef(n), refLn2))
	sum, term := newRef(1), newRef(1)
	for k := 1; term.Sign() != 0 && term.MantExp(nil) > -refPrec; k++ {
		term.Mul(term, r).Quo(term, newRef(float64(k)))
		sum.Add(sum, term)
	}
	sum.SetMantExp(sum, int(n))
	f, _ := sum.Float64()
	return f
}

// logRef is ln x rounded to nearest: e·ln2 + 2·atanh((m-1)/(m+1)) for x = m·2ᵉ.
func logRef(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	case math.IsInf(x, 1):
		return x
	}
	m, e := math.Frexp(x) // m in [½, 1), moved to [√½, √2) so that e = 0 near 1
	if m < math.Sqrt2/2 {
		m, e = 2*m, e-1
	}
	s := newRef(m - 1)
	s.Quo(s, newRef(m+1))
	z := newRef(0).Mul(s, s)
	sum, pow := newRef(0), newRef(0).Set(s)
	for k := 0; pow.Sign() != 0 && pow.MantExp(nil) > -refPrec; k++ {
		sum.Add(sum, newRef(0).Quo(pow, newRef(float64(2*k+1))))
		pow.Mul(pow, z)
	}
	sum.Mul(sum, newRef(2))
	sum.Add(sum, newRef(float64(e)).Mul(newRef(float64(e)), refLn2))
	f, _ := sum.Float64()
	return f
}
