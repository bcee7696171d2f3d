package main

/*
#include "internal.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/stats"
	"github.com/gojammy/gojammy/flowcore/train"
)

// statsRows reads the rows of a statistics call: n_rows rows of cond_dim conditional inputs
// (an unconditional model: NULL and length 0) and of n_amortization amortization parameters (a
// model without them: NULL and length 0). An unconditional model without amortization
// parameters has one row.
func statsRows(p *flowcore.PDF, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t) (cs, am []float64, err error) {
	if p.ConditionalDim() == 0 && !p.TakesAmortizationParams() && nRows != 1 {
		return nil, nil, fail(C.GJ_ERR_ARGUMENT, "n_rows: the model is unconditional; pass 1, got %d", int64(nRows))
	}
	if nRows < 1 || nRows > maxElements {
		return nil, nil, fail(C.GJ_ERR_ARGUMENT, "n_rows: must be >= 1, got %d", int64(nRows))
	}
	if cs, err = readCond("cond", p, cond, condLen, nRows); err != nil {
		return nil, nil, err
	}
	am, err = readAmortization(p, amort, amortLen, nRows)
	return cs, am, err
}

// statsOptions reads samplesize, seed and coordinates.
func statsOptions(p *flowcore.PDF, samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords) (stats.Options, int, error) {
	c, dim, err := readCoordsDim(p, "coords", coordsArg)
	if err != nil {
		return stats.Options{}, 0, err
	}
	if samplesize < 1 || samplesize > maxElements {
		return stats.Options{}, 0, fail(C.GJ_ERR_ARGUMENT, "samplesize: must be >= 1, got %d", int64(samplesize))
	}
	return stats.Options{SampleSize: int(samplesize), Seed: uint64(seed), Coords: &c}, dim, nil
}

// pointsFunc adapts a C user function of points; the model's handle marks the thread as inside
// its callback.
func pointsFunc(fn C.gj_points_fn, user unsafe.Pointer, id uint64) stats.Func {
	return func(x []float64, n, dim int, grad bool) ([]float64, []float64, error) {
		values := make([]float64, n)
		var g []float64
		var gp *C.double
		if grad {
			g = make([]float64, n*dim)
			gp = (*C.double)(unsafe.Pointer(unsafe.SliceData(g)))
		}
		var xp *C.double
		if len(x) > 0 {
			xp = (*C.double)(unsafe.Pointer(unsafe.SliceData(x)))
		}
		var vp *C.double
		if n > 0 {
			vp = (*C.double)(unsafe.Pointer(unsafe.SliceData(values)))
		}
		if st := C.gjx_call_points(fn, user, C.uint64_t(id), xp, C.int64_t(n), C.int64_t(dim), vp, gp); st != 0 {
			return nil, nil, fmt.Errorf("the user function returned %d", int(st))
		}
		return values, g, nil
	}
}

// gradientOutputs are the gradient outputs of a statistics call (each may be NULL).
type gradientOutputs struct {
	params, cond, amort          *C.double
	paramsLen, condLen, amortLen C.int64_t
}

// check checks the lengths of the gradient outputs of a statistics call of n_rows rows.
func (g gradientOutputs) check(p *flowcore.PDF, nRows C.int64_t) error {
	if err := gradParamsLength(p, g.params, g.paramsLen); err != nil {
		return err
	}
	if err := outputLength("grad_cond", g.cond, g.condLen, nRows, p.ConditionalDim(), "cond_dim"); err != nil {
		return err
	}
	if !p.TakesAmortizationParams() && (g.amort != nil || g.amortLen != 0) {
		return fail(C.GJ_ERR_ARGUMENT, "grad_amortization: the model does not take amortization parameters; pass NULL and length 0")
	}
	return outputLength("grad_amortization", g.amort, g.amortLen, nRows, p.NumAmortizationParams(), "n_amortization")
}

//export gj_pdf_entropy
func gj_pdf_entropy(id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, subManifolds *C.int64_t, subManifoldsLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, entropy, stdErr *C.double, outLen C.int64_t) C.int {
	return entropyCall("gj_pdf_entropy", id, cond, nRows, condLen, nil, 0, subManifolds, subManifoldsLen, samplesize, seed, coordsArg,
		entropy, stdErr, outLen)
}

// entropyCall is gj_pdf_entropy with optional amortization parameters, as export name.
func entropyCall(name string, id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	subManifolds *C.int64_t, subManifoldsLen C.int64_t, samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords,
	entropy, stdErr *C.double, outLen C.int64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		cs, am, err := statsRows(p, cond, nRows, condLen, amort, amortLen)
		if err != nil {
			return err
		}
		o, _, err := statsOptions(p, samplesize, seed, coordsArg)
		if err != nil {
			return err
		}
		o.Amortization = am
		keys, err := readKeys(subManifolds, subManifoldsLen)
		if err != nil {
			return err
		}
		for _, o := range []struct {
			name string
			ptr  *C.double
		}{{"entropy", entropy}, {"std_error", stdErr}} {
			if err := outputLength(o.name, o.ptr, outLen, subManifoldsLen, int(nRows), "n_rows"); err != nil {
				return err
			}
		}
		e, err := stats.Entropy(p, cs, keys, o)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		for k, part := range e.Parts {
			outputAt(entropy, k*int(nRows), part.Value)
			outputAt(stdErr, k*int(nRows), part.StdErr)
		}
		return nil
	})
}

//export gj_pdf_entropy_grad
func gj_pdf_entropy_grad(id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, samplesize C.int64_t, seed C.uint64_t,
	coordsArg *C.gj_coords, entropy, stdErr *C.double, outLen C.int64_t, gradParams *C.double, gradParamsLen C.int64_t,
	gradCond *C.double, gradCondLen C.int64_t) C.int {
	return entropyGradCall("gj_pdf_entropy_grad", id, cond, nRows, condLen, nil, 0, samplesize, seed, coordsArg, entropy, stdErr, outLen,
		gradientOutputs{gradParams, gradCond, nil, gradParamsLen, gradCondLen, 0})
}

// entropyGradCall is gj_pdf_entropy_grad with optional amortization parameters, as export name.
func entropyGradCall(name string, id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, entropy, stdErr *C.double, outLen C.int64_t, grads gradientOutputs) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		cs, o, err := estimateInputs(p, cond, nRows, condLen, amort, amortLen, samplesize, seed, coordsArg, entropy, stdErr, outLen)
		if err != nil {
			return err
		}
		if err := grads.check(p, nRows); err != nil {
			return err
		}
		e, g, err := stats.EntropyGrad(p, cs, o)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		writeEstimate(entropy, stdErr, e, g, grads)
		return nil
	})
}

// estimateInputs reads the inputs of a per-row estimate and checks its value outputs.
func estimateInputs(p *flowcore.PDF, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen, samplesize C.int64_t, seed C.uint64_t,
	coordsArg *C.gj_coords, value, stdErr *C.double, outLen C.int64_t) ([]float64, stats.Options, error) {
	cs, am, err := statsRows(p, cond, nRows, condLen, amort, amortLen)
	if err != nil {
		return nil, stats.Options{}, err
	}
	o, _, err := statsOptions(p, samplesize, seed, coordsArg)
	if err != nil {
		return nil, stats.Options{}, err
	}
	o.Amortization = am
	for _, out := range []struct {
		name string
		ptr  *C.double
	}{{"value", value}, {"std_error", stdErr}} {
		if err := outputLength(out.name, out.ptr, outLen, nRows, 1, "1"); err != nil {
			return nil, stats.Options{}, err
		}
	}
	return cs, o, nil
}

// writeEstimate writes an estimate and its gradient (skipping NULL outputs).
func writeEstimate(value, stdErr *C.double, e stats.Estimate, g stats.Gradient, grads gradientOutputs) {
	output(value, e.Value)
	output(stdErr, e.StdErr)
	output(grads.params, g.Params)
	output(grads.cond, g.Cond)
	output(grads.amort, g.Amortization)
}

//export gj_pdf_expectation
func gj_pdf_expectation(id C.uint64_t, f C.gj_points_fn, user unsafe.Pointer, cond *C.double, nRows, condLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, withGrad C.int, mean, stdErr *C.double, outLen C.int64_t,
	gradParams *C.double, gradParamsLen C.int64_t, gradCond *C.double, gradCondLen C.int64_t) C.int {
	return expectationCall("gj_pdf_expectation", id, f, user, cond, nRows, condLen, nil, 0, samplesize, seed, coordsArg, withGrad, mean, stdErr,
		outLen, gradientOutputs{gradParams, gradCond, nil, gradParamsLen, gradCondLen, 0})
}

// expectationCall is gj_pdf_expectation with optional amortization parameters, as export name.
func expectationCall(name string, id C.uint64_t, f C.gj_points_fn, user unsafe.Pointer, cond *C.double, nRows, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, withGrad C.int,
	mean, stdErr *C.double, outLen C.int64_t, grads gradientOutputs) C.int {
	return run(name, func(cl *call) error {
		p, release, err := cl.model(id, shared)
		if err != nil {
			return err
		}
		defer release()
		if f == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "f is NULL")
		}
		cs, o, err := estimateInputs(p, cond, nRows, condLen, amort, amortLen, samplesize, seed, coordsArg, mean, stdErr, outLen)
		if err != nil {
			return err
		}
		grad := withGrad != 0
		if grad {
			if err := grads.check(p, nRows); err != nil {
				return err
			}
		}
		e, g, err := stats.Expectation(p, pointsFunc(f, user, cl.h.id), cs, o, grad)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		writeEstimate(mean, stdErr, e, g, grads)
		return nil
	})
}

//export gj_pdf_moments
func gj_pdf_moments(id C.uint64_t, order C.int64_t, cond *C.double, nRows, condLen C.int64_t, samplesize C.int64_t, seed C.uint64_t,
	coordsArg *C.gj_coords, moments, stdErr *C.double, outLen C.int64_t) C.int {
	return momentsCall("gj_pdf_moments", id, order, cond, nRows, condLen, nil, 0, samplesize, seed, coordsArg, moments, stdErr, outLen)
}

// momentsCall is gj_pdf_moments with optional amortization parameters, as export name.
func momentsCall(name string, id C.uint64_t, order C.int64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, coordsArg *C.gj_coords, moments, stdErr *C.double, outLen C.int64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		cs, am, err := statsRows(p, cond, nRows, condLen, amort, amortLen)
		if err != nil {
			return err
		}
		o, dim, err := statsOptions(p, samplesize, seed, coordsArg)
		if err != nil {
			return err
		}
		o.Amortization = am
		if order < 1 || order > maxElements {
			return fail(C.GJ_ERR_ARGUMENT, "order: must be >= 1, got %d", int64(order))
		}
		width, err := product("moments", int64(order), int64(dim))
		if err != nil {
			return err
		}
		for _, out := range []struct {
			name string
			ptr  *C.double
		}{{"moments", moments}, {"std_error", stdErr}} {
			if err := outputLength(out.name, out.ptr, outLen, nRows, int(width), "order*dim"); err != nil {
				return err
			}
		}
		m, err := stats.Moments(p, int(order), cs, o)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		output(moments, m.Value)
		output(stdErr, m.StdErr)
		return nil
	})
}

//export gj_pdf_marginal_moments
func gj_pdf_marginal_moments(id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, samplesize C.int64_t, seed C.uint64_t,
	misesAbsPrecision C.double, klDiff C.int, out *C.double, outLen C.int64_t, needed *C.int64_t) C.int {
	return marginalMomentsCall("gj_pdf_marginal_moments", id, cond, nRows, condLen, nil, 0, samplesize, seed, misesAbsPrecision, klDiff, 0,
		out, outLen, needed)
}

// marginalMomentsCall is gj_pdf_marginal_moments with optional amortization parameters and S2
// entropy scan, as export name.
func marginalMomentsCall(name string, id C.uint64_t, cond *C.double, nRows, condLen C.int64_t, amort *C.double, amortLen C.int64_t,
	samplesize C.int64_t, seed C.uint64_t, misesAbsPrecision C.double, klDiff C.int, s2EntropyScanNside C.int64_t,
	out *C.double, outLen C.int64_t, needed *C.int64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		if needed == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "needed is NULL")
		}
		cs, am, err := statsRows(p, cond, nRows, condLen, amort, amortLen)
		if err != nil {
			return err
		}
		if samplesize < 0 || samplesize > maxElements {
			return fail(C.GJ_ERR_ARGUMENT, "samplesize: must be >= 2 (0: 50), got %d", int64(samplesize))
		}
		if s2EntropyScanNside < 0 || s2EntropyScanNside > maxElements {
			return fail(C.GJ_ERR_ARGUMENT, "s2_entropy_scan_nside: must be 0 (sampling) or a power of two, got %d", int64(s2EntropyScanNside))
		}
		m, err := stats.MarginalMoments(p, cs, stats.MomentOptions{SampleSize: int(samplesize), Seed: uint64(seed),
			MisesAbsPrecision: float64(misesAbsPrecision), KLDiff: klDiff != 0, Amortization: am, S2EntropyScanNside: int(s2EntropyScanNside)})
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		flat := m.Flatten()
		setInt64(needed, len(flat))
		if out == nil {
			return nil
		}
		if int64(outLen) != int64(len(flat)) {
			return fail(C.GJ_ERR_ARGUMENT, "out_len: is %d, expected %d (see *needed)", int64(outLen), len(flat))
		}
		output(out, flat)
		return nil
	})
}

//export gj_gof_pvalue
func gj_gof_pvalue(likID C.uint64_t, xCoordsArg *C.gj_coords, postID C.uint64_t, postCond *C.double, postCondLen C.int64_t,
	zCoordsArg *C.gj_coords, xObs *C.double, nObs, xObsLen, trials C.int64_t, seed C.uint64_t,
	pValue, stdErr, t, tObs *C.double, trialsLen C.int64_t, z *C.double, zLen C.int64_t) C.int {
	return run("gj_gof_pvalue", func(cl *call) error {
		lik, releaseLik, err := cl.model(likID, shared)
		if err != nil {
			return err
		}
		defer releaseLik()
		post := lik
		if postID != likID { // one handle is held once: a second read lock could wait for a writer
			p, releasePost, err := cl.model(postID, shared)
			if err != nil {
				return err
			}
			defer releasePost()
			post = p
		}
		xc, xd, err := readCoordsDim(lik, "x_coords", xCoordsArg)
		if err != nil {
			return err
		}
		zc, _, err := readCoordsDim(post, "z_coords", zCoordsArg)
		if err != nil {
			return err
		}
		var pc []float64
		if post.ConditionalDim() > 0 || postCond != nil || postCondLen != 0 {
			if pc, err = readCond("posterior_cond", post, postCond, postCondLen, 1); err != nil {
				return err
			}
		}
		x, err := rows("x_obs", xObs, xObsLen, nObs, xd, "dim")
		if err != nil {
			return err
		}
		if trials < 1 || trials > maxElements {
			return fail(C.GJ_ERR_ARGUMENT, "trials: must be >= 1, got %d", int64(trials))
		}
		for _, o := range []struct {
			name string
			ptr  *C.double
		}{{"t", t}, {"t_obs", tObs}} {
			if err := outputLength(o.name, o.ptr, trialsLen, trials, 1, "1"); err != nil {
				return err
			}
		}
		if err := outputLength("z", z, zLen, trials, lik.ConditionalDim(), "cond_dim"); err != nil {
			return err
		}
		r, err := stats.GOFPValue(stats.FlowLikelihood{PDF: lik, Coords: xc}, stats.FlowPosterior{PDF: post, Cond: pc, Coords: zc},
			x, int(nObs), int(trials), uint64(seed))
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		output(pValue, []float64{r.PValue})
		output(stdErr, []float64{r.StdErr})
		output(t, r.T)
		output(tObs, r.TObs)
		output(z, r.Z)
		return nil
	})
}

//export gj_pdf_fit_variational
func gj_pdf_fit_variational(id C.uint64_t, target C.gj_points_fn, targetUser unsafe.Pointer, coordsArg *C.gj_coords,
	opts *C.gj_fit_options, progress C.gj_progress_fn, user unsafe.Pointer,
	lossHistory, valHistory *C.double, historyLen C.int64_t, nHistory *C.int64_t) C.int {
	h := history{lossHistory, valHistory, historyLen, nHistory}
	return fitCall("gj_pdf_fit_variational", id, coordsArg, opts, 0, progress, user, h,
		func(cl *call, p *flowcore.PDF, o train.Options, _ int, pr func(train.Progress) bool) (train.History, error) {
			if target == nil {
				return train.History{}, fail(C.GJ_ERR_NULL_POINTER, "log_target is NULL")
			}
			f := pointsFunc(target, targetUser, cl.h.id)
			logTarget := func(x []float64, n, dim int) ([]float64, []float64, error) { return f(x, n, dim, true) }
			return train.FitVariational(p, logTarget, o, pr)
		})
}
