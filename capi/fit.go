package main

/*
#include "internal.h"
*/
import "C"

import (
	"errors"
	"math"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/train"
)

// defaultFitOptions are the defaults of GJ_FIT_OPTIONS_INIT (train's defaults); they also
// fill the fields beyond an older caller's struct_size.
var defaultFitOptions = C.gj_fit_options{struct_size: C.size_t(fitLayout.size), epochs: 10, batch_size: 256, learning_rate: 1e-2}

// trainOptions converts C options (NULL: defaults) for n data rows and the coordinates of the
// data. Zero fields take train's defaults, which also checks the ranges.
func trainOptions(ptr *C.gj_fit_options, c flowcore.Coords, n C.int64_t) (train.Options, C.gj_fit_options, error) {
	o := defaultFitOptions
	if ptr != nil {
		var err error
		if o, err = readStruct(fitLayout, "opts", ptr, defaultFitOptions); err != nil {
			return train.Options{}, o, err
		}
	}
	t := train.Options{
		Epochs: int(o.epochs), Steps: int(o.steps), BatchSize: int(o.batch_size),
		LearningRate: float64(o.learning_rate), Seed: uint64(o.seed), Patience: int(o.patience),
		ClipNorm: float64(o.clip_norm), Coords: c,
	}
	if o.poisson_counts != nil || o.poisson_counts_len != 0 {
		counts, err := rows("opts.poisson_counts", o.poisson_counts, o.poisson_counts_len, n, 1, "1")
		if err != nil {
			return train.Options{}, o, err
		}
		t.PoissonCounts = append([]float64(nil), counts...)
	}
	return t, o, nil
}

// progressBridge calls the C progress callback. train.Fit calls progress synchronously on the
// goroutine that called it, i.e. on the thread that called gj_pdf_fit, between optimizer steps.
func progressBridge(fn C.gj_progress_fn, user unsafe.Pointer, id uint64, stopped *bool) func(train.Progress) bool {
	if fn == nil {
		return nil
	}
	return func(pr train.Progress) bool {
		stop := C.gjx_call_progress(fn, user, C.uint64_t(id), C.int64_t(pr.Step), C.int64_t(pr.Epoch),
			C.double(pr.Loss), C.double(pr.ValLoss))
		*stopped = stop != 0
		return !*stopped
	}
}

//export gj_pdf_fit
func gj_pdf_fit(id C.uint64_t, data *C.double, n, dataLen C.int64_t, cond *C.double, condLen C.int64_t,
	valData *C.double, nVal, valLen C.int64_t, valCond *C.double, valCondLen C.int64_t,
	coordsArg *C.gj_coords, opts *C.gj_fit_options, progress C.gj_progress_fn, user unsafe.Pointer,
	lossHistory, valHistory *C.double, historyLen C.int64_t, nHistory *C.int64_t) C.int {
	h := history{lossHistory, valHistory, historyLen, nHistory}
	return fitCall("gj_pdf_fit", id, coordsArg, opts, n, progress, user, h,
		func(_ *call, p *flowcore.PDF, o train.Options, dim int, pr func(train.Progress) bool) (train.History, error) {
			x, err := rows("data", data, dataLen, n, dim, "dim")
			if err != nil {
				return train.History{}, err
			}
			cs, err := readCond("cond", p, cond, condLen, n)
			if err != nil {
				return train.History{}, err
			}
			if valData != nil {
				if o.ValidationData, err = rows("val_data", valData, valLen, nVal, dim, "dim"); err != nil {
					return train.History{}, err
				}
				if o.ValidationCond, err = readCond("val_cond", p, valCond, valCondLen, nVal); err != nil {
					return train.History{}, err
				}
				o.NVal = int(nVal)
			} else if nVal != 0 || valLen != 0 || valCond != nil || valCondLen != 0 {
				return train.History{}, fail(C.GJ_ERR_NULL_POINTER, "val_data is NULL but n_val = %d, val_len = %d (pass NULL, 0, 0 and NULL, 0 for no validation)", int64(nVal), int64(valLen))
			}
			return train.Fit(p, x, int(n), cs, o, pr)
		})
}

// history are the history outputs of a training call.
type history struct {
	loss, val *C.double
	capacity  C.int64_t
	count     *C.int64_t
}

// fitCall runs a training call (gj_pdf_fit, gj_pdf_fit_variational) on the model held
// exclusively: it reads the coordinates and options (n data rows), runs fit with the progress
// bridge, writes the history and turns a stop by the callback into GJ_ERR_STOPPED. Errors of
// fit without a status become GJ_ERR_ARGUMENT.
func fitCall(name string, id C.uint64_t, coordsArg *C.gj_coords, opts *C.gj_fit_options, n C.int64_t,
	progress C.gj_progress_fn, user unsafe.Pointer, h history,
	fit func(cl *call, p *flowcore.PDF, o train.Options, dim int, progress func(train.Progress) bool) (train.History, error)) C.int {
	return run(name, func(cl *call) error {
		p, release, err := cl.model(id, exclusive)
		if err != nil {
			return err
		}
		defer release()
		c, dim, err := readCoordsDim(p, "coords", coordsArg)
		if err != nil {
			return err
		}
		o, raw, err := trainOptions(opts, c, n)
		if err != nil {
			return err
		}
		if h.capacity < 0 {
			return fail(C.GJ_ERR_ARGUMENT, "history_len: must be >= 0, got %d", int64(h.capacity))
		}
		stopped := false
		hist, err := fit(cl, p, o, dim, progressBridge(progress, user, cl.h.id, &stopped))
		if err != nil && !(stopped && errors.Is(err, train.ErrStopped)) {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		writeHistory(h.loss, h.val, h.capacity, h.count, hist)
		writeCounts(raw.skipped_nan_history, h.capacity, hist.SkippedNaN)
		writeCounts(raw.skipped_outside_history, h.capacity, hist.SkippedOutside)
		if stopped {
			return fail(C.GJ_ERR_STOPPED, "training stopped by the progress callback after epoch %d", len(hist.Loss))
		}
		return nil
	})
}

// writeHistory copies up to capacity epochs of the histories (NaN validation losses without
// validation data) and the number of epochs.
func writeHistory(loss, val *C.double, capacity C.int64_t, count *C.int64_t, h train.History) {
	k := min(len(h.Loss), int(capacity))
	output(loss, h.Loss[:k])
	v := make([]float64, k)
	for i := range v {
		v[i] = math.NaN()
	}
	copy(v, h.ValLoss)
	output(val, v)
	setInt64(count, len(h.Loss))
}

// writeCounts copies up to capacity per-epoch counts to dst (skipped when NULL).
func writeCounts(dst *C.int64_t, capacity C.int64_t, counts []int) {
	if dst == nil {
		return
	}
	out := unsafe.Slice((*int64)(unsafe.Pointer(dst)), min(len(counts), int(capacity)))
	for i := range out {
		out[i] = int64(counts[i])
	}
}
