package simd

import "math"

// Erf sets dst[i] = erf x[i] for i < len(x); dst must be at least as long as x and may be x
// itself. Every implementation is within 1 ulp of the correctly rounded result
// (TestVecmathAccuracy); Erf(±0) = ±0, Erf(±Inf) = ±1 and Erf(NaN) = NaN.
func Erf(dst, x []float64) { vecmathUse.erf(dst[:len(x)], x) }

// Erfc sets dst[i] = erfc x[i] = 1 - erf x[i] for i < len(x), accurate relative to the result
// also in the far tail, down to where erfc underflows (x ≈ 27.2); dst must be at least as long
// as x and may be x itself. Every implementation is within 2 ulp of the correctly rounded
// result (TestVecmathAccuracy); Erfc(+Inf) = 0, Erfc(-Inf) = 2 and Erfc(NaN) = NaN.
func Erfc(dst, x []float64) { vecmathUse.erfc(dst[:len(x)], x) }

// NormalCDF sets dst[i] = Φ(x[i]) = erfc(-x[i]/√2)/2, the standard normal distribution
// function, for i < len(x), accurate relative to the result also in the lower tail, down to
// where Φ underflows (x ≈ -38.5); dst must be at least as long as x and may be x itself. Every
// implementation is within 3 ulp of the correctly rounded result (TestVecmathAccuracy);
// NormalCDF(-Inf) = 0, NormalCDF(+Inf) = 1 and NormalCDF(NaN) = NaN.
func NormalCDF(dst, x []float64) { vecmathUse.normalCDF(dst[:len(x)], x) }

// NormalQuantile sets dst[i] = Φ⁻¹(p[i]), the quantile function of the standard normal
// distribution (the inverse of [NormalCDF]), for i < len(p); dst must be at least as long as p
// and may be p itself. Every implementation is within 5 ulp of the correctly rounded result
// for every p in (0, 1), the smallest subnormal included (TestVecmathAccuracy; AS241's rational
// approximations without a refinement step);
// NormalQuantile(0) = -Inf, NormalQuantile(1) = +Inf, and p < 0, p > 1 or NaN give NaN.
func NormalQuantile(dst, p []float64) { vecmathUse.normalQuantile(dst[:len(p)], p) }

// NormalQuantileOf is Φ⁻¹(p) for one value: what every implementation of [NormalQuantile] gives at
// p (they compute the same operations), for scalar code that must agree with batched code.
func NormalQuantileOf(p float64) float64 { return normalQuantileScalar(p) }

// Constants of the erf family shared by the generic and assembly kernels (simd/_asm repeats
// them).
const (
	erx       = 8.45062911510467529297e-01 // erf(1) rounded to 30 bits: 1 ± erx are exact
	erfSmall  = 0.84375                    // erfRat's interval bounds, on |x|
	erfMid    = 1.25
	erfLarge  = 1 / 0.35
	erfcLimit = 28     // erfc(|x|) for |x| ≥ erfcLimit is 0 (underflow)
	erfcShift = 0.5625 // erfc(x) ≈ e^(-x² - erfcShift + R(1/x²))/x for x ≥ erfMid
	// invSqrt2Hi + invSqrt2Lo is 1/√2 to about 2⁻¹⁰⁷.
	invSqrt2Hi = 7.07106781186547572737e-01
	invSqrt2Lo = -4.83364665672645672553e-17
)

// erfNum and erfDen hold fdlibm's (s_erf.c) rational approximations N(t)/D(t), one column per
// interval k of |x| (erfInterval): k = 0, |x| < erfSmall: erf x = x + x·N/D at t = x²;
// k = 1, up to erfMid: erf x = erx + N/D at t = |x| - 1; k = 2, up to erfLarge, and k = 3
// beyond: erfc|x| = e^(-x² - erfcShift + N/D)/|x| at t = 1/x². erfNum[j] is the coefficient of
// tʲ, erfDen[j] that of tʲ⁺¹ (D's constant term is 1); missing terms are 0.
var (
	erfNum = [8][4]float64{
		{1.28379167095512558561e-01, -2.36211856075265944077e-03, -9.86494403484714822705e-03, -9.86494292470009928597e-03},
		{-3.25042107247001499370e-01, 4.14856118683748331666e-01, -6.93858572707181764372e-01, -7.99283237680523006574e-01},
		{-2.84817495755985104766e-02, -3.72207876035701323847e-01, -1.05586262253232909814e+01, -1.77579549177547519889e+01},
		{-5.77027029648944159157e-03, 3.18346619901161753674e-01, -6.23753324503260060396e+01, -1.60636384855821916062e+02},
		{-2.37630166566501626084e-05, -1.10894694282396677476e-01, -1.62396669462573470355e+02, -6.37566443368389627722e+02},
		{0, 3.54783043256182359371e-02, -1.84605092906711035994e+02, -1.02509513161107724954e+03},
		{0, -2.16637559486879084300e-03, -8.12874355063065934246e+01, -4.83519191608651397019e+02},
		{0, 0, -9.81432934416914548592e+00, 0},
	}
	erfDen = [8][4]float64{
		{3.97917223959155352819e-01, 1.06420880400844228286e-01, 1.96512716674392571292e+01, 3.03380607434824582924e+01},
		{6.50222499887672944485e-02, 5.40397917702171048937e-01, 1.37657754143519042600e+02, 3.25792512996573918826e+02},
		{5.08130628187576562776e-03, 7.18286544141962662868e-02, 4.34565877475229228821e+02, 1.53672958608443695994e+03},
		{1.32494738004321644526e-04, 1.26171219808761642112e-01, 6.45387271733267880336e+02, 3.19985821950859553908e+03},
		{-3.96022827877536812320e-06, 1.36370839120290507362e-02, 4.29008140027567833386e+02, 2.55305040643316442583e+03},
		{0, 1.19844998467991074170e-02, 1.08635005541779435134e+02, 4.74528541206955367215e+02},
		{0, 0, 6.57024977031928170135e+00, -2.24409524465858183362e+01},
		{0, 0, -6.04244152148580987438e-02, 0},
	}
)

