package simd

import (
	"runtime"
	"sort"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// relevant lists the CPU features that matter for float64 kernels, in reporting order.
var relevant = []cpuid.FeatureID{
	cpuid.SSE2, cpuid.SSE4, cpuid.AVX, cpuid.FMA3, cpuid.AVX2,
	cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512VL, cpuid.ASIMD, cpuid.SVE,
}

// KernelInfo describes the dispatch decision made at start-up.
type KernelInfo struct {
	Arch      string            // runtime.GOARCH
	CPU       string            // processor brand string ("" if unknown)
	Features  []string          // as [Features]
	Requested string            // value of GOJAMMY_SIMD ("" if unset)
	Level     string            // implementation level in use, as [Implementation]
	Note      string            // why Level differs from Requested ("" if it does not)
	Available []string          // levels compiled into this build that the CPU supports
	Kernels   map[string]string // kernel family ("gemm", "vecmath", "mixture", "rqspline") → implementation level it runs
}

// Info reports the architecture, the detected features, the requested and chosen
// implementation levels and, per kernel family, the implementation actually used.
func Info() KernelInfo {
	info := KernelInfo{
		Arch: runtime.GOARCH, CPU: CPUName(), Features: Features(),
		Requested: active.requested, Level: active.level.String(), Note: active.note,
		Kernels: map[string]string{"gemm": gemmLevel.String(), "vecmath": vecmathLevel.String(), "mixture": mixtureLevel.String(), "rqspline": rqsplineLevel.String()},
	}
	for l := levelGeneric; l < numLevels; l++ {
		if compiled(l) && cpuSupports(l) {
			info.Available = append(info.Available, l.String())
		}
	}
	return info
}

// Features returns the detected CPU features relevant to the kernels (lower-case names such as
// "avx2", "fma3", "avx512f"), in a fixed order.
func Features() []string {
	var out []string
	for _, f := range relevant {
		if cpuid.CPU.Supports(f) {
			out = append(out, strings.ToLower(f.String()))
		}
	}
	return out
}

// AllFeatures returns every feature cpuid detected, sorted, for diagnostics.
func AllFeatures() []string {
	out := cpuid.CPU.FeatureSet()
	for i, s := range out {
		out[i] = strings.ToLower(s)
	}
	sort.Strings(out)
	return out
}

// CPUName is the brand string reported by the processor ("" if unknown).
func CPUName() string { return cpuid.CPU.BrandName }

// X86Level is the x86-64 micro-architecture level (1 to 4; 0 on other architectures).
func X86Level() int { return cpuid.CPU.X64Level() }
