package main

import (
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// Offsets of the fields in a bin record, as simd.RQRecordLen documents.
const (
	rqX0 = iota
	rqX1
	rqY0
	rqY1
	rqD0
	rqD1
	rqW
	rqH
	rqS
	rqK
)

// rqConsts are the constant vectors of the spline kernels.
var rqConsts map[string]Mem

// rqsplineKernels emits the rational-quadratic spline family: the bin map forward and inverse.
func rqsplineKernels() {
	rqConsts = map[string]Mem{
		"one":  vconst("rqOne", 1),
		"four": vconst("rqFour", 4),
		"sign": vconstBits("rqSign", math.Float64bits(math.Copysign(0, -1))),
	}
	rqKernel("rqForwardAVX2", "maps the points in through their bins (forward)", rqForwardBody)
	rqKernel("rqInverseAVX2", "solves their bins for the points in (inverse)", rqInverseBody)
}

// rqGroup is one group of four points inside a spline kernel: the points and the fields of
// their bin records, one vector per field (f[rqX0] holds the four x0 values, and so on).
type rqGroup struct {
	in     reg.VecVirtual
	f      [10]reg.VecVirtual
	consts map[string]Mem
}

// rqKernel emits a kernel func(out, der, in, bins []float64, at []int32) that applies body to
// each full group of four points, reading the bin record of point i at bins[at[i]:].
func rqKernel(name, doc string, body func(g rqGroup) (out, der reg.VecVirtual)) {
	TEXT(name, NOSPLIT, "func(out, der, in, bins []float64, at []int32)")
	Pragma("noescape")
	Doc(name+" "+doc+" for i < len(in) &^ 3, as its pure-Go twin does for every i:",
		"point i uses the bin record at bins[at[i]:]; out and der must be as long as in.")
	outp, derp := Load(Param("out").Base(), GP64()), Load(Param("der").Base(), GP64())
	inp, atp := Load(Param("in").Base(), GP64()), Load(Param("at").Base(), GP64())
	bins := Load(Param("bins").Base(), GP64())
	n := Load(Param("in").Len(), GP64())
	SHRQ(U8(2), n)

	Label(name + "_loop")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	in := YMM()
	VMOVUPD(Mem{Base: inp}, in)
	g := rqGroup{in: in, f: loadRecords(bins, atp), consts: rqConsts}
	out, der := body(g)
	VMOVUPD(out, Mem{Base: outp})
	VMOVUPD(der, Mem{Base: derp})
	for _, p := range []reg.Register{outp, derp, inp} {
		ADDQ(U8(32), p)
	}
	ADDQ(U8(16), atp)
	DECQ(n)
	JMP(LabelRef(name + "_loop"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// loadRecords reads the bin records of four points (offsets at[0..3] into bins, in values) and
// transposes them into one vector per field: two 4×4 transposes of the first eight fields (unpack
// pairs, then swap 128-bit halves) and the last two fields from 128-bit loads. Reading four
// records whole is much cheaper than gathering each field.
func loadRecords(bins, atp reg.Register) [10]reg.VecVirtual {
	var f [10]reg.VecVirtual
	recs := make([]Mem, 4)
	for p := range recs {
		idx := GP64()
		MOVLQSX(Mem{Base: atp, Disp: 4 * p}, idx)
		recs[p] = Mem{Base: bins, Index: idx, Scale: 8}
	}
	Comment("fields 0–3 and 4–7: rows of four records, transposed")
	for half := 0; half < 2; half++ {
		rows := make([]reg.VecVirtual, 4)
		for p := range rows {
			rows[p] = YMM()
			VMOVUPD(recs[p].Offset(32*half), rows[p])
		}
		lo01, hi01, lo23, hi23 := YMM(), YMM(), YMM(), YMM()
		VUNPCKLPD(rows[1], rows[0], lo01)
		VUNPCKHPD(rows[1], rows[0], hi01)
		VUNPCKLPD(rows[3], rows[2], lo23)
		VUNPCKHPD(rows[3], rows[2], hi23)
		for j, src := range [][2]reg.VecVirtual{{lo01, lo23}, {hi01, hi23}, {lo01, lo23}, {hi01, hi23}} {
			v := YMM()
			sel := U8(0x20)
			if j >= 2 {
				sel = U8(0x31)
			}
			VPERM2F128(sel, src[1], src[0], v)
			f[4*half+j] = v
		}
	}
	Comment("fields 8 and 9: pairs of points 0, 2 and 1, 3 in 128-bit halves, then unpacked")
	even, odd := YMM(), YMM()
	VMOVUPD(recs[0].Offset(64), even.AsX())
	VINSERTF128(U8(1), recs[2].Offset(64), even, even)
	VMOVUPD(recs[1].Offset(64), odd.AsX())
	VINSERTF128(U8(1), recs[3].Offset(64), odd, odd)
	f[8], f[9] = YMM(), YMM()
	VUNPCKLPD(odd, even, f[8])
	VUNPCKHPD(odd, even, f[9])
	return f
}

// clampBetween limits v to [lo, hi] in place as simd.clampRQ does: lo if lo > v, hi if hi < v
// (MAXPD and MINPD return their second source when either is NaN, so NaN stays NaN).
func clampBetween(v, lo, hi reg.VecVirtual) {
	VMAXPD(v, lo, v)
	VMINPD(v, hi, v)
}

// rqDerivBody returns dy/dx at ξ and the den = s + k t and t = ξ(1 − ξ) it used, as simd.rqDeriv.
func rqDerivBody(g rqGroup, xi reg.VecVirtual) (der, t, den reg.VecVirtual) {
	s := g.f[rqS]
	om := YMM()
	VMOVUPD(g.consts["one"], om)
	VSUBPD(xi, om, om)
	t = YMM()
	VMULPD(om, xi, t)
	Comment("den = k·t + s, n2 = (d1·ξ)·ξ + ((s + s)·t + (d0·(1 − ξ))·(1 − ξ))")
	den = YMM()
	VMOVAPD(g.f[rqK], den)
	VFMADD213PD(s, t, den)
	n2 := YMM()
	VMULPD(om, g.f[rqD0], n2)
	VMULPD(om, n2, n2)
	s2 := YMM()
	VADDPD(s, s, s2)
	VFMADD231PD(s2, t, n2)
	d1 := YMM()
	VMULPD(xi, g.f[rqD1], d1)
	VFMADD231PD(d1, xi, n2)
	Comment("dy/dx = (s/den)²·n2")
	q := YMM()
	VDIVPD(den, s, q)
	VMULPD(q, q, q)
	VMULPD(n2, q, q)
	return q, t, den
}

// rqForwardBody maps a group forward as simd.rqForwardGeneric does.
func rqForwardBody(g rqGroup) (out, der reg.VecVirtual) {
	Comment("ξ = (x − x0)/w")
	xi := YMM()
	VSUBPD(g.f[rqX0], g.in, xi)
	VDIVPD(g.f[rqW], xi, xi)
	der, t, den := rqDerivBody(g, xi)
	Comment("y = h·((s·ξ)·ξ + d0·t)/den + y0, limited to [y0, y1]")
	num, sx := YMM(), YMM()
	VMULPD(t, g.f[rqD0], num)
	VMULPD(xi, g.f[rqS], sx)
	VFMADD231PD(sx, xi, num)
	VDIVPD(den, num, num)
	VFMADD213PD(g.f[rqY0], g.f[rqH], num)
	clampBetween(num, g.f[rqY0], g.f[rqY1])
	return num, der
}

// rqInverseBody solves a group's bins as simd.rqInverseGeneric does.
func rqInverseBody(g rqGroup) (out, der reg.VecVirtual) {
	c := g.consts
	s, h, k, d0 := g.f[rqS], g.f[rqH], g.f[rqK], g.f[rqD0]
	Comment("dy = y − y0; a = dy·k + h·(s − d0), b = −dy·k + h·d0, c = −(s·dy)")
	dy := YMM()
	VSUBPD(g.f[rqY0], g.in, dy)
	qa := YMM()
	VSUBPD(d0, s, qa)
	VMULPD(h, qa, qa)
	VFMADD231PD(k, dy, qa)
	qb := YMM()
	VMULPD(d0, h, qb)
	VFNMADD231PD(k, dy, qb)
	qc := YMM()
	VMULPD(dy, s, qc)
	VXORPD(c["sign"], qc, qc)
	Comment("disc = max(b·b − (4a)·c, 0); ξ = (c + c)/(−b − √disc), limited to [0, 1]")
	disc := YMM()
	VMULPD(c["four"], qa, disc)
	VMULPD(qc, disc, disc)
	VFMSUB231PD(qb, qb, disc)
	zero := YMM()
	VXORPD(zero, zero, zero)
	VMAXPD(disc, zero, disc)
	VSQRTPD(disc, disc)
	VXORPD(c["sign"], qb, qb)
	VSUBPD(disc, qb, qb)
	xi := YMM()
	VADDPD(qc, qc, xi)
	VDIVPD(qb, xi, xi)
	one := YMM()
	VMOVUPD(c["one"], one)
	clampBetween(xi, zero, one)
	Comment("x = ξ·w + x0, limited to [x0, x1]")
	x := YMM()
	VMOVAPD(g.f[rqW], x)
	VFMADD213PD(g.f[rqX0], xi, x)
	clampBetween(x, g.f[rqX0], g.f[rqX1])
	der, _, _ = rqDerivBody(g, xi)
	return x, der
}