// ratEval returns N(t)/D(t) with N(t) = Σ num[j][k]·tʲ and D(t) = 1 + Σ den[j][k]·tʲ⁺¹ by
// fused Horner steps, as the assembly kernels do with the column k picked per lane.
func ratEval(num, den [][4]float64, k int, t float64) float64 {
	n := num[len(num)-1][k]
	for j := len(num) - 2; j >= 0; j-- {
		n = math.FMA(n, t, num[j][k])
	}
	d := den[len(den)-1][k]
	for j := len(den) - 2; j >= 0; j-- {
		d = math.FMA(d, t, den[j][k])
	}
	return n / math.FMA(d, t, 1)
}

// erfParts holds what the erf family needs of erfc(y) for y = yh + yl (|yl| ≤ ulp(yh)/2 carries
// yh's rounding error): ay = |yh| and its interval k, the rational approximation r of interval
// k, and for k ≥ 2 tail = erfc|y|/scale (0 for |y| ≥ erfcLimit, scale 1 or 2 applied exactly).
type erfParts struct {
	k           int
	ay, r, tail float64
}

// erfInterval is the interval of erfNum and erfDen that |y| = ay falls in.
func erfInterval(ay float64) int {
	k := 0
	for _, b := range [...]float64{erfSmall, erfMid, erfLarge} {
		if ay >= b {
			k++
		}
	}
	return k
}

// erfCore returns erfParts for y = yh + yl. For k ≥ 2, y² = h + l exactly (h = ay², l by fused
// products), and erfc|y| = e^(-h + b)/(|y|·scale) with b = (r - erfcShift) - l - ayl/ay, the last
// term for 1/(ay + ayl) = (1 - ayl/ay)/ay; e^(-h + b) by expSum keeps the huge exponent exact.
func erfCore(yh, yl, scale float64) erfParts {
	ayu := math.Abs(yh)
	ay := min(ayu, erfcLimit)
	ayl := math.Float64frombits(math.Float64bits(yl) ^ math.Float64bits(yh)&(1<<63)) // yl·sign(yh)
	k := erfInterval(ay)
	h := ay * ay
	t := h
	switch {
	case k == 1:
		t = (ay - 1) + ayl
	case k >= 2:
		t = 1 / h
	}
	p := erfParts{k: k, ay: ay, r: ratEval(erfNum[:], erfDen[:], k, t)}
	if k >= 2 && ayu < erfcLimit {
		l := math.FMA(ay+ay, ayl, math.FMA(ay, ay, -h))
		b := ((p.r - erfcShift) - l) - ayl/ay
		p.tail = expSum(-h, b) / (ay * scale)
	}
	return p
}

// erfcOf returns erfc(y)/scale for y = ±p.ay (neg: y < 0), scale = 1 or 2 as given to erfCore:
// erfc y = 1 ∓ erf|y| near 0 (as fdlibm, by 0.5 - (|y|·r + (|y| - 0.5)) on [¼, erfSmall)),
// (1 ∓ erx) ∓ r in the middle, and erfc|y| or 2 - erfc|y| in the tails.
func erfcOf(p erfParts, neg bool, scale float64) float64 {
	half := 1 / scale
	switch {
	case p.k >= 2 && neg:
		return (half + half) - p.tail
	case p.k >= 2:
		return p.tail
	case p.k == 1 && neg:
		return ((1 + erx) + p.r) * half
	case p.k == 1:
		return ((1 - erx) - p.r) * half
	case neg:
		return (1 + math.FMA(p.ay, p.r, p.ay)) * half
	case p.ay < 0.25:
		return (1 - math.FMA(p.ay, p.r, p.ay)) * half
	}
	return (0.5 - math.FMA(p.ay, p.r, p.ay-0.5)) * half
}

