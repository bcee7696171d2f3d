package main

/*
#include "internal.h"
*/
import "C"

import (
	"github.com/gojammy/gojammy/flowcore"
)

// batch holds the validated inputs of an evaluation: n points x and conditional inputs cond.
type batch struct {
	n      int
	coords flowcore.Coords
	x      []float64
	cond   []float64
}

// readBatch validates coords, x (n x dim) and cond (n x cond_dim) against p.
func readBatch(p *flowcore.PDF, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t, coordsArg *C.gj_coords) (batch, int, error) {
	c, dim, err := readCoordsDim(p, "coords", coordsArg)
	if err != nil {
		return batch{}, 0, err
	}
	b := batch{n: int(n), coords: c}
	if b.x, err = rows("x", x, xLen, n, dim, "dim"); err != nil {
		return batch{}, 0, err
	}
	if b.cond, err = readCond("cond", p, cond, condLen, n); err != nil {
		return batch{}, 0, err
	}
	return b, dim, nil
}

// readCond validates n rows of conditional input; nil for an unconditional model.
func readCond(name string, p *flowcore.PDF, cond *C.double, condLen, n C.int64_t) ([]float64, error) {
	if p.ConditionalDim() == 0 && (cond != nil || condLen != 0) {
		return nil, fail(C.GJ_ERR_ARGUMENT, "%s: the model is unconditional; pass NULL and length 0", name)
	}
	return rows(name, cond, condLen, n, p.ConditionalDim(), "cond_dim")
}

//export gj_pdf_log_density
func gj_pdf_log_density(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t, coordsArg *C.gj_coords,
	logPDF, baseLogPDF, base *C.double, baseLen C.int64_t) C.int {
	return logDensityCall("gj_pdf_log_density", id, x, n, xLen, cond, condLen, nil, 0, coordsArg, logPDF, baseLogPDF, base, baseLen)
}

//export gj_pdf_grad
func gj_pdf_grad(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t, coordsArg *C.gj_coords,
	logPDF, gradParams *C.double, gradParamsLen C.int64_t, gradX *C.double, gradXLen C.int64_t) C.int {
	return logDensityVJP("gj_pdf_grad", id, x, n, xLen, cond, condLen, nil, 0, coordsArg, nil, 0, logPDF, gradParams, gradParamsLen,
		gradX, gradXLen, nil, 0, nil, 0)
}

//export gj_pdf_sample
func gj_pdf_sample(id C.uint64_t, n C.int64_t, cond *C.double, condLen C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords,
	samples *C.double, samplesLen C.int64_t, base *C.double, baseLen C.int64_t, logPDF, baseLogPDF *C.double) C.int {
	return sampleCall("gj_pdf_sample", id, n, cond, condLen, nil, 0, seed, coordsArg, samples, samplesLen, base, baseLen, logPDF, baseLogPDF)
}

//export gj_pdf_get_params
func gj_pdf_get_params(id C.uint64_t, out *C.double, size C.int64_t) C.int {
	return withModel("gj_pdf_get_params", id, shared, func(p *flowcore.PDF) error {
		if int64(size) != int64(p.NumParams()) {
			return fail(C.GJ_ERR_ARGUMENT, "len: is %d, expected n_params = %d", int64(size), p.NumParams())
		}
		if out == nil && size > 0 {
			return fail(C.GJ_ERR_NULL_POINTER, "out is NULL")
		}
		output(out, p.Params())
		return nil
	})
}

//export gj_pdf_set_params
func gj_pdf_set_params(id C.uint64_t, values *C.double, size C.int64_t) C.int {
	return withModel("gj_pdf_set_params", id, exclusive, func(p *flowcore.PDF) error {
		v, err := input("values", values, size, int64(p.NumParams()), "n_params")
		if err != nil {
			return err
		}
		return withStatus(C.GJ_ERR_ARGUMENT, p.SetParams(v))
	})
}

//export gj_pdf_init_params
func gj_pdf_init_params(id C.uint64_t, data *C.double, n, dataLen C.int64_t, coordsArg *C.gj_coords, damping C.double, seed C.uint64_t) C.int {
	return withModel("gj_pdf_init_params", id, exclusive, func(p *flowcore.PDF) error {
		c, dim, err := readCoordsDim(p, "coords", coordsArg)
		if err != nil {
			return err
		}
		var x []float64
		if data != nil {
			if x, err = rows("data", data, dataLen, n, dim, "dim"); err != nil {
				return err
			}
		} else if n != 0 || dataLen != 0 {
			return fail(C.GJ_ERR_NULL_POINTER, "data is NULL but n = %d and data_len = %d (pass 0 and 0 for the default initialization)", int64(n), int64(dataLen))
		}
		return withStatus(C.GJ_ERR_ARGUMENT, p.InitParams(x, int(n), c, float64(damping), uint64(seed)))
	})
}
