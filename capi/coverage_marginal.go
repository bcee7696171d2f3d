package main

/*
#include "internal.h"
*/
import "C"

import (
	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/coverage"
)

// scan runs the scan of target (amort nil for a PDF without amortization parameters).
func (target scanTarget) scan(p *flowcore.PDF, x []float64, n int, c flowcore.Coords, cond, amort []float64, opt coverage.Options) (coverage.Result, error) {
	if target.conditioning < 0 || target.conditioning > maxElements {
		return coverage.Result{}, fail(C.GJ_ERR_ARGUMENT, "conditioning_samples: must be >= 1 (0: the default %d), got %d", coverage.DefaultConditioningSamples, target.conditioning)
	}
	opt.ConditioningSamples = int(target.conditioning)
	switch {
	case !target.marginal && amort == nil:
		return coverage.Run(p, x, n, c, cond, opt)
	case !target.marginal:
		return coverage.RunAmortized(p, x, n, c, cond, amort, opt)
	case amort == nil:
		return coverage.Marginal(p, int(target.sub), x, n, c, cond, opt)
	}
	return coverage.MarginalAmortized(p, int(target.sub), x, n, c, cond, amort, opt)
}

//export gj_pdf_coverage_scan_marginal
func gj_pdf_coverage_scan_marginal(id C.uint64_t, subManifold, conditioningSamples C.int64_t, labels *C.double, n, labelsLen C.int64_t,
	labelCoords *C.gj_coords, cond *C.double, condLen C.int64_t, opts *C.gj_scan_options, outScan *C.uint64_t) C.int {
	return coverageScan("gj_pdf_coverage_scan_marginal", id, marginalTarget(subManifold, conditioningSamples), labels, n, labelsLen,
		labelCoords, cond, condLen, nil, 0, opts, outScan)
}

//export gj_pdf_coverage_scan_marginal_amortized
func gj_pdf_coverage_scan_marginal_amortized(id C.uint64_t, subManifold, conditioningSamples C.int64_t, labels *C.double, n, labelsLen C.int64_t,
	labelCoords *C.gj_coords, cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t, opts *C.gj_scan_options, outScan *C.uint64_t) C.int {
	return coverageScan("gj_pdf_coverage_scan_marginal_amortized", id, marginalTarget(subManifold, conditioningSamples), labels, n, labelsLen,
		labelCoords, cond, condLen, amort, amortLen, opts, outScan)
}

// marginalTarget is the scanTarget of the marginal of a sub-manifold (an index out of range,
// -1 included, is an error of coverage.Marginal).
func marginalTarget(sub, conditioning C.int64_t) scanTarget {
	return scanTarget{marginal: true, sub: int64(sub), conditioning: int64(conditioning)}
}