// erfGeneric is the pure-Go twin of the assembly erf kernels: erf x = ±(|x| + |x|·r),
// ±(erx + r) or ±(1 - erfc|x|) by interval (erfCore), with x's sign.
func erfGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 {
		if v != v {
			return v
		}
		p := erfCore(v, 0, 1)
		e := 1 - p.tail
		switch p.k {
		case 0:
			e = math.FMA(p.ay, p.r, p.ay)
		case 1:
			e = erx + p.r
		}
		return math.Copysign(e, v)
	})
}

// erfcGeneric is the pure-Go twin of the assembly erfc kernels (erfCore, erfcOf).
func erfcGeneric(dst, x []float64) {
	mapScalar(dst, x, func(v float64) float64 {
		if v != v {
			return v
		}
		return erfcOf(erfCore(v, 0, 1), v < 0, 1)
	})
}

// normalCDFScalar is Φ(v) = erfc(y)/2 for y = -v/√2 carried as yh + yl (fused products with
// 1/√2 in two parts), so that the far lower tail keeps its relative accuracy.
func normalCDFScalar(v float64) float64 {
	if v != v {
		return v
	}
	yh := -v * invSqrt2Hi
	yl := math.FMA(-v, invSqrt2Lo, math.FMA(-v, invSqrt2Hi, -yh))
	return erfcOf(erfCore(yh, yl, 2), yh < 0, 2)
}

// normalCDFGeneric is the pure-Go twin of the assembly normal CDF kernels (normalCDFScalar).
func normalCDFGeneric(dst, x []float64) { mapScalar(dst, x, normalCDFScalar) }

// Bounds of the quantile's intervals (Wichura's AS241, PPND16): |p - ½| ≤ quantSplit uses
// t = quantConst - (p - ½)²; beyond, r = √(-ln min(p, 1-p)) and t = r - quantShift1 for
// r ≤ quantSplit2 or t = r - quantSplit2 (the far tail).
const (
	quantSplit  = 0.425
	quantConst  = 0.180625
	quantShift1 = 1.6
	quantSplit2 = 5
)

// quantNum and quantDen hold AS241's three rational approximations (a/b, c/d, e/f, columns
// k = 0, 1, 2 as in normalQuantileScalar; column 3 is unused), laid out as erfNum and erfDen.
var (
	quantNum = [8][4]float64{
		{3.3871328727963666080e0, 1.42343711074968357734e0, 6.65790464350110377720e0},
		{1.3314166789178437745e+2, 4.63033784615654529590e0, 5.46378491116411436990e0},
		{1.9715909503065514427e+3, 5.76949722146069140550e0, 1.78482653991729133580e0},
		{1.3731693765509461125e+4, 3.64784832476320460504e0, 2.96560571828504891230e-1},
		{4.5921953931549871457e+4, 1.27045825245236838258e0, 2.65321895265761230930e-2},
		{6.7265770927008700853e+4, 2.41780725177450611770e-1, 1.24266094738807843860e-3},
		{3.3430575583588128105e+4, 2.27238449892691845833e-2, 2.71155556874348757815e-5},
		{2.5090809287301226727e+3, 7.74545014278341407640e-4, 2.01033439929228813265e-7},
	}
	quantDen = [7][4]float64{
		{4.2313330701600911252e+1, 2.05319162663775882187e0, 5.99832206555887937690e-1},
		{6.8718700749205790830e+2, 1.67638483018380384940e0, 1.36929880922735805310e-1},
		{5.3941960214247511077e+3, 6.89767334985100004550e-1, 1.48753612908506148525e-2},
		{2.1213794301586595867e+4, 1.48103976427480074590e-1, 7.86869131145613259100e-4},
		{3.9307895800092710610e+4, 1.51986665636164571966e-2, 1.84631831751005468180e-5},
		{2.8729085735721942674e+4, 5.47593808499534494600e-4, 1.42151175831644588870e-7},
		{5.2264952788528545610e+3, 1.05075007164441684324e-9, 2.04426310338993978564e-15},
	}
)

// normalQuantileScalar is Φ⁻¹(p) by AS241: q·A(t)/B(t) near the centre (k = 0), ±C(t)/D(t) or
// ±E(t)/F(t) in the tails (k = 1, 2), 1 - p being exact for p ≥ ½.
func normalQuantileScalar(p float64) float64 {
	switch {
	case !(p > 0 && p < 1):
		switch p {
		case 0:
			return math.Inf(-1)
		case 1:
			return math.Inf(1)
		}
		return math.NaN()
	}
	q := p - 0.5
	if math.Abs(q) <= quantSplit {
		return q * ratEval(quantNum[:], quantDen[:], 0, math.FMA(-q, q, quantConst))
	}
	pt := p
	if q > 0 {
		pt = 1 - p
	}
	r := math.Sqrt(-logScalar(pt))
	k, t := 1, r-quantShift1
	if r > quantSplit2 {
		k, t = 2, r-quantSplit2
	}
	return math.Copysign(ratEval(quantNum[:], quantDen[:], k, t), q)
}

// normalQuantileGeneric is the pure-Go twin of the assembly normal quantile kernels
// (normalQuantileScalar).
func normalQuantileGeneric(dst, p []float64) { mapScalar(dst, p, normalQuantileScalar) }
