package main

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"log"
	"math"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// The constants and coefficient tables of the erf family, the normal quantile and the inverse
// trigonometric functions are read from the generic kernels' sources, so that both use the same
// numbers.
var specialSources = []string{"../special.go", "../atan.go"}

// goValues holds the constant values of specialSources: scalars by name, tables by name and
// row (one value per column).
var goValues struct {
	consts map[string]float64
	tables map[string][][]float64
}

// readGoValues parses the constant declarations (literals and arithmetic on them) and the
// composite-literal tables of specialSources.
func readGoValues() {
	goValues.consts = map[string]float64{}
	goValues.tables = map[string][][]float64{}
	for _, src := range specialSources {
		readGoFile(src)
	}
}

// readGoFile adds the values of the Go file src to goValues.
func readGoFile(src string) {
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	var eval func(e ast.Expr) constant.Value
	eval = func(e ast.Expr) constant.Value {
		switch e := e.(type) {
		case *ast.BasicLit:
			return constant.MakeFromLiteral(e.Value, e.Kind, 0)
		case *ast.UnaryExpr:
			return constant.UnaryOp(e.Op, eval(e.X), 0)
		case *ast.BinaryExpr:
			op := e.Op
			if op == token.QUO {
				return constant.BinaryOp(constant.ToFloat(eval(e.X)), op, constant.ToFloat(eval(e.Y)))
			}
			return constant.BinaryOp(eval(e.X), op, eval(e.Y))
		case *ast.ParenExpr:
			return eval(e.X)
		}
		log.Fatalf("%s: unsupported constant expression %T", src, e)
		return nil
	}
	float := func(e ast.Expr) float64 {
		v, _ := constant.Float64Val(constant.ToFloat(eval(e)))
		return v
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok {
			continue
		}
		for _, s := range g.Specs {
			vs, ok := s.(*ast.ValueSpec)
			if !ok {
				continue
			}
			for i, name := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.CompositeLit); ok {
					for _, row := range lit.Elts {
						var r []float64
						for _, e := range row.(*ast.CompositeLit).Elts {
							r = append(r, float(e))
						}
						goValues.tables[name.Name] = append(goValues.tables[name.Name], r)
					}
				} else if g.Tok == token.CONST {
					goValues.consts[name.Name] = float(vs.Values[i])
				}
			}
		}
	}
}

// goConst is the constant name of specialSources.
func goConst(name string) float64 {
	v, ok := goValues.consts[name]
	if !ok {
		log.Fatalf("no constant %s in %v", name, specialSources)
	}
	return v
}

// specialConst returns a vector constant holding the constant name of specialSources.
func specialConst(name string) Mem { return specialValue(name, goConst(name)) }

// specialValue returns a vector constant holding v, emitted the first time name is asked for.
func specialValue(name string, v float64) Mem {
	if m, ok := specialConsts[name]; ok {
		return m
	}
	m := vconst("special_"+name, v)
	specialConsts[name] = m
	return m
}

var specialConsts = map[string]Mem{}

// coefTable is a table of rational-approximation coefficients, one 32-byte vector per row
// holding the row's value for each of four intervals; VPERMPS picks a lane's interval.
type coefTable []Mem

// goTable emits the table name of specialSources as a coefTable.
func goTable(name string) coefTable {
	rows := goRows(name)
	t := make(coefTable, len(rows))
	for j, row := range rows {
		t[j] = GLOBL(fmt.Sprintf("%s%d", name, j), RODATA|NOPTR)
		for i := 0; i < 4; i++ {
			v := 0.0
			if i < len(row) {
				v = row[i]
			}
			DATA(8*i, U64(math.Float64bits(v)))
		}
	}
	return t
}

// goRows is the table name of specialSources.
func goRows(name string) [][]float64 {
	rows, ok := goValues.tables[name]
	if !ok {
		log.Fatalf("no table %s in %v", name, specialSources)
	}
	return rows
}

// The special kernels' tables and integer constants, emitted once by specialConsts.
var erfNum, erfDen, quantNum, quantDen, atanRed, atanQuad coefTable
var permHigh Mem

