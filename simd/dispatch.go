package simd

import (
	"fmt"
	"os"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// level is an instruction-set level; higher levels include the lower ones.
type level int

const (
	levelGeneric level = iota // pure Go
	levelAVX2                 // AVX2 + FMA3
	levelAVX512               // AVX-512 F
	numLevels
)

// levelNames are the names used by GOJAMMY_SIMD, Implementation and Info.
var levelNames = [numLevels]string{"generic", "avx2", "avx512"}

func (l level) String() string { return levelNames[l] }

// EnvVar names the environment variable that lowers (or pins) the implementation level.
const EnvVar = "GOJAMMY_SIMD"

// cpuSupports reports whether the processor can run kernels of level l.
func cpuSupports(l level) bool {
	switch l {
	case levelAVX2:
		return cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3)
	case levelAVX512:
		return cpuSupports(levelAVX2) && cpuid.CPU.Supports(cpuid.AVX512F)
	}
	return true
}

// kernels is one level's set of kernels, one field per kernel family; nil means that the level
// has no kernel of its own for the family.
type kernels struct {
	gemm     *gemmKernel
	vecmath  *vecmathKernels
	mixture  *mixtureKernels
	rqspline *rqsplineKernels
}

// levelKernels returns the kernels of level l compiled into this build: the generic ones, or
// the assembly ones listed in asmKernels (empty under noasm/purego and off amd64).
func levelKernels(l level) kernels {
	if l == levelGeneric {
		return kernels{gemm: &gemmGeneric, vecmath: &vecmathGeneric, mixture: &mixtureGeneric, rqspline: &rqsplineGeneric}
	}
	return asmKernels[l]
}

// compiled reports whether this build contains any kernel of level l.
func compiled(l level) bool { return levelKernels(l) != kernels{} }

// selection is the outcome of choosing a level once at start-up.
type selection struct {
	requested string // GOJAMMY_SIMD as given, "" if unset
	level     level  // level in use
	note      string // why the level differs from the request, "" if it does not
}

// chooseLevel picks the highest compiled level the CPU supports, lowered to the requested one
// if the request names a level. supported reports CPU support per level.
func chooseLevel(requested string, supported func(level) bool) selection {
	best := levelGeneric
	for l := levelGeneric + 1; l < numLevels; l++ {
		if compiled(l) && supported(l) {
			best = l
		}
	}
	s := selection{requested: requested, level: best}
	if requested == "" {
		return s
	}
	req := levelGeneric
	for req < numLevels && levelNames[req] != strings.ToLower(requested) {
		req++
	}
	switch {
	case req == numLevels:
		s.note = fmt.Sprintf("%s=%q is not one of %s; using %s", EnvVar, requested, strings.Join(levelNames[:], ", "), best)
	case !compiled(req):
		s.note = fmt.Sprintf("%s=%s: this build has no kernels of that level; using %s", EnvVar, req, best)
	case !supported(req):
		s.note = fmt.Sprintf("%s=%s: CPU lacks it; using %s", EnvVar, req, best)
	default:
		s.level = req
	}
	return s
}

// active is the selection made at package initialisation.
var active = chooseLevel(os.Getenv(EnvVar), cpuSupports)

// Implementation names the implementation level in use: "generic", "avx2" or "avx512". A kernel
// family without a kernel at that level uses its best lower one; see [Info].
func Implementation() string { return active.level.String() }

// pick returns the kernel of the highest level at or below l that get finds, with its level.
func pick[K any](l level, get func(kernels) *K) (*K, level) {
	for ; l > levelGeneric; l-- {
		if k := get(levelKernels(l)); k != nil {
			return k, l
		}
	}
	return get(levelKernels(levelGeneric)), levelGeneric
}
