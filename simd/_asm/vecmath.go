package main

import (
	"fmt"
	"math"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The constants below repeat simd/vecmath.go's; TestVecmathAccuracy checks the results.
const (
	ln2Hi   = 6.93147180369123816490e-01
	ln2Lo   = 1.90821492927058770002e-10
	log2e   = 1.44269504088896338700e+00
	expMin  = -746.0
	expMax  = 710.0
	sqrt2   = 1.41421356237309514547
	shifter = 0x1.8p52 // adding it rounds |v| < 2⁵¹ to an integer held in the low mantissa bits
	twoOvPi = 6.36619772367581382433e-01
	pio2_1  = 1.57079632673412561417e+00
	pio2_2  = 6.07710050630396597660e-11
	pio2_3  = 2.02226624871116645580e-21
	pio2_3t = 8.47842766036889956997e-32
)

// vconst returns a 32-byte read-only vector holding v in each lane.
func vconst(name string, v float64) Mem { return vconstBits(name, math.Float64bits(v)) }

// vconstBits returns a 32-byte read-only vector holding bits in each lane.
func vconstBits(name string, bits uint64) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := 0; i < 4; i++ {
		DATA(8*i, U64(bits))
	}
	return m
}

// vectorLoop emits an element-wise kernel func(dst, x []float64) that applies body to each
// full group of 4 values (len(x) rounded down to a multiple of 4; the Go wrapper does the
// rest), two groups per iteration while it can.
func vectorLoop(name, doc string, body func(x reg.VecVirtual) reg.VecVirtual) {
	vectorLoopN(name, []string{"dst"}, fmt.Sprintf("dst[i] = %s", doc), func(x reg.VecVirtual) []reg.VecVirtual {
		return []reg.VecVirtual{body(x)}
	})
}

// vectorLoopN is vectorLoop for a body with one result per output slice in outs.
func vectorLoopN(name string, outs []string, doc string, body func(x reg.VecVirtual) []reg.VecVirtual) {
	vectorLoopIO(name, outs, []string{"x"}, doc, func(xs []reg.VecVirtual) []reg.VecVirtual { return body(xs[0]) })
}

