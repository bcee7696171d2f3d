package main

import (
	"fmt"
	"math"

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
	TEXT(name, NOSPLIT, "func(dst, x []float64)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets dst[i] = %s for i < len(x) &^ 3 (the pure-Go twin is the", name, doc),
		"generic kernel of the same name); len(dst) must be at least len(x) &^ 3.")
	dp := Load(Param("dst").Base(), GP64())
	xp := Load(Param("x").Base(), GP64())
	n := Load(Param("x").Len(), GP64())
	SHRQ(U8(2), n)
	step := func(groups int) {
		xs := make([]reg.VecVirtual, groups)
		for g := range xs {
			xs[g] = YMM()
			VMOVUPD(Mem{Base: xp, Disp: 32 * g}, xs[g])
		}
		for g, x := range xs {
			VMOVUPD(body(x), Mem{Base: dp, Disp: 32 * g})
		}
		ADDQ(U32(32*groups), xp)
		ADDQ(U32(32*groups), dp)
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

// expConsts and logConsts are the kernels' constant vectors, emitted once.
var expConsts, logConsts map[string]Mem

func vecmathConsts() {
	expConsts = map[string]Mem{
		"min": vconst("expMin", expMin), "max": vconst("expMax", expMax),
		"log2e": vconst("expLog2e", log2e), "shifter": vconst("expShifter", shifter),
		"ln2Hi": vconst("expLn2Hi", ln2Hi), "ln2Lo": vconst("expLn2Lo", ln2Lo),
		"half": vconst("expHalf", 0.5), "bias": vconstBits("expBias", 1023),
	}
	// eʳ's Taylor coefficients 1/k!, k = 0..13.
	f := 1.0
	for k := 0; k <= 13; k++ {
		if k > 0 {
			f *= float64(k)
		}
		expConsts[fmt.Sprint("c", k)] = vconst(fmt.Sprint("expC", k), 1/f)
	}
	logConsts = map[string]Mem{
		"one": vconst("logOne", 1), "two": vconst("logTwo", 2), "half": vconst("logHalf", 0.5),
		"sqrt2": vconst("logSqrt2", sqrt2), "ln2Hi": vconst("logLn2Hi", ln2Hi), "ln2Lo": vconst("logLn2Lo", ln2Lo),
		"minNormal": vconst("logMinNormal", 0x1p-1022), "scale52": vconst("logScale52", 0x1p52),
		"adj52": vconst("logAdj52", 52), "mantissa": vconstBits("logMantissa", 1<<52-1),
		"oneBits": vconstBits("logOneBits", 0x3ff<<52), "expBase": vconstBits("logExpBase", 0x4330000000000000),
		"expOffset": vconst("logExpOffset", 0x1p52+1023), "zero": vconst("logZero", 0),
		"inf": vconst("logInf", math.Inf(1)), "negInf": vconst("logNegInf", math.Inf(-1)), "nan": vconstBits("logNaN", 0x7ff8000000000000),
	}
	for k := 1; k <= 10; k++ {
		logConsts[fmt.Sprint("c", k)] = vconst(fmt.Sprint("logC", k), 2/float64(2*k+1))
	}
}

// expBody returns eˣ for the four values in x, as expGeneric.
func expBody(x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	v, t := YMM(), YMM()
	Comment("v = clamp(x) to [expMin, expMax]; NaN stays NaN")
	VMOVUPD(c["min"], v)
	VMAXPD(x, v, v)
	VMOVUPD(c["max"], t)
	VMINPD(v, t, t)
	Comment("n = round(v·log2e) (in t's low bits and as float in n); r = v - n·ln2")
	n, r := YMM(), YMM()
	VMOVUPD(c["shifter"], x)
	VFMADD231PD(c["log2e"], t, x)
	VSUBPD(c["shifter"], x, n)
	VMOVAPD(t, r)
	VFNMADD231PD(c["ln2Hi"], n, r)
	VFNMADD231PD(c["ln2Lo"], n, r)
	Comment("p = eʳ by Horner's rule")
	p := YMM()
	VMOVUPD(c["c13"], p)
	for k := 12; k >= 0; k-- {
		VFMADD213PD(c[fmt.Sprint("c", k)], r, p)
	}
	Comment("2ⁿ = 2^n1 · 2^(n-n1), n1 = round(n/2), built from the shifter's integer bits")
	n1 := YMM()
	VMOVUPD(c["shifter"], n1)
	VFMADD231PD(c["half"], n, n1)
	VSUBPD(c["shifter"], n1, v)
	VSUBPD(v, n, n)
	VADDPD(c["shifter"], n, n)
	for _, s := range []reg.VecVirtual{n1, n} {
		VPADDQ(c["bias"], s, s)
		VPSLLQ(U8(52), s, s)
		VMULPD(s, p, p)
	}
	return p
}

// logBody returns ln x for the four values in x, as logGeneric.
func logBody(x reg.VecVirtual) reg.VecVirtual {
	c := logConsts
	sub, v, e := YMM(), YMM(), YMM()
	Comment("subnormals: v = x·2⁵², e -= 52")
	VCMPPD(U8(0x11), c["minNormal"], x, sub) // x < 2⁻¹⁰²² (ordered)
	VMULPD(c["scale52"], x, v)
	VBLENDVPD(sub, v, x, v)
	Comment("e = biased exponent - 1023 (exact through the 2⁵² bit trick), m in [1, 2)")
	m := YMM()
	VPSRLQ(U8(52), v, e)
	VPOR(c["expBase"], e, e)
	VSUBPD(c["expOffset"], e, e)
	VANDPD(c["adj52"], sub, sub)
	VSUBPD(sub, e, e)
	VANDPD(c["mantissa"], v, m)
	VORPD(c["oneBits"], m, m)
	Comment("m > √2: m /= 2, e++")
	big, t := YMM(), YMM()
	VCMPPD(U8(0x1e), c["sqrt2"], m, big) // m > √2
	VMULPD(c["half"], m, t)
	VBLENDVPD(big, t, m, m)
	VANDPD(c["one"], big, big)
	VADDPD(big, e, e)
	Comment("s = (m-1)/(m+1), ln m = 2s + s·z·q(z), z = s²")
	s, z, q := YMM(), YMM(), YMM()
	VSUBPD(c["one"], m, t)
	VADDPD(c["one"], m, s)
	VDIVPD(s, t, s)
	VMULPD(s, s, z)
	VMOVUPD(c["c10"], q)
	for k := 9; k >= 1; k-- {
		VFMADD213PD(c[fmt.Sprint("c", k)], z, q)
	}
	VMULPD(z, q, q)
	VMULPD(s, q, q)
	VFMADD231PD(c["two"], s, q)
	Comment("ln x = e·ln2Hi + (ln m + e·ln2Lo)")
	VFMADD231PD(c["ln2Lo"], e, q)
	VFMADD231PD(c["ln2Hi"], e, q)
	Comment("x = +Inf or NaN: x; x = ±0: -Inf; x < 0: NaN")
	VCMPPD(U8(0x05), c["inf"], x, t) // !(x < +Inf)
	VBLENDVPD(t, x, q, q)
	VCMPPD(U8(0x00), c["zero"], x, t) // x == 0
	VBLENDVPD(t, c["negInf"], q, q)
	VCMPPD(U8(0x11), c["zero"], x, t) // x < 0
	VBLENDVPD(t, c["nan"], q, q)
	return q
}

// vecmathKernels emits the AVX2 vector math kernels.
func vecmathKernels() {
	vecmathConsts()
	vectorLoop("expAVX2", "eˣ⁽ⁱ⁾", expBody)
	vectorLoop("logAVX2", "ln x[i]", logBody)
}
