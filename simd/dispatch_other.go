//go:build !amd64 || !gc || noasm || purego

package simd

// asmKernels is empty: this build compiles only the generic kernels.
var asmKernels [numLevels]kernels
