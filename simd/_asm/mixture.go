package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// maxMixtureArg bounds a kernel's exponent as simd.maxMixtureArg does.
const maxMixtureArg = 700

// mixtureKernels emits the logistic-mixture family: the sums alone and the sums with the
// kernel terms kept.
func mixtureKernels() {
	expConstants()
	bounds := [2]Mem{vconst("mixtureArgMin", -maxMixtureArg), vconst("mixtureArgMax", maxMixtureArg)}
	mixtureKernel("logisticMixtureAVX2", false, bounds)
	mixtureKernel("logisticMixtureTermsAVX2", true, bounds)
}

// mixtureKernel emits a kernel that evaluates a logistic mixture at each full group of four
// points, kernel by kernel in order, as logisticMixtureGeneric.
// With terms it also stores σ(u) and σ(−u) of kernel j at point i in q and s at j·ldq + i.
func mixtureKernel(name string, terms bool, bounds [2]Mem) {
	sig := "func(F, S, f, y, par []float64, k, stride int)"
	if terms {
		sig = "func(F, S, f, q, s, y, par []float64, k, stride, ldq int)"
	}
	TEXT(name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(name+" sets F, S and f (and, with terms, q and s) for the points i < len(y) &^ 3 as its",
		"pure-Go twin logisticMixtureGeneric does; par holds k ≥ 0 kernels, stride ≥ 4 values apart,",
		"and the terms of kernel j start at q[j·ldq] and s[j·ldq].")
	c := expConsts
	outs := []reg.Register{Load(Param("F").Base(), GP64()), Load(Param("S").Base(), GP64()), Load(Param("f").Base(), GP64())}
	yp := Load(Param("y").Base(), GP64())
	groups := Load(Param("y").Len(), GP64())
	SHRQ(U8(2), groups)
	strideB := Load(Param("stride"), GP64())
	SHLQ(U8(3), strideB)
	var qp, sp, termStride reg.Register
	if terms {
		qp, sp = Load(Param("q").Base(), GP64()), Load(Param("s").Base(), GP64())
		termStride = Load(Param("ldq"), GP64())
		SHLQ(U8(3), termStride)
	}
	pj, pend := GP64(), GP64()
	var qj, sj reg.GPVirtual
	if terms {
		qj, sj = GP64(), GP64()
	}

	Label(name + "_group")
	TESTQ(groups, groups)
	JZ(LabelRef(name + "_done"))
	y := YMM()
	VMOVUPD(Mem{Base: yp}, y)
	acc := [3]reg.VecVirtual{YMM(), YMM(), YMM()}
	for _, a := range acc {
		VXORPD(a, a, a)
	}
	Load(Param("par").Base(), pj)
	Comment("pend = par + k·stride values: the end of the last kernel")
	Load(Param("k"), pend)
	IMULQ(strideB, pend)
	ADDQ(pj, pend)
	if terms {
		MOVQ(qp, qj)
		MOVQ(sp, sj)
	}

	Label(name + "_kernel")
	CMPQ(pj, pend)
	JAE(LabelRef(name + "_store"))
	Comment("a = clamp((μ − y)/h) to ±700 (NaN stays NaN), x = eᵃ")
	a, t := YMM(), YMM()
	VBROADCASTSD(Mem{Base: pj}, a)
	VSUBPD(y, a, a)
	VBROADCASTSD(Mem{Base: pj, Disp: 8}, t)
	VMULPD(t, a, a)
	VMOVUPD(bounds[0], t)
	VMAXPD(a, t, t)
	VMOVUPD(bounds[1], a)
	VMINPD(t, a, a)
	x := mixtureExp(a)
	Comment("σ(u) = 1/(1 + x), σ(−u) = x·σ(u); F += w·σ(u), S += w·σ(−u), f += (w/h)·σ(−u)·σ(u)")
	qv := YMM()
	VADDPD(c["one"], x, qv)
	VMOVUPD(c["one"], t)
	VDIVPD(qv, t, qv)
	VMULPD(qv, x, x)
	Comment("(products rounded before the sums, as the generic twin and the row-by-row paths do)")
	w, prod := YMM(), YMM()
	VBROADCASTSD(Mem{Base: pj, Disp: 16}, w)
	VMULPD(w, qv, prod)
	VADDPD(prod, acc[0], acc[0])
	VMULPD(w, x, prod)
	VADDPD(prod, acc[1], acc[1])
	VBROADCASTSD(Mem{Base: pj, Disp: 24}, w)
	VMULPD(w, x, prod)
	VMULPD(qv, prod, prod)
	VADDPD(prod, acc[2], acc[2])
	if terms {
		VMOVUPD(qv, Mem{Base: qj})
		VMOVUPD(x, Mem{Base: sj})
		ADDQ(termStride, qj)
		ADDQ(termStride, sj)
	}
	ADDQ(strideB, pj)
	JMP(LabelRef(name + "_kernel"))

	Label(name + "_store")
	for o, p := range outs {
		VMOVUPD(acc[o], Mem{Base: p})
		ADDQ(U8(32), p)
	}
	ADDQ(U8(32), yp)
	if terms {
		ADDQ(U8(32), qp)
		ADDQ(U8(32), sp)
	}
	DECQ(groups)
	JMP(LabelRef(name + "_group"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// mixtureExp returns eᵃ for the values in a, |a| ≤ 700, as mixtureExp in Go: n = round(a/ln2)
// read from the shifter's low bits, r = a − n·ln2 in two parts, eʳ by its degree-13 Taylor
// polynomial in Estrin's scheme (a dependency chain of 5 multiply-adds instead of Horner's 13:
// the kernel is bound by latency), times 2ⁿ (normal for |n| ≤ 1010).
func mixtureExp(a reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	bits, n, r := YMM(), YMM(), YMM()
	VMOVUPD(c["shifter"], bits)
	VFMADD231PD(c["log2e"], a, bits)
	VSUBPD(c["shifter"], bits, n)
	VMOVAPD(a, r)
	VFNMADD231PD(c["ln2Hi"], n, r)
	VFNMADD231PD(c["ln2Lo"], n, r)
	r2, r4, r8 := YMM(), YMM(), YMM()
	VMULPD(r, r, r2)
	VMULPD(r2, r2, r4)
	VMULPD(r4, r4, r8)
	// pair(k) = c_k + c_{k+1}·r
	pair := func(k int) reg.VecVirtual {
		p := YMM()
		VMOVUPD(c[fmt.Sprint("c", k+1)], p)
		VFMADD213PD(c[fmt.Sprint("c", k)], r, p)
		return p
	}
	// q = pair(k) + r²·pair(k+2)
	quad := func(k int) reg.VecVirtual {
		lo := pair(k)
		VFMADD231PD(pair(k+2), r2, lo)
		return lo
	}
	Comment("eʳ = (q0 + r⁴·q4) + r⁸·(q8 + r⁴·(c12 + c13·r)), q_k = (c_k + c_{k+1}r) + r²(c_{k+2} + c_{k+3}r)")
	s0 := quad(0)
	VFMADD231PD(quad(4), r4, s0)
	s1 := quad(8)
	VFMADD231PD(pair(12), r4, s1)
	VFMADD231PD(s1, r8, s0)
	Comment("× 2ⁿ from the shifter's integer bits")
	VPADDQ(c["bias"], bits, bits)
	VPSLLQ(U8(52), bits, bits)
	VMULPD(bits, s0, s0)
	return s0
}