func specialTables() {
	readGoValues()
	erfNum, erfDen = goTable("erfNum"), goTable("erfDen")
	quantNum, quantDen = goTable("quantNum"), goTable("quantDen")
	atanRed, atanQuad = goTable("atanRed"), goTable("atanQuad")
	permHigh = vconstBits("specialPermHigh", 1<<32)
}

// intervalIndex returns the VPERMPS index selecting column k (0..3, one int64 per lane) of a
// coefTable: the float32 pair (2k, 2k+1) in each lane. k is overwritten.
func intervalIndex(k reg.VecVirtual) reg.VecVirtual {
	idx := YMM()
	VPADDQ(k, k, k)
	VPSLLQ(U8(32), k, idx)
	VPOR(k, idx, idx)
	VPOR(permHigh, idx, idx)
	return idx
}

// countAtLeast adds, to the int64 lanes of k, 1 for each mask in masks that is set.
func countAtLeast(k reg.VecVirtual, masks ...reg.VecVirtual) {
	for _, m := range masks {
		VPSUBQ(m, k, k)
	}
}

// ratEval returns N(t)/D(t) with the column idx of num and den, as ratEval in Go.
func ratEval(num, den coefTable, idx, t reg.VecVirtual) reg.VecVirtual {
	c := YMM()
	horner := func(tab coefTable) reg.VecVirtual {
		p := YMM()
		VPERMPS(tab[len(tab)-1], idx, p)
		for j := len(tab) - 2; j >= 0; j-- {
			VPERMPS(tab[j], idx, c)
			VFMADD213PD(c, t, p)
		}
		return p
	}
	n := horner(num)
	Comment("D = 1 + t·Σ den[j]·tʲ")
	d := horner(den)
	VFMADD213PD(expConsts["one"], t, d)
	VDIVPD(d, n, n)
	return n
}

// erfParts are the registers of erfCore's result: ay = |y| clamped to erfcLimit, the masks
// ay ≥ erfSmall (m1) and ay ≥ erfMid (m2), r and the tail erfc|y|/scale (valid where m2).
type erfParts struct{ ay, m1, m2, r, tail reg.VecVirtual }

// erfCore computes erfParts for y = yh + yl (yl nil: 0) as erfCore in Go.
func erfCore(yh, yl reg.VecVirtual, scale float64) erfParts {
	c := expConsts
	Comment("ay = min(|yh|, erfcLimit), ayl = yl·sign(yh), k = interval of ay")
	ayu, ay := YMM(), YMM()
	VANDPD(c["abs"], yh, ayu)
	VMINPD(specialConst("erfcLimit"), ayu, ay)
	var ayl reg.VecVirtual
	if yl != nil {
		ayl = YMM()
		VANDPD(c["sign"], yh, ayl)
		VXORPD(yl, ayl, ayl)
	}
	p := erfParts{ay: ay, m1: YMM(), m2: YMM()}
	m3, k := YMM(), YMM()
	VCMPPD(U8(0x1d), specialConst("erfSmall"), ay, p.m1) // ≥
	VCMPPD(U8(0x1d), specialConst("erfMid"), ay, p.m2)
	VCMPPD(U8(0x1d), specialConst("erfLarge"), ay, m3)
	VPXOR(k, k, k)
	countAtLeast(k, p.m1, p.m2, m3)
	idx := intervalIndex(k)
	Comment("t = ay² (k = 0), (ay - 1) + ayl (k = 1), 1/ay² (k ≥ 2)")
	h, t, u := YMM(), YMM(), YMM()
	VMULPD(ay, ay, h)
	VSUBPD(c["one"], ay, u)
	if ayl != nil {
		VADDPD(ayl, u, u)
	}
	VBLENDVPD(p.m1, u, h, t)
	VMOVUPD(c["one"], u)
	VDIVPD(h, u, u)
	VBLENDVPD(p.m2, u, t, t)
	p.r = ratEval(erfNum, erfDen, idx, t)
	Comment("tail = e^(-h + b)/(ay·scale), b = ((r - erfcShift) - l) - ayl/ay, l = ay² - h")
	l, b := YMM(), YMM()
	VMOVAPD(h, l)
	VFMSUB231PD(ay, ay, l)
	VSUBPD(specialConst("erfcShift"), p.r, b)
	if ayl != nil {
		VADDPD(ay, ay, u)
		VFMADD231PD(u, ayl, l)
		VSUBPD(l, b, b)
		VDIVPD(ay, ayl, u)
		VSUBPD(u, b, b)
	} else {
		VSUBPD(l, b, b)
	}
	VXORPD(c["sign"], h, h)
	e := expSumBody(h, b)
	if scale == 2 {
		VADDPD(ay, ay, u)
	} else {
		VMOVAPD(ay, u)
	}
	VDIVPD(u, e, e)
	VCMPPD(U8(0x11), specialConst("erfcLimit"), ayu, u) // |yh| < erfcLimit
	VANDPD(u, e, e)
	p.tail = e
	return p
}

