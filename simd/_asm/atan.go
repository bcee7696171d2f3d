package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// atanUnitBody returns atan t for t in [0, 1], as atanUnit in Go.
func atanUnitBody(t reg.VecVirtual) reg.VecVirtual {
	Comment("interval k of t; r = (a·t - b)/(c + d·t)")
	m1, m2, k := YMM(), YMM(), YMM()
	VCMPPD(U8(0x1d), specialConst("atanSplit1"), t, m1) // ≥
	VCMPPD(U8(0x1d), specialConst("atanSplit2"), t, m2)
	VPXOR(k, k, k)
	countAtLeast(k, m1, m2)
	idx := intervalIndex(k)
	r, b := m1, m2
	VPERMPS(atanRed[0], idx, r)
	VPERMPS(atanRed[1], idx, b)
	VFMSUB213PD(b, t, r)
	d, c := YMM(), YMM()
	VPERMPS(atanRed[3], idx, d)
	VPERMPS(atanRed[2], idx, c)
	VFMADD213PD(c, t, d)
	VDIVPD(d, r, r)
	Comment("S = z·Σ even + w·Σ odd, z = r², w = z²")
	z, w := d, c
	VMULPD(r, r, z)
	VMULPD(z, z, w)
	poly := goRows("atanPoly")
	coef := func(j int) Mem { return specialValue(fmt.Sprint("atanPoly", j), poly[j][0]) }
	chain := func(last int) reg.VecVirtual {
		p := YMM()
		VMOVUPD(coef(last), p)
		for j := last - 2; j >= 0; j -= 2 {
			VFMADD213PD(coef(j), w, p)
		}
		return p
	}
	s1, s2 := chain(10), chain(9)
	VMULPD(z, s1, s1)
	VFMADD213PD(s1, w, s2)
	Comment("atan t = hi - ((r·S - lo) - r)")
	VPERMPS(atanRed[5], idx, z)
	VFMSUB213PD(z, r, s2)
	VSUBPD(r, s2, s2)
	VPERMPS(atanRed[4], idx, z)
	VSUBPD(s2, z, z)
	return z
}

// atan2Body returns atan2(y, x) for the four pairs in y and x, as atan2Scalar in Go.
func atan2Body(y, x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	Comment("ax, ay = |x|, |y| (1, 1 if both are infinite); q = [ay > ax] + 2·[x negative]")
	ax, ay, m, t := YMM(), YMM(), YMM(), YMM()
	VANDPD(c["abs"], x, ax)
	VANDPD(c["abs"], y, ay)
	VCMPPD(U8(0x00), logConsts["inf"], ax, m)
	VCMPPD(U8(0x00), logConsts["inf"], ay, t)
	VANDPD(t, m, m)
	VBLENDVPD(m, c["one"], ax, ax)
	VBLENDVPD(m, c["one"], ay, ay)
	q := YMM()
	VPSRLQ(U8(63), x, q)
	VPADDQ(q, q, q)
	VCMPPD(U8(0x1e), ax, ay, m) // ay > ax
	countAtLeast(q, m)
	Comment("t = min/max (0 for 0/0)")
	VMINPD(ay, ax, t)
	VMAXPD(ay, ax, ax)
	VDIVPD(ax, t, t)
	VCMPPD(U8(0x00), c["zero"], ax, m)
	VANDNPD(t, m, t)
	a := atanUnitBody(t)
	Comment("|atan2| = c + (s·a + cLo) by q, with y's sign; NaN: x + y")
	idx := intervalIndex(q)
	VPERMPS(atanQuad[2], idx, t)
	VPERMPS(atanQuad[1], idx, m)
	VFMADD213PD(m, t, a)
	VPERMPS(atanQuad[0], idx, t)
	VADDPD(t, a, a)
	VANDPD(c["sign"], y, t)
	VORPD(t, a, a)
	VCMPPD(U8(0x03), y, x, m)
	VADDPD(y, x, t)
	VBLENDVPD(m, t, a, a)
	return a
}

// sqrt1m returns √(1 - x²), 1 - x² fused, as asinScalar and acosScalar in Go.
func sqrt1m(x reg.VecVirtual) reg.VecVirtual {
	s := YMM()
	VMOVUPD(expConsts["one"], s)
	VFNMADD231PD(x, x, s)
	VSQRTPD(s, s)
	return s
}

// atanKernels emits the AVX2 inverse trigonometric kernels.
func atanKernels() {
	vectorLoop("atanAVX2", "atan x[i]", func(x reg.VecVirtual) reg.VecVirtual {
		one := YMM()
		VMOVUPD(expConsts["one"], one)
		return atan2Body(x, one)
	})
	vectorLoopIO("atan2AVX2", []string{"dst"}, []string{"y", "x"}, "dst[i] = atan2(y[i], x[i])",
		func(yx []reg.VecVirtual) []reg.VecVirtual { return []reg.VecVirtual{atan2Body(yx[0], yx[1])} })
	vectorLoop("asinAVX2", "asin x[i]", func(x reg.VecVirtual) reg.VecVirtual { return atan2Body(x, sqrt1m(x)) })
	vectorLoop("acosAVX2", "acos x[i]", func(x reg.VecVirtual) reg.VecVirtual { return atan2Body(sqrt1m(x), x) })
}
