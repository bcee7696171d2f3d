// Package simd will hold gojammy's batched float64 kernels and their dispatch (a generic Go
// implementation of every kernel plus amd64 assembly twins chosen once at start-up from cpuid).
//
// For now it only reports what the dispatch will see: the detected CPU features and the kernel
// implementation in use, which is "generic" until the assembly kernels land.
package simd

import (
	"sort"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// relevant lists the CPU features that matter for float64 kernels, in reporting order.
var relevant = []cpuid.FeatureID{
	cpuid.SSE2, cpuid.SSE4, cpuid.AVX, cpuid.FMA3, cpuid.AVX2,
	cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512VL, cpuid.ASIMD, cpuid.SVE,
}

// Implementation names the kernel implementation in use. It is "generic" (pure Go) until the
// assembly kernels land.
func Implementation() string { return "generic" }

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