// erfcOf returns erfc(y)/scale for y = ±ay (neg: the lanes where y < 0), as erfcOf in Go.
func erfcOf(p erfParts, neg reg.VecVirtual, scale float64) reg.VecVirtual {
	c := expConsts
	halve := func(v reg.VecVirtual) {
		if scale == 2 {
			VMULPD(c["half"], v, v)
		}
	}
	Comment("erfc y by interval and sign of y")
	e, pos, ng, t := YMM(), YMM(), YMM(), YMM()
	VMOVAPD(p.ay, e)
	VFMADD231PD(p.ay, p.r, e) // erf ay = ay + ay·r (k = 0)
	VADDPD(c["one"], e, ng)
	halve(ng)
	VMOVUPD(c["one"], pos)
	VSUBPD(e, pos, pos)
	halve(pos)
	VSUBPD(c["half"], p.ay, e)
	VFMADD231PD(p.ay, p.r, e)
	VMOVUPD(c["half"], t)
	VSUBPD(e, t, t)
	halve(t)
	VCMPPD(U8(0x1d), specialValue("quarter", 0.25), p.ay, e) // ay ≥ ¼
	VBLENDVPD(e, t, pos, pos)
	VADDPD(specialValue("erx1p", 1+goConst("erx")), p.r, t)
	halve(t)
	VBLENDVPD(p.m1, t, ng, ng)
	VMOVUPD(specialValue("erx1m", 1-goConst("erx")), t)
	VSUBPD(p.r, t, t)
	halve(t)
	VBLENDVPD(p.m1, t, pos, pos)
	VBLENDVPD(p.m2, p.tail, pos, pos)
	VMOVUPD(specialValue(fmt.Sprint("twoOver", scale), 2/scale), t)
	VSUBPD(p.tail, t, t)
	VBLENDVPD(p.m2, t, ng, ng)
	VBLENDVPD(neg, ng, pos, pos)
	return pos
}

// keepNaN sets the lanes of v where x is NaN to x.
func keepNaN(x, v reg.VecVirtual) {
	m := YMM()
	VCMPPD(U8(0x03), x, x, m) // unordered
	VBLENDVPD(m, x, v, v)
}

// erfBody returns erf x for the four values in x, as erfGeneric.
func erfBody(x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	p := erfCore(x, nil, 1)
	Comment("erf ay = ay + ay·r, erx + r or 1 - tail by interval, with x's sign")
	e, t := YMM(), YMM()
	VMOVAPD(p.ay, e)
	VFMADD231PD(p.ay, p.r, e)
	VADDPD(specialConst("erx"), p.r, t)
	VBLENDVPD(p.m1, t, e, e)
	VMOVUPD(c["one"], t)
	VSUBPD(p.tail, t, t)
	VBLENDVPD(p.m2, t, e, e)
	VANDPD(c["sign"], x, t)
	VORPD(t, e, e)
	keepNaN(x, e)
	return e
}

// erfcBody returns erfc x for the four values in x, as erfcGeneric.
func erfcBody(x reg.VecVirtual) reg.VecVirtual { return erfcOfSum(x, x, nil, 1) }

