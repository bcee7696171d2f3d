package main

/*
#include "internal.h"
*/
import "C"

import (
	"github.com/gojammy/gojammy/flowcore"
)

// optionalRows reads an optional n x width input array (NULL with length 0: nil).
func optionalRows(name string, ptr *C.double, length, n C.int64_t, width int, widthName string) ([]float64, error) {
	if ptr == nil && length == 0 {
		return nil, nil
	}
	return rows(name, ptr, length, n, width, widthName)
}

// gradParamsLength checks the length of a grad_params output (skipped when it is NULL).
func gradParamsLength(p *flowcore.PDF, ptr *C.double, length C.int64_t) error {
	if ptr != nil && int64(length) != int64(p.NumParams()) {
		return fail(C.GJ_ERR_ARGUMENT, "grad_params_len: is %d, expected n_params = %d", int64(length), p.NumParams())
	}
	return nil
}

// amortizationWidth is the width of a model's amortization rows (0 for a model without them).
func amortizationWidth(p *flowcore.PDF) int {
	if p.TakesAmortizationParams() {
		return p.NumAmortizationParams()
	}
	return 0
}

//export gj_pdf_log_density_vjp
func gj_pdf_log_density_vjp(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, coordsArg *C.gj_coords, weights *C.double, weightsLen C.int64_t,
	logPDF, gradParams *C.double, gradParamsLen C.int64_t, gradX *C.double, gradXLen C.int64_t,
	gradCond *C.double, gradCondLen C.int64_t, gradAmort *C.double, gradAmortLen C.int64_t) C.int {
	return logDensityVJP("gj_pdf_log_density_vjp", id, x, n, xLen, cond, condLen, amort, amortLen, coordsArg, weights, weightsLen,
		logPDF, gradParams, gradParamsLen, gradX, gradXLen, gradCond, gradCondLen, gradAmort, gradAmortLen)
}

// logDensityVJP is gj_pdf_log_density_vjp under the name of the calling C function (gj_pdf_grad
// and gj_pdf_grad_amortized are the product with weights of one).
func logDensityVJP(name string, id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, coordsArg *C.gj_coords, weights *C.double, weightsLen C.int64_t,
	logPDF, gradParams *C.double, gradParamsLen C.int64_t, gradX *C.double, gradXLen C.int64_t,
	gradCond *C.double, gradCondLen C.int64_t, gradAmort *C.double, gradAmortLen C.int64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		b, dim, a, err := readAmortizedBatch(p, x, n, xLen, cond, condLen, amort, amortLen, coordsArg)
		if err != nil {
			return err
		}
		w, err := optionalRows("weights", weights, weightsLen, n, 1, "1")
		if err != nil {
			return err
		}
		if err := gradParamsLength(p, gradParams, gradParamsLen); err != nil {
			return err
		}
		if err := outputLength("grad_x", gradX, gradXLen, n, dim, "dim"); err != nil {
			return err
		}
		if err := outputLength("grad_cond", gradCond, gradCondLen, n, p.ConditionalDim(), "cond_dim"); err != nil {
			return err
		}
		if err := outputLength("grad_amortization", gradAmort, gradAmortLen, n, amortizationWidth(p), "n_amortization"); err != nil {
			return err
		}
		d, g, err := p.LogDensityVJPAmortized(b.x, b.n, b.cond, a, b.coords, w)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		output(logPDF, d.LogPDF)
		output(gradParams, g.Params)
		output(gradX, g.X)
		output(gradCond, g.Cond)
		output(gradAmort, g.Amortization)
		return nil
	})
}

//export gj_pdf_sample_vjp
func gj_pdf_sample_vjp(id C.uint64_t, n C.int64_t, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	seed C.uint64_t, coordsArg *C.gj_coords, dSamples *C.double, dSamplesLen C.int64_t, dLogPDF *C.double, dLogPDFLen C.int64_t,
	samples *C.double, samplesLen C.int64_t, logPDF, gradParams *C.double, gradParamsLen C.int64_t,
	gradCond *C.double, gradCondLen C.int64_t, gradAmort *C.double, gradAmortLen C.int64_t, gradBase *C.double, gradBaseLen C.int64_t) C.int {
	return withModel("gj_pdf_sample_vjp", id, shared, func(p *flowcore.PDF) error {
		in, err := readSampleInputs(p, n, cond, condLen, amort, amortLen, coordsArg)
		if err != nil {
			return err
		}
		dim := in.dim
		var seeds flowcore.SampleSeeds
		if seeds.SeedX, err = optionalRows("d_samples", dSamples, dSamplesLen, n, dim, "dim"); err != nil {
			return err
		}
		if seeds.SeedLogPDF, err = optionalRows("d_log_pdf", dLogPDF, dLogPDFLen, n, 1, "1"); err != nil {
			return err
		}
		if err := outputLength("samples", samples, samplesLen, n, dim, "dim"); err != nil {
			return err
		}
		if err := gradParamsLength(p, gradParams, gradParamsLen); err != nil {
			return err
		}
		if err := outputLength("grad_cond", gradCond, gradCondLen, n, p.ConditionalDim(), "cond_dim"); err != nil {
			return err
		}
		if err := outputLength("grad_amortization", gradAmort, gradAmortLen, n, amortizationWidth(p), "n_amortization"); err != nil {
			return err
		}
		if err := outputLength("grad_base", gradBase, gradBaseLen, n, p.BaseDim(), "base_dim"); err != nil {
			return err
		}
		s, g, err := p.SampleVJPAmortized(int(n), in.cond, in.amort, uint64(seed), in.coords, seeds)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		output(samples, s.X)
		output(logPDF, s.LogPDF)
		output(gradParams, g.Params)
		output(gradCond, g.Cond)
		output(gradAmort, g.Amortization)
		output(gradBase, g.Base)
		return nil
	})
}