// vectorLoopIO is vectorLoopN for a body of several inputs, ins (the last one, x, sets the
// length).
func vectorLoopIO(name string, outs, ins []string, doc string, body func(xs []reg.VecVirtual) []reg.VecVirtual) {
	TEXT(name, NOSPLIT, fmt.Sprintf("func(%s, %s []float64)", strings.Join(outs, ", "), strings.Join(ins, ", ")))
	Pragma("noescape")
	twin := strings.TrimSuffix(name, "AVX2") + "Generic"
	others := append(append([]string(nil), outs...), ins[:len(ins)-1]...)
	Doc(fmt.Sprintf("%s sets %s for i < len(x) &^ 3, as its pure-Go twin %s", name, doc, twin),
		fmt.Sprintf("does for every i; len(%s) must be at least len(x) &^ 3.", strings.Join(others, "), len(")))
	dps := make([]reg.Register, len(outs))
	for o, out := range outs {
		dps[o] = Load(Param(out).Base(), GP64())
	}
	xps := make([]reg.Register, len(ins))
	for i, in := range ins {
		xps[i] = Load(Param(in).Base(), GP64())
	}
	n := Load(Param("x").Len(), GP64())
	SHRQ(U8(2), n)
	step := func(groups int) {
		xs := make([][]reg.VecVirtual, groups)
		for g := range xs {
			for _, xp := range xps {
				v := YMM()
				VMOVUPD(Mem{Base: xp, Disp: 32 * g}, v)
				xs[g] = append(xs[g], v)
			}
		}
		for g, x := range xs {
			for o, y := range body(x) {
				VMOVUPD(y, Mem{Base: dps[o], Disp: 32 * g})
			}
		}
		for _, p := range append(xps, dps...) {
			ADDQ(U32(32*groups), p)
		}
	}
	Label(name + "_loop2")
	CMPQ(n, U8(2))
	JB(LabelRef(name + "_tail"))
	step(2)
	SUBQ(U8(2), n)
	JMP(LabelRef(name + "_loop2"))
	Label(name + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	step(1)
	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// expConsts, logConsts and trigConsts are the kernels' constant vectors, emitted once.
var expConsts, logConsts, trigConsts map[string]Mem

// vecmathConsts emits the constant vectors of all vector-math kernels.
func vecmathConsts() {
	expConstants()
	logConsts = map[string]Mem{
		"one": vconst("logOne", 1), "half": vconst("logHalf", 0.5),
		"sqrt2": vconst("logSqrt2", sqrt2), "ln2Hi": vconst("logLn2Hi", ln2Hi), "ln2Lo": vconst("logLn2Lo", ln2Lo),
		"minNormal": vconst("logMinNormal", 0x1p-1022), "scale52": vconst("logScale52", 0x1p52),
		"adj52": vconst("logAdj52", 52), "mantissa": vconstBits("logMantissa", 1<<52-1),
		"oneBits": vconstBits("logOneBits", 0x3ff<<52), "expBase": vconstBits("logExpBase", 0x4330000000000000),
		"expOffset": vconst("logExpOffset", 0x1p52+1023), "zero": vconst("logZero", 0),
		"inf": vconst("logInf", math.Inf(1)), "negInf": vconst("logNegInf", math.Inf(-1)), "nan": vconstBits("logNaN", 0x7ff8000000000000),
		"minusOne": vconst("logMinusOne", -1),
	}
	for k := 1; k <= 10; k++ {
		logConsts[fmt.Sprint("c", k)] = vconst(fmt.Sprint("logC", k), 2/float64(2*k+1))
	}
	trigConsts = map[string]Mem{
		"twoOvPi": vconst("trigTwoOvPi", twoOvPi), "pio2_1": vconst("trigPio2_1", pio2_1), "negPio2_2": vconst("trigNegPio2_2", -pio2_2),
		"pio2_3": vconst("trigPio2_3", pio2_3), "pio2_3t": vconst("trigPio2_3t", pio2_3t), "one64": vconstBits("trigOne64", 1),
	}
	// sin r's coefficients (-1)ᵏ/(2k+1)! as s0..s7 (k = 1..8), cos r's (-1)ᵏ/(2k)! as c0..c7 (k = 2..9).
	f := 1.0
	for k := 1; k <= 18; k++ {
		f *= float64(k)
		sign := 1.0
		if (k/2)%2 == 1 {
			sign = -1
		}
		switch {
		case k%2 == 1 && k >= 3:
			trigConsts[fmt.Sprint("s", (k-3)/2)] = vconst(fmt.Sprint("trigS", (k-3)/2), sign/f)
		case k%2 == 0 && k >= 4:
			trigConsts[fmt.Sprint("c", (k-4)/2)] = vconst(fmt.Sprint("trigC", (k-4)/2), sign/f)
		}
	}
}

// expConstants emits the exponential's constant vectors (expConsts), which the logistic-mixture
// kernels use too.
func expConstants() {
	expConsts = map[string]Mem{
		"min": vconst("expMin", expMin), "max": vconst("expMax", expMax),
		"log2e": vconst("expLog2e", log2e), "shifter": vconst("expShifter", shifter),
		"ln2Hi": vconst("expLn2Hi", ln2Hi), "ln2Lo": vconst("expLn2Lo", ln2Lo), "negLn2Lo": vconst("expNegLn2Lo", -ln2Lo),
		"half": vconst("expHalf", 0.5), "bias": vconstBits("expBias", 1023), "zero": vconst("expZero", 0),
		"one": vconst("expOne", 1), "two": vconst("expTwo", 2),
		"sign": vconstBits("expSign", 1<<63), "abs": vconstBits("expAbs", 1<<63-1),
	}
	// eʳ's Taylor coefficients 1/k!, k = 0..13.
	f := 1.0
	for k := 0; k <= 13; k++ {
		if k > 0 {
			f *= float64(k)
		}
		expConsts[fmt.Sprint("c", k)] = vconst(fmt.Sprint("expC", k), 1/f)
	}
}

// expRound clamps x to [expMin, expMax] into v (NaN stays NaN) and returns n = round((v + b)/ln2)
// as a float (b nil: 0). x is overwritten.
func expRound(x, b reg.VecVirtual) (v, n reg.VecVirtual) {
	c := expConsts
	t := YMM()
	v = YMM()
	Comment("v = clamp(x) to [expMin, expMax]; NaN stays NaN")
	VMOVUPD(c["min"], t)
	VMAXPD(x, t, t)
	VMOVUPD(c["max"], v)
	VMINPD(t, v, v)
	s := v
	if b != nil {
		s = YMM()
		VADDPD(b, v, s)
	}
	Comment("n = round((v + b)·log2e) through the shifter")
	n = x
	VMOVUPD(c["shifter"], n)
	VFMADD231PD(c["log2e"], s, n)
	VSUBPD(c["shifter"], n, n)
	return v, n
}

// expReduce returns n and r = (v - n·ln2Hi + b) - n·ln2Lo for v = x clamped (b nil: 0), as
// expSum in Go. x is overwritten.
func expReduce(x, b reg.VecVirtual) (n, r reg.VecVirtual) {
	c := expConsts
	r, n = expRound(x, b)
	VFNMADD231PD(c["ln2Hi"], n, r)
	if b != nil {
		VADDPD(b, r, r)
	}
	VFNMADD231PD(c["ln2Lo"], n, r)
	return n, r
}

// pow2Split returns 2^n1 and 2^n2, n1 = round(n/2), n2 = n - n1, as pow2Split in Go, and the
// integer n2 + shifter in t2 (for 2^-n2). n is overwritten.
func pow2Split(n reg.VecVirtual) (s1, s2, t2 reg.VecVirtual) {
	c := expConsts
	Comment("2ⁿ = 2^n1·2^n2, n1 = round(n/2), each built from a shifter's integer bits")
	s1, t := YMM(), YMM()
	VMOVUPD(c["shifter"], s1)
	VFMADD231PD(c["half"], n, s1)
	VSUBPD(c["shifter"], s1, t)
	VSUBPD(t, n, n)
	VADDPD(c["shifter"], n, n)
	VMOVAPD(n, t)
	for _, s := range []reg.VecVirtual{s1, n} {
		VPADDQ(c["bias"], s, s)
		VPSLLQ(U8(52), s, s)
	}
	return s1, n, t
}

// horner returns Σ c_k·rᵏ⁻ᶠⁱʳˢᵗ for k = first..last, with c_k = consts[prefix+k].
func horner(consts map[string]Mem, prefix string, r reg.VecVirtual, first, last int) reg.VecVirtual {
	p := YMM()
	VMOVUPD(consts[fmt.Sprint(prefix, last)], p)
	for k := last - 1; k >= first; k-- {
		VFMADD213PD(consts[fmt.Sprint(prefix, k)], r, p)
	}
	return p
}

// expBody returns eˣ for the four values in x, as expGeneric.
func expBody(x reg.VecVirtual) reg.VecVirtual { return expSumBody(x, nil) }

// expSumBody returns e^(a+b) (b nil: 0) for the four values in a, as expSum in Go. a is
// overwritten.
func expSumBody(a, b reg.VecVirtual) reg.VecVirtual {
	n, r := expReduce(a, b)
	Comment("p = eʳ")
	p := horner(expConsts, "c", r, 0, 13)
	s1, s2, _ := pow2Split(n)
	VMULPD(s1, p, p)
	VMULPD(s2, p, p)
	return p
}

// expm1Body returns eˣ - 1 for the four values in x, as expm1Generic.
func expm1Body(x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	zero, x0 := YMM(), YMM()
	VCMPPD(U8(0x00), c["zero"], x, zero) // x == ±0: the result is x
	VMOVAPD(x, x0)
	rHi, n := expRound(x, nil)
	Comment("r = rHi + rLo, rHi = v - n·ln2Hi, rLo = -n·ln2Lo; rErr by two-sum")
	rLo, r := YMM(), YMM()
	VFNMADD231PD(c["ln2Hi"], n, rHi)
	VMULPD(c["negLn2Lo"], n, rLo)
	rErr := twoSum(rHi, rLo, r)
	Comment("p = r²·Σ rᵏ⁻²/k!, qHi = r + p, qLo = (r - qHi) + p + rErr·(1 + qHi)")
	p := horner(expConsts, "c", r, 2, 13)
	VMULPD(r, p, p)
	VMULPD(r, p, p)
	qHi, qLo := YMM(), YMM()
	VADDPD(p, r, qHi)
	VSUBPD(qHi, r, qLo)
	VADDPD(p, qLo, qLo)
	VFMADD231PD(qHi, rErr, rErr)
	VADDPD(rErr, qLo, qLo)
	s1, s2, t2 := pow2Split(n)
	Comment("((2^n1·qHi + (2^n1 - 2^-n2)) + 2^n1·qLo)·2^n2, 2^-n2 from the bits of n2")
	inv := YMM()
	VMOVUPD(c["bias"], inv)
	VPSUBQ(t2, inv, inv)
	VPSLLQ(U8(52), inv, inv)
	VSUBPD(inv, s1, inv)
	VFMADD231PD(s1, qHi, inv)
	VFMADD231PD(s1, qLo, inv)
	VMULPD(s2, inv, inv)
	VBLENDVPD(zero, x0, inv, inv)
	return inv
}

// logFinite returns ln v for finite v > 0 as logScalar in Go (other inputs give garbage that
// the callers replace). v is not modified.
func logFinite(v reg.VecVirtual) reg.VecVirtual {
	c := logConsts
	sub, w, e := YMM(), YMM(), YMM()
	Comment("subnormals: w = v·2⁵², e -= 52")
	VCMPPD(U8(0x11), c["minNormal"], v, sub) // v < 2⁻¹⁰²² (ordered)
	VMULPD(c["scale52"], v, w)
	VBLENDVPD(sub, w, v, w)
	Comment("e = biased exponent - 1023 (exact through the 2⁵² bit trick), m in [1, 2)")
	m := YMM()
	VPSRLQ(U8(52), w, e)
	VPOR(c["expBase"], e, e)
	VSUBPD(c["expOffset"], e, e)
	VANDPD(c["adj52"], sub, sub)
	VSUBPD(sub, e, e)
	VANDPD(c["mantissa"], w, m)
	VORPD(c["oneBits"], m, m)
	Comment("m > √2: m /= 2, e++")
	big, t := YMM(), YMM()
	VCMPPD(U8(0x1e), c["sqrt2"], m, big) // m > √2
	VMULPD(c["half"], m, t)
	VBLENDVPD(big, t, m, m)
	VANDPD(c["one"], big, big)
	VADDPD(big, e, e)
	Comment("f = m - 1, s = f/(2+f), z = s², R = z·q(z)")
	f, s, z := YMM(), YMM(), YMM()
	VSUBPD(c["one"], m, f)
	VADDPD(c["one"], m, s)
	VDIVPD(s, f, s)
	VMULPD(s, s, z)
	q := horner(c, "c", z, 1, 10)
	VMULPD(z, q, q)
	Comment("ln v = e·ln2Hi - ((hfsq - (s·(hfsq + R) + e·ln2Lo)) - f), hfsq = f²/2")
	h := YMM()
	VMULPD(c["half"], f, h)
	VMULPD(f, h, h)
	VADDPD(h, q, q)
	VMULPD(s, q, q)
	VFMADD231PD(c["ln2Lo"], e, q)
	VSUBPD(q, h, h)
	VSUBPD(f, h, h)
	VFMSUB231PD(c["ln2Hi"], e, h)
	return h
}

// logBody returns ln x for the four values in x, as logGeneric.
func logBody(x reg.VecVirtual) reg.VecVirtual {
	c := logConsts
	q := logFinite(x)
	Comment("x = +Inf or NaN: x; x = ±0: -Inf; x < 0: NaN")
	t := YMM()
	VCMPPD(U8(0x05), c["inf"], x, t) // !(x < +Inf)
	VBLENDVPD(t, x, q, q)
	VCMPPD(U8(0x00), c["zero"], x, t) // x == 0
	VBLENDVPD(t, c["negInf"], q, q)
	VCMPPD(U8(0x11), c["zero"], x, t) // x < 0
	VBLENDVPD(t, c["nan"], q, q)
	return q
}

// log1pBody returns ln(1 + x) for the four values in x, as log1pGeneric.
func log1pBody(x reg.VecVirtual) reg.VecVirtual {
	c := logConsts
	u, d := YMM(), YMM()
	Comment("u = 1 + x; ln(1 + x) = ln u + (x - (u - 1))/u")
	VADDPD(c["one"], x, u)
	VSUBPD(c["one"], u, d)
	VSUBPD(d, x, d)
	VDIVPD(u, d, d)
	q := logFinite(u)
	VADDPD(d, q, q)
	Comment("x = +Inf, NaN or ±0: x; x = -1: -Inf; x < -1: NaN")
	t := YMM()
	VCMPPD(U8(0x05), c["inf"], x, t) // !(x < +Inf)
	VBLENDVPD(t, x, q, q)
	VCMPPD(U8(0x00), c["zero"], x, t) // x == 0
	VBLENDVPD(t, x, q, q)
	VCMPPD(U8(0x00), c["minusOne"], x, t) // x == -1
	VBLENDVPD(t, c["negInf"], q, q)
	VCMPPD(U8(0x11), c["minusOne"], x, t) // x < -1
	VBLENDVPD(t, c["nan"], q, q)
	return q
}

// negAbs returns -|x| in a new register.
func negAbs(x reg.VecVirtual) reg.VecVirtual {
	y := YMM()
	VORPD(expConsts["sign"], x, y)
	return y
}

// sigmoidBody returns 1/(1 + e⁻ˣ) for the four values in x, as sigmoidGeneric.
func sigmoidBody(x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	Comment("t = e^-|x|; σ = (x ≥ 0 ? 1 : t)/(1 + t)")
	t := expBody(negAbs(x))
	d, num, ge := YMM(), YMM(), YMM()
	VADDPD(c["one"], t, d)
	VCMPPD(U8(0x1d), c["zero"], x, ge) // x ≥ 0
	VBLENDVPD(ge, c["one"], t, num)
	VDIVPD(d, num, num)
	return num
}

// softplusBody returns ln(1 + eˣ) (sign = +1) or ln σ(x) = -ln(1 + e⁻ˣ) (sign = -1) for the
// four values in x, as softplusGeneric and logSigmoidGeneric.
func softplusBody(sign int) func(x reg.VecVirtual) reg.VecVirtual {
	return func(x reg.VecVirtual) reg.VecVirtual {
		c := expConsts
		Comment("l = ln(1 + e^-|x|); softplus = max(x, 0) + l, log-sigmoid = min(x, 0) - l")
		l := log1pBody(expBody(negAbs(x)))
		m := YMM()
		VMOVUPD(c["zero"], m)
		if sign > 0 {
			VMAXPD(x, m, m) // NaN x gives x
			VADDPD(l, m, m)
		} else {
			VMINPD(x, m, m)
			VSUBPD(l, m, m)
		}
		return m
	}
}

// tanhBody returns tanh x for the four values in x, as tanhGeneric.
func tanhBody(x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	Comment("t = e^(-2|x|) - 1; tanh x = sign(x)·(-t/(t + 2))")
	a := negAbs(x)
	VADDPD(a, a, a)
	sx := YMM()
	VANDPD(c["sign"], x, sx)
	t := expm1Body(a)
	d := YMM()
	VADDPD(c["two"], t, d)
	VXORPD(c["sign"], t, t)
	VDIVPD(d, t, t)
	VANDPD(c["abs"], t, t)
	VORPD(sx, t, t)
	return t
}

// twoSum sets s = a + b rounded and returns its rounding error (Knuth), as twoSum in Go.
func twoSum(a, b, s reg.VecVirtual) (err reg.VecVirtual) {
	bb, err := YMM(), YMM()
	VADDPD(b, a, s)
	VSUBPD(a, s, bb)
	VSUBPD(bb, s, err)
	VSUBPD(err, a, err)
	VSUBPD(bb, b, bb)
	VADDPD(bb, err, err)
	return err
}

// sincosBody returns sin x and cos x for the four values in x, as sincosScalar does for
// |x| ≤ trigLimit (the Go wrapper sends larger arguments to math).
func sincosBody(x reg.VecVirtual) (sin, cos reg.VecVirtual) {
	c := trigConsts
	Comment("j = round(x·2/π) (tj = j + shifter); r + rLo = x - j·π/2 in four parts")
	tj, j := YMM(), YMM()
	VMOVUPD(expConsts["shifter"], tj)
	VFMADD231PD(c["twoOvPi"], x, tj)
	VSUBPD(expConsts["shifter"], tj, j)
	t, p2, a := YMM(), YMM(), YMM()
	VMOVAPD(x, t)
	VFNMADD231PD(c["pio2_1"], j, t)
	VMULPD(c["negPio2_2"], j, p2)
	aErr := twoSum(t, p2, a)
	w, r, rLo := YMM(), YMM(), YMM()
	VMULPD(c["pio2_3t"], j, w)
	VFMADD231PD(c["pio2_3"], j, w)
	VSUBPD(w, a, r)
	VSUBPD(r, a, rLo)
	VSUBPD(w, rLo, rLo)
	VADDPD(aErr, rLo, rLo)
	Comment("sin = r + (r·z·S(z) + rLo·(1 - z/2)), cos = w + (((1 - w) - z/2) + (z²·C(z) - r·rLo)), w = 1 - z/2")
	z := YMM()
	VMULPD(r, r, z)
	s := horner(c, "s", z, 0, 7)
	cp := horner(c, "c", z, 0, 7)
	hz := YMM()
	VMULPD(expConsts["half"], z, hz)
	VMOVUPD(expConsts["one"], w)
	VSUBPD(hz, w, w)
	sr := YMM()
	VMULPD(z, s, s)
	VMULPD(r, s, s)
	VFMADD231PD(w, rLo, s)
	VADDPD(s, r, sr)
	zero := YMM()
	VCMPPD(U8(0x00), expConsts["zero"], x, zero) // x == ±0: sin is x
	VBLENDVPD(zero, x, sr, sr)
	VMOVUPD(expConsts["one"], t)
	VSUBPD(w, t, t)
	VSUBPD(hz, t, t)
	VMULPD(z, z, z)
	VMULPD(z, cp, cp)
	VFNMADD231PD(rLo, r, cp)
	VADDPD(cp, t, t)
	VADDPD(w, t, t)
	Comment("quadrant q = j mod 4: odd q swaps (sin, cos) → (cos, -sin); q ≥ 2 negates both")
	odd, neg := YMM(), YMM()
	VPAND(c["one64"], tj, odd)
	VPCMPEQQ(c["one64"], odd, odd)
	sin, cos = YMM(), YMM()
	VBLENDVPD(odd, t, sr, sin)
	VBLENDVPD(odd, sr, t, cos)
	VPSLLQ(U8(63), odd, odd) // sign bit where q is odd
	VXORPD(odd, cos, cos)
	VPSRLQ(U8(1), tj, neg)
	VPSLLQ(U8(63), neg, neg) // sign bit where q ≥ 2
	VXORPD(neg, sin, sin)
	VXORPD(neg, cos, cos)
	return sin, cos
}

// vecmathKernels emits the AVX2 vector math kernels.
func vecmathKernels() {
	vecmathConsts()
	vectorLoop("expAVX2", "e^x[i]", expBody)
	vectorLoop("expm1AVX2", "e^x[i] - 1", expm1Body)
	vectorLoop("logAVX2", "ln x[i]", logBody)
	vectorLoop("log1pAVX2", "ln(1 + x[i])", log1pBody)
	vectorLoop("sigmoidAVX2", "1/(1 + e^-x[i])", sigmoidBody)
	vectorLoop("softplusAVX2", "ln(1 + e^x[i])", softplusBody(+1))
	vectorLoop("logSigmoidAVX2", "-ln(1 + e^-x[i])", softplusBody(-1))
	vectorLoop("tanhAVX2", "tanh x[i]", tanhBody)
	vectorLoop("sinAVX2", "sin x[i]", func(x reg.VecVirtual) reg.VecVirtual { s, _ := sincosBody(x); return s })
	vectorLoop("cosAVX2", "cos x[i]", func(x reg.VecVirtual) reg.VecVirtual { _, c := sincosBody(x); return c })
	vectorLoopN("sincosAVX2", []string{"sin", "cos"}, "sin[i] = sin x[i] and cos[i] = cos x[i]", func(x reg.VecVirtual) []reg.VecVirtual {
		s, c := sincosBody(x)
		return []reg.VecVirtual{s, c}
	})
	specialKernels()
}
