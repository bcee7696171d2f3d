package main

/*
#include "internal.h"
*/
import "C"

import (
	"github.com/gojammy/gojammy/flowcore"
)

// readAmortization validates n rows of amortization parameters (n_amortization wide) for a model
// that takes them; nil for any other model, which must be given NULL and length 0.
func readAmortization(p *flowcore.PDF, ptr *C.double, length, n C.int64_t) ([]float64, error) {
	if !p.TakesAmortizationParams() {
		if ptr != nil || length != 0 {
			return nil, fail(C.GJ_ERR_ARGUMENT, "amortization: the model does not take amortization parameters (not amortize_everything); pass NULL and length 0")
		}
		return nil, nil
	}
	return rows("amortization", ptr, length, n, p.NumAmortizationParams(), "n_amortization")
}

// sampleInputs are the validated inputs of a sampling call.
type sampleInputs struct {
	coords      flowcore.Coords
	dim         int
	cond, amort []float64
}

// readSampleInputs validates the coordinates, the sample count n and its n rows of conditional
// inputs and amortization parameters.
func readSampleInputs(p *flowcore.PDF, n C.int64_t, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	coordsArg *C.gj_coords) (sampleInputs, error) {
	var in sampleInputs
	var err error
	if in.coords, in.dim, err = readCoordsDim(p, "coords", coordsArg); err != nil {
		return in, err
	}
	if n < 0 {
		return in, fail(C.GJ_ERR_ARGUMENT, "n: must be >= 0, got %d", int64(n))
	}
	if in.cond, err = readCond("cond", p, cond, condLen, n); err != nil {
		return in, err
	}
	in.amort, err = readAmortization(p, amort, amortLen, n)
	return in, err
}

// readAmortizedBatch is readBatch followed by readAmortization.
func readAmortizedBatch(p *flowcore.PDF, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	coordsArg *C.gj_coords) (batch, int, []float64, error) {
	b, dim, err := readBatch(p, x, n, xLen, cond, condLen, coordsArg)
	if err != nil {
		return b, dim, nil, err
	}
	a, err := readAmortization(p, amort, amortLen, n)
	return b, dim, a, err
}

// logDensityCall is gj_pdf_log_density with optional amortization parameters, as export name.
func logDensityCall(name string, id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	coordsArg *C.gj_coords, logPDF, baseLogPDF, base *C.double, baseLen C.int64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		b, _, a, err := readAmortizedBatch(p, x, n, xLen, cond, condLen, amort, amortLen, coordsArg)
		if err != nil {
			return err
		}
		if err := outputLength("base", base, baseLen, n, p.BaseDim(), "base_dim"); err != nil {
			return err
		}
		dst := flowcore.Density{LogPDF: outputView(logPDF, b.n), BaseLogPDF: outputView(baseLogPDF, b.n),
			Base: outputView(base, b.n*p.BaseDim())}
		return withStatus(C.GJ_ERR_ARGUMENT, p.LogDensityInto(dst, b.x, b.n, b.cond, a, b.coords))
	})
}

// sampleCall is gj_pdf_sample with optional amortization parameters, as export name.
func sampleCall(name string, id C.uint64_t, n C.int64_t, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	seed C.uint64_t, coordsArg *C.gj_coords, samples *C.double, samplesLen C.int64_t, base *C.double, baseLen C.int64_t,
	logPDF, baseLogPDF *C.double) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		in, err := readSampleInputs(p, n, cond, condLen, amort, amortLen, coordsArg)
		if err != nil {
			return err
		}
		if err := outputLength("samples", samples, samplesLen, n, in.dim, "dim"); err != nil {
			return err
		}
		if err := outputLength("base", base, baseLen, n, p.BaseDim(), "base_dim"); err != nil {
			return err
		}
		rows := int(n)
		dst := flowcore.Samples{X: outputView(samples, rows*in.dim), Base: outputView(base, rows*p.BaseDim()),
			LogPDF: outputView(logPDF, rows), BaseLogPDF: outputView(baseLogPDF, rows)}
		return withStatus(C.GJ_ERR_ARGUMENT, p.SampleInto(dst, rows, in.cond, in.amort, uint64(seed), in.coords))
	})
}

//export gj_pdf_log_density_amortized
func gj_pdf_log_density_amortized(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, coordsArg *C.gj_coords, logPDF, baseLogPDF, base *C.double, baseLen C.int64_t) C.int {
	return logDensityCall("gj_pdf_log_density_amortized", id, x, n, xLen, cond, condLen, amort, amortLen, coordsArg, logPDF, baseLogPDF, base, baseLen)
}

//export gj_pdf_grad_amortized
func gj_pdf_grad_amortized(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, coordsArg *C.gj_coords, logPDF, gradParams *C.double, gradParamsLen C.int64_t,
	gradX *C.double, gradXLen C.int64_t, gradAmort *C.double, gradAmortLen C.int64_t) C.int {
	return logDensityVJP("gj_pdf_grad_amortized", id, x, n, xLen, cond, condLen, amort, amortLen, coordsArg, nil, 0, logPDF,
		gradParams, gradParamsLen, gradX, gradXLen, nil, 0, gradAmort, gradAmortLen)
}

//export gj_pdf_sample_amortized
func gj_pdf_sample_amortized(id C.uint64_t, n C.int64_t, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	seed C.uint64_t, coordsArg *C.gj_coords, samples *C.double, samplesLen C.int64_t, base *C.double, baseLen C.int64_t,
	logPDF, baseLogPDF *C.double) C.int {
	return sampleCall("gj_pdf_sample_amortized", id, n, cond, condLen, amort, amortLen, seed, coordsArg, samples, samplesLen, base, baseLen, logPDF, baseLogPDF)
}

//export gj_pdf_amortization_init
func gj_pdf_amortization_init(id C.uint64_t, out *C.double, size C.int64_t, nAmort *C.int64_t) C.int {
	return withModel("gj_pdf_amortization_init", id, shared, func(p *flowcore.PDF) error {
		setInt64(nAmort, p.NumAmortizationParams())
		if out == nil {
			return nil
		}
		if int64(size) != int64(p.NumAmortizationParams()) {
			return fail(C.GJ_ERR_ARGUMENT, "len: is %d, expected n_amortization = %d", int64(size), p.NumAmortizationParams())
		}
		output(out, p.AmortizationInit())
		return nil
	})
}

//export gj_pdf_log_mean_poisson
func gj_pdf_log_mean_poisson(id C.uint64_t, cond *C.double, n, condLen C.int64_t, out *C.double, outLen C.int64_t) C.int {
	return withModel("gj_pdf_log_mean_poisson", id, shared, func(p *flowcore.PDF) error {
		if p.ConditionalDim() == 0 {
			n = 1
		}
		cs, err := readCond("cond", p, cond, condLen, n)
		if err != nil {
			return err
		}
		if out == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "out is NULL")
		}
		if outLen != n {
			return fail(C.GJ_ERR_ARGUMENT, "out_len: is %d, expected %d (n, or 1 for an unconditional model)", int64(outLen), int64(n))
		}
		lm, err := p.LogMeanPoisson(cs, int(n))
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		output(out, lm)
		return nil
	})
}
