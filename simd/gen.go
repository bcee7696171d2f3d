package simd

//go:generate go run -C _asm . -kernels gemm -out ../gemm_amd64.s -stubs ../gemm_amd64.go -pkg simd
//go:generate go run -C _asm . -kernels vecmath -out ../vecmath_amd64.s -stubs ../vecmath_amd64.go -pkg simd
//go:generate go run -C _asm . -kernels mixture -out ../mixture_amd64.s -stubs ../mixture_amd64.go -pkg simd
//go:generate go run -C _asm . -kernels rqspline -out ../rqspline_amd64.s -stubs ../rqspline_amd64.go -pkg simd
