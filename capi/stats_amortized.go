package main

/*
#include "internal.h"
*/
import "C"

import "unsafe"

//export gj_pdf_entropy_amortized
func gj_pdf_entropy_amortized(id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	subManifolds *C.int64_t, subManifoldsLen C.int64_t, samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords,
	entropy, stdErr *C.double, outLen C.int64_t) C.int {
	return entropyCall("gj_pdf_entropy_amortized", id, cond, nRows, condLen, amort, amortLen, subManifolds, subManifoldsLen, samplesize, seed,
		coordsArg, entropy, stdErr, outLen)
}

//export gj_pdf_entropy_grad_amortized
func gj_pdf_entropy_grad_amortized(id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, entropy, stdErr *C.double, outLen C.int64_t,
	gradParams *C.double, gradParamsLen C.int64_t, gradCond *C.double, gradCondLen C.int64_t, gradAmort *C.double, gradAmortLen C.int64_t) C.int {
	return entropyGradCall("gj_pdf_entropy_grad_amortized", id, cond, nRows, condLen, amort, amortLen, samplesize, seed, coordsArg,
		entropy, stdErr, outLen, gradientOutputs{gradParams, gradCond, gradAmort, gradParamsLen, gradCondLen, gradAmortLen})
}

//export gj_pdf_expectation_amortized
func gj_pdf_expectation_amortized(id C.uint64_t, f C.gj_points_fn, user unsafe.Pointer, cond *C.double, nRows, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, withGrad C.int,
	mean, stdErr *C.double, outLen C.int64_t, gradParams *C.double, gradParamsLen C.int64_t, gradCond *C.double, gradCondLen C.int64_t,
	gradAmort *C.double, gradAmortLen C.int64_t) C.int {
	return expectationCall("gj_pdf_expectation_amortized", id, f, user, cond, nRows, condLen, amort, amortLen, samplesize, seed, coordsArg,
		withGrad, mean, stdErr, outLen, gradientOutputs{gradParams, gradCond, gradAmort, gradParamsLen, gradCondLen, gradAmortLen})
}

//export gj_pdf_moments_amortized
func gj_pdf_moments_amortized(id C.uint64_t, order C.int64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, moments, stdErr *C.double, outLen C.int64_t) C.int {
	return momentsCall("gj_pdf_moments_amortized", id, order, cond, nRows, condLen, amort, amortLen, samplesize, seed, coordsArg,
		moments, stdErr, outLen)
}

//export gj_pdf_marginal_moments_amortized
func gj_pdf_marginal_moments_amortized(id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, misesAbsPrecision C.double, klDiff C.int, s2EntropyScanNside C.int64_t,
	out *C.double, outLen C.int64_t, needed *C.int64_t) C.int {
	return marginalMomentsCall("gj_pdf_marginal_moments_amortized", id, cond, nRows, condLen, amort, amortLen, samplesize, seed,
		misesAbsPrecision, klDiff, s2EntropyScanNside, out, outLen, needed)
}
