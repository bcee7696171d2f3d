// Command _asm generates gojammy's amd64 SIMD kernels with avo.
//
// It is a separate module so that the main module does not depend on avo. Run it through
// `go generate ./simd/` (see simd/gen.go): one run per kernel family writes
// simd/<family>_amd64.s and the Go declarations in simd/<family>_amd64.go.
package main

import (
	"flag"
	"fmt"
	"log"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// isa describes one vector instruction set for the GEMM micro-kernel generator.
type isa struct {
	name  string                      // suffix of the generated symbol, e.g. "AVX2"
	lanes int                         // float64 lanes per vector register
	vec   func(i int) reg.VecPhysical // the i-th vector register
	zero  func(r reg.VecPhysical)     // sets r to +0
}

var (
	avx2 = isa{
		name: "AVX2", lanes: 4,
		vec: func(i int) reg.VecPhysical {
			return []reg.VecPhysical{reg.Y0, reg.Y1, reg.Y2, reg.Y3, reg.Y4, reg.Y5, reg.Y6, reg.Y7, reg.Y8, reg.Y9, reg.Y10, reg.Y11, reg.Y12, reg.Y13, reg.Y14, reg.Y15}[i]
		},
		zero: func(r reg.VecPhysical) { VXORPD(r, r, r) },
	}
	// An AVX-512 isa (8 lanes, Z0–Z31, VPXORQ zeroing) drives the same generator. A 12×16
	// kernel built that way matched but did not beat the AVX2 one on the Zen 4 this was tuned
	// on (512-bit FMAs are double-pumped there), so it is not generated.
)

// kernelSet selects the family written by this run; each family has its own output files.
var kernelSet = flag.String("kernels", "", "kernel family to generate: gemm, vecmath, mixture or rqspline")

func main() {
	flag.Parse()
	ConstraintExpr("gc,!noasm,!purego")
	switch *kernelSet {
	case "gemm":
		gemmKernel(avx2, 6, 8)
	case "vecmath":
		vecmathKernels()
	case "mixture":
		mixtureKernels()
	case "rqspline":
		rqsplineKernels()
	default:
		log.Fatalf("-kernels %q: want gemm, vecmath, mixture or rqspline", *kernelSet)
	}
	Generate()
}

// gemmKernel emits gemmKernel{mr}x{nr}{ISA}: C = alpha·Ã·B̃ + beta·C on a column of tiles
// full mr×nr tiles of a row-major C (tile t at row t·mr), with tile t's Ã at a[t·k·mr:] (k
// groups of mr values, one column of A each) and one B̃ for all (k groups of nr values, one row
// of B each). nr must be a multiple of the ISA's lane count. When beta == 0, C is only written.
// The k loop is unrolled four times.
func gemmKernel(v isa, mr, nr int) {
	nv := nr / v.lanes
	name := fmt.Sprintf("gemmKernel%dx%d%s", mr, nr, v.name)
	TEXT(name, NOSPLIT, "func(tiles, k int, a, b, c []float64, ldc int, alpha, beta float64)")
	Pragma("noescape")
	Doc(fmt.Sprintf("%s sets C = alpha·Ã·B̃ + beta·C for tiles %d×%d tiles stacked in C", name, mr, nr),
		fmt.Sprintf("(mr = %d, nr = %d). Its pure-Go twin is gemmKernel2x4Generic; it computes (up to FMA", mr, nr),
		"rounding) this loop:",
		"",
		"	for t := 0; t < tiles; t++ {",
		"		at, ct := a[t*k*mr:], c[t*mr*ldc:]",
		"		for i := 0; i < mr; i++ {",
		"			for j := 0; j < nr; j++ {",
		"				var s float64",
		"				for p := 0; p < k; p++ {",
		"					s += at[p*mr+i] * b[p*nr+j]",
		"				}",
		"				if beta == 0 {",
		"					ct[i*ldc+j] = alpha * s",
		"				} else {",
		"					ct[i*ldc+j] = alpha*s + beta*ct[i*ldc+j]",
		"				}",
		"			}",
		"		}",
		"	}",
		"",
		"The slices are not bounds-checked: tiles and k must be positive, a must hold tiles·k·mr",
		"values, b k·nr, and c must reach (tiles·mr-1)·ldc+nr.")

	acc := make([]reg.VecPhysical, mr*nv)
	for i := range acc {
		acc[i] = v.vec(i)
	}
	bv := make([]reg.VecPhysical, nv)
	for j := range bv {
		bv[j] = v.vec(mr*nv + j)
	}
	bc := [2]reg.VecPhysical{v.vec(mr*nv + nv), v.vec(mr*nv + nv + 1)}

	tiles := Load(Param("tiles"), GP64())
	ap := Load(Param("a").Base(), GP64())
	cp := Load(Param("c").Base(), GP64())
	ldc := Load(Param("ldc"), GP64())
	SHLQ(U8(3), ldc)
	beta0 := GP64()
	Comment("beta == ±0 (all bits but the sign clear): C is only written")
	MOVQ(paramAddr("beta"), beta0)
	SHLQ(U8(1), beta0)
	k, bp, n, pf := GP64(), GP64(), GP64(), GP64()

	Label(name + "_tile")
	Load(Param("k"), k)
	Load(Param("b").Base(), bp)
	Comment("Prefetch the C tile; it is read (beta ≠ 0) or written after the k loop.")
	MOVQ(cp, pf)
	for i := 0; i < mr; i++ {
		PREFETCHT0(Mem{Base: pf})
		PREFETCHT0(Mem{Base: pf, Disp: nr*8 - 8})
		if i < mr-1 {
			ADDQ(ldc, pf)
		}
	}
	for _, r := range acc {
		v.zero(r)
	}

	vbytes := 8 * v.lanes
	step := func(u int) {
		for j := range bv {
			VMOVUPD(Mem{Base: bp, Disp: (u*nr)*8 + j*vbytes}, bv[j])
		}
		for i := 0; i < mr; i++ {
			t := bc[i%2]
			VBROADCASTSD(Mem{Base: ap, Disp: (u*mr + i) * 8}, t)
			for j := range bv {
				VFMADD231PD(bv[j], t, acc[i*nv+j])
			}
		}
	}

	const unroll = 4
	MOVQ(k, n)
	SHRQ(U8(2), n)
	JZ(LabelRef(name + "_tail"))
	Label(name + "_loop4")
	for u := 0; u < unroll; u++ {
		step(u)
	}
	ADDQ(U32(unroll*mr*8), ap)
	ADDQ(U32(unroll*nr*8), bp)
	DECQ(n)
	JNZ(LabelRef(name + "_loop4"))

	Label(name + "_tail")
	ANDQ(U8(unroll-1), k)
	JZ(LabelRef(name + "_scale"))
	Label(name + "_loop1")
	step(0)
	ADDQ(U32(mr*8), ap)
	ADDQ(U32(nr*8), bp)
	DECQ(k)
	JNZ(LabelRef(name + "_loop1"))

	Label(name + "_scale")
	Comment("acc *= alpha")
	VBROADCASTSD(paramAddr("alpha"), bc[0])
	for _, r := range acc {
		VMULPD(r, bc[0], r)
	}
	TESTQ(beta0, beta0)
	JNZ(LabelRef(name + "_accumulate"))
	for i := 0; i < mr; i++ {
		for j := 0; j < nv; j++ {
			VMOVUPD(acc[i*nv+j], Mem{Base: cp, Disp: j * vbytes})
		}
		ADDQ(ldc, cp)
	}
	JMP(LabelRef(name + "_next"))

	Label(name + "_accumulate")
	Comment("acc += beta·C")
	VBROADCASTSD(paramAddr("beta"), bc[1])
	for i := 0; i < mr; i++ {
		for j := 0; j < nv; j++ {
			m := Mem{Base: cp, Disp: j * vbytes}
			VFMADD231PD(m, bc[1], acc[i*nv+j])
			VMOVUPD(acc[i*nv+j], m)
		}
		ADDQ(ldc, cp)
	}

	Label(name + "_next")
	DECQ(tiles)
	JNZ(LabelRef(name + "_tile"))
	VZEROUPPER()
	RET()
}

// paramAddr is the frame address of the scalar parameter name.
func paramAddr(name string) Mem {
	b, err := Param(name).Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
