package main

/*
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"
)

// maxElements bounds the length of any array passed in or out (2^44 doubles = 128 TiB), so
// that size arithmetic never overflows.
const maxElements = 1 << 44

// product returns a*b for array sizes, failing on negative or too large values.
func product(what string, a, b int64) (int64, error) {
	if a < 0 || b < 0 {
		return 0, fail(C.GJ_ERR_ARGUMENT, "%s: negative size %d x %d", what, a, b)
	}
	if b != 0 && a > maxElements/b {
		return 0, fail(C.GJ_ERR_ARGUMENT, "%s: size %d x %d is too large", what, a, b)
	}
	return a * b, nil
}

// input returns a read-only Go view of a caller array after checking that its declared length
// equals want and that it is not NULL when want > 0. It returns nil for want == 0. The view is
// only used during the call.
func input(name string, ptr *C.double, length C.int64_t, want int64, shape string) ([]float64, error) {
	if int64(length) != want {
		return nil, fail(C.GJ_ERR_ARGUMENT, "%s: length is %d, expected %s = %d", name, int64(length), shape, want)
	}
	if want == 0 {
		return nil, nil
	}
	if ptr == nil {
		return nil, fail(C.GJ_ERR_NULL_POINTER, "%s is NULL but %d values are expected", name, want)
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(ptr)), want), nil
}

// outputLength checks the declared length of an n x width output array ptr (skipped when ptr
// is NULL).
func outputLength(name string, ptr *C.double, length, n C.int64_t, width int, widthName string) error {
	if ptr == nil {
		return nil
	}
	want, err := product(name, int64(n), int64(width))
	if err != nil {
		return err
	}
	if int64(length) != want {
		return fail(C.GJ_ERR_ARGUMENT, "%s_len: is %d, expected n*%s = %d*%d = %d", name, int64(length), widthName, int64(n), width, want)
	}
	return nil
}

// output copies src into the caller array at ptr (skipped when ptr is NULL); the caller
// guarantees room for len(src) values by the documented shape.
func output(ptr *C.double, src []float64) {
	if ptr == nil || len(src) == 0 {
		return
	}
	copy(unsafe.Slice((*float64)(unsafe.Pointer(ptr)), len(src)), src)
}

// outputView returns a Go view of the caller's output array at ptr for n values (nil when ptr is
// NULL: the result is not wanted), so that results are written in place; the caller guarantees
// room for n values by the documented shape.
func outputView(ptr *C.double, n int) []float64 {
	if ptr == nil {
		return nil
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(ptr)), n)
}

// setInt64 writes v through ptr unless ptr is NULL.
func setInt64(ptr *C.int64_t, v int) {
	if ptr != nil {
		*ptr = C.int64_t(v)
	}
}

// goString reads a required C string argument.
func goString(name string, s *C.char) (string, error) {
	if s == nil {
		return "", fail(C.GJ_ERR_NULL_POINTER, "%s is NULL", name)
	}
	return C.GoString(s), nil
}

// writeString copies s with a terminating NUL into buf (size bytes); if it does not fit, the
// truncated text is written and GJ_ERR_BUFFER_TOO_SMALL is returned.
func writeString(buf *C.char, size C.size_t, s string) error {
	if buf == nil {
		return fail(C.GJ_ERR_NULL_POINTER, "buf is NULL")
	}
	n := int(min(uint64(size), math.MaxInt32))
	if n == 0 {
		return fail(C.GJ_ERR_BUFFER_TOO_SMALL, "buffer of 0 bytes; %d are needed", len(s)+1)
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(buf)), n)
	k := copy(dst[:n-1], s)
	dst[k] = 0
	if k < len(s) {
		return fail(C.GJ_ERR_BUFFER_TOO_SMALL, "buffer of %d bytes is too small; %d are needed", n, len(s)+1)
	}
	return nil
}

// rows returns the view of an n x width caller array (widthName names width in messages).
func rows(name string, ptr *C.double, length C.int64_t, n C.int64_t, width int, widthName string) ([]float64, error) {
	if n < 0 {
		return nil, fail(C.GJ_ERR_ARGUMENT, "n: must be >= 0, got %d", int64(n))
	}
	want, err := product(name, int64(n), int64(width))
	if err != nil {
		return nil, err
	}
	return input(name, ptr, length, want, fmt.Sprintf("n*%s = %d*%d", widthName, int64(n), width))
}