// erfcOfSum returns erfc(yh + yl)/scale (yl nil: 0), or x where x is NaN.
func erfcOfSum(x, yh, yl reg.VecVirtual, scale float64) reg.VecVirtual {
	neg := YMM()
	VCMPPD(U8(0x11), expConsts["zero"], yh, neg) // y < 0
	e := erfcOf(erfCore(yh, yl, scale), neg, scale)
	keepNaN(x, e)
	return e
}

// normalCDFBody returns Φ(x) for the four values in x, as normalCDFGeneric.
func normalCDFBody(x reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	Comment("y = -x/√2 = yh + yl")
	nx, yh, yl := YMM(), YMM(), YMM()
	VXORPD(c["sign"], x, nx)
	VMULPD(specialConst("invSqrt2Hi"), nx, yh)
	VMOVAPD(yh, yl)
	VFMSUB231PD(specialConst("invSqrt2Hi"), nx, yl)
	VFMADD231PD(specialConst("invSqrt2Lo"), nx, yl)
	return erfcOfSum(x, yh, yl, 2)
}

// normalQuantileBody returns Φ⁻¹(p) for the four values in p, as normalQuantileGeneric.
func normalQuantileBody(p reg.VecVirtual) reg.VecVirtual {
	c := expConsts
	Comment("q = p - ½; centre (k = 0): t = quantConst - q²")
	q, central, t := YMM(), YMM(), YMM()
	VSUBPD(c["half"], p, q)
	VANDPD(c["abs"], q, t)
	VCMPPD(U8(0x12), specialConst("quantSplit"), t, central) // |q| ≤ quantSplit
	VMOVUPD(specialConst("quantConst"), t)
	VFNMADD231PD(q, q, t)
	Comment("tails: r = √(-ln min(p, 1-p)); k = 1, t = r - quantShift1 or k = 2, t = r - quantSplit2")
	pt, m := YMM(), YMM()
	VMOVUPD(c["one"], pt)
	VSUBPD(p, pt, pt)
	VCMPPD(U8(0x1e), c["zero"], q, m) // q > 0
	VBLENDVPD(m, pt, p, pt)
	r := logFinite(pt)
	VXORPD(c["sign"], r, r)
	VSQRTPD(r, r)
	far, k := YMM(), YMM()
	VCMPPD(U8(0x1e), specialConst("quantSplit2"), r, far) // r > quantSplit2
	VANDNPD(far, central, far)                            // and not central
	VPCMPEQQ(k, k, k)
	VPXOR(central, k, m) // not central
	VPXOR(k, k, k)
	countAtLeast(k, m, far)
	u := YMM()
	VSUBPD(specialConst("quantShift1"), r, u)
	VSUBPD(specialConst("quantSplit2"), r, r)
	VBLENDVPD(far, r, u, u)
	VBLENDVPD(central, t, u, t)
	v := ratEval(quantNum, quantDen, intervalIndex(k), t)
	Comment("x = q·v (centre) or v with q's sign")
	VMULPD(q, v, u)
	VANDPD(c["abs"], v, v)
	VANDPD(c["sign"], q, q)
	VORPD(q, v, v)
	VBLENDVPD(central, u, v, v)
	Comment("p = 0: -Inf; p = 1: +Inf; p outside [0, 1] or NaN: NaN")
	VCMPPD(U8(0x19), c["zero"], p, m) // !(p ≥ 0)
	VCMPPD(U8(0x16), c["one"], p, u)  // !(p ≤ 1)
	VORPD(u, m, m)
	VBLENDVPD(m, logConsts["nan"], v, v)
	VCMPPD(U8(0x00), c["zero"], p, m)
	VBLENDVPD(m, logConsts["negInf"], v, v)
	VCMPPD(U8(0x00), c["one"], p, m)
	VBLENDVPD(m, logConsts["inf"], v, v)
	return v
}

// specialKernels emits the AVX2 kernels of the erf family and the normal quantile.
func specialKernels() {
	specialTables()
	vectorLoop("erfAVX2", "erf x[i]", erfBody)
	vectorLoop("erfcAVX2", "erfc x[i]", erfcBody)
	vectorLoop("normalCDFAVX2", "Φ(x[i])", normalCDFBody)
	vectorLoop("normalQuantileAVX2", "Φ⁻¹(x[i])", normalQuantileBody)
	atanKernels()
}
