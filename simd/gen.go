package simd

//go:generate go run -C _asm . -out ../gemm_amd64.s -stubs ../gemm_amd64.go -pkg simd
