package main

/*
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
)

//export gj_pdf_get_embedding_flags
func gj_pdf_get_embedding_flags(id C.uint64_t, flags *C.int, size C.int64_t) C.int {
	return withModel("gj_pdf_get_embedding_flags", id, shared, func(p *flowcore.PDF) error {
		f := p.EmbeddingFlags()
		if int64(size) != int64(len(f)) {
			return fail(C.GJ_ERR_ARGUMENT, "len: is %d, expected the number of sub-manifolds = %d", int64(size), len(f))
		}
		if flags == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "flags is NULL")
		}
		dst := unsafe.Slice((*C.int)(unsafe.Pointer(flags)), len(f))
		for k, embedded := range f {
			dst[k] = 0
			if embedded {
				dst[k] = 1
			}
		}
		return nil
	})
}

//export gj_pdf_transform_target_space
func gj_pdf_transform_target_space(id C.uint64_t, x *C.double, n, xLen C.int64_t, fromArg, toArg *C.gj_coords,
	out *C.double, outLen C.int64_t, logDet *C.double) C.int {
	return withModel("gj_pdf_transform_target_space", id, shared, func(p *flowcore.PDF) error {
		from, dimFrom, err := readCoordsDim(p, "from_coords", fromArg)
		if err != nil {
			return err
		}
		to, dimTo, err := readCoordsDim(p, "to_coords", toArg)
		if err != nil {
			return err
		}
		xs, err := rows("x", x, xLen, n, dimFrom, "dim(from_coords)")
		if err != nil {
			return err
		}
		want, err := product("out", int64(n), int64(dimTo))
		if err != nil {
			return err
		}
		if int64(outLen) != want {
			return fail(C.GJ_ERR_ARGUMENT, "out: length is %d, expected n*dim(to_coords) = %d*%d = %d",
				int64(outLen), int64(n), dimTo, want)
		}
		if out == nil && want > 0 {
			return fail(C.GJ_ERR_NULL_POINTER, "out is NULL but %d values are expected", want)
		}
		if n == 0 {
			return nil
		}
		y, ld, err := p.TransformTargetSpace(xs, int(n), from, to)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		if int64(len(y)) != want || len(ld) != int(n) {
			return fmt.Errorf("transform_target_space returned %d values and %d log-dets for %d rows", len(y), len(ld), int64(n))
		}
		output(out, y)
		output(logDet, ld)
		return nil
	})
}
