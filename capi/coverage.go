package main

/*
#include "internal.h"
*/
import "C"

import (
	"math"
	"sync"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/flowcore/coverage"
)

//export gj_pdf_approximate_coverage
func gj_pdf_approximate_coverage(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t, coordsArg *C.gj_coords,
	numPercentilePoints C.int64_t, subManifolds *C.int64_t, subManifoldsLen C.int64_t,
	expected, trueFraction *C.double, trueFractionLen C.int64_t, logprobDiffs, chi2CDF *C.double, logprobDiffsLen C.int64_t) C.int {
	return approximateCoverage("gj_pdf_approximate_coverage", id, x, n, xLen, cond, condLen, nil, 0, coordsArg, numPercentilePoints,
		subManifolds, subManifoldsLen, expected, trueFraction, trueFractionLen, logprobDiffs, chi2CDF, logprobDiffsLen)
}

//export gj_pdf_approximate_coverage_amortized
func gj_pdf_approximate_coverage_amortized(id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, coordsArg *C.gj_coords, numPercentilePoints C.int64_t, subManifolds *C.int64_t, subManifoldsLen C.int64_t,
	expected, trueFraction *C.double, trueFractionLen C.int64_t, logprobDiffs, chi2CDF *C.double, logprobDiffsLen C.int64_t) C.int {
	return approximateCoverage("gj_pdf_approximate_coverage_amortized", id, x, n, xLen, cond, condLen, amort, amortLen, coordsArg,
		numPercentilePoints, subManifolds, subManifoldsLen, expected, trueFraction, trueFractionLen, logprobDiffs, chi2CDF, logprobDiffsLen)
}

// approximateCoverage is gj_pdf_approximate_coverage with optional amortization parameters,
// under the name of the calling C function.
func approximateCoverage(name string, id C.uint64_t, x *C.double, n, xLen C.int64_t, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, coordsArg *C.gj_coords, numPercentilePoints C.int64_t, subManifolds *C.int64_t, subManifoldsLen C.int64_t,
	expected, trueFraction *C.double, trueFractionLen C.int64_t, logprobDiffs, chi2CDF *C.double, logprobDiffsLen C.int64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		b, _, am, err := readAmortizedBatch(p, x, n, xLen, cond, condLen, amort, amortLen, coordsArg)
		if err != nil {
			return err
		}
		keys, err := readKeys(subManifolds, subManifoldsLen)
		if err != nil {
			return err
		}
		if numPercentilePoints < 2 || numPercentilePoints > maxElements {
			return fail(C.GJ_ERR_ARGUMENT, "num_percentile_points: must be >= 2, got %d", int64(numPercentilePoints))
		}
		if err := outputLength("true_fraction", trueFraction, trueFractionLen, subManifoldsLen, int(numPercentilePoints), "num_percentile_points"); err != nil {
			return err
		}
		for _, o := range []struct {
			name string
			ptr  *C.double
		}{{"logprob_diffs", logprobDiffs}, {"chi2_cdf_evals", chi2CDF}} {
			if err := outputLength(o.name, o.ptr, logprobDiffsLen, subManifoldsLen, int(n), "n"); err != nil {
				return err
			}
		}
		a, err := coverage.ApproximateAmortized(p, b.x, b.n, b.cond, am, b.coords, int(numPercentilePoints), keys)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		output(expected, a.Expected)
		for k, part := range a.Parts {
			outputAt(trueFraction, k*len(a.Expected), part.True)
			outputAt(logprobDiffs, k*b.n, part.LogprobDiffs)
			outputAt(chi2CDF, k*b.n, part.Chi2CDF)
		}
		return nil
	})
}

// readKeys reads the sub-manifold keys of a call (-1: the whole PDF; at least one).
func readKeys(subManifolds *C.int64_t, length C.int64_t) ([]int, error) {
	if length < 1 || length > maxElements {
		return nil, fail(C.GJ_ERR_ARGUMENT, "sub_manifolds_len: must be >= 1, got %d", int64(length))
	}
	if subManifolds == nil {
		return nil, fail(C.GJ_ERR_NULL_POINTER, "sub_manifolds is NULL")
	}
	keys := make([]int, length)
	for k, v := range unsafe.Slice((*int64)(unsafe.Pointer(subManifolds)), length) {
		keys[k] = int(v)
	}
	return keys, nil
}

// outputAt copies src into the caller array at ptr from element offset on (skipped when ptr is
// NULL).
func outputAt(ptr *C.double, offset int, src []float64) {
	if ptr != nil {
		output((*C.double)(unsafe.Add(unsafe.Pointer(ptr), offset*8)), src)
	}
}

// scanResult is a finished scan kept for the gj_scan_ readers.
type scanResult struct {
	coverage.Result
	dim int
}

// scans maps scan handles to results. Ids start at 1 and are never reused.
var scans = struct {
	sync.RWMutex
	results map[uint64]*scanResult
	last    uint64
}{results: map[uint64]*scanResult{}}

var scanLayout = func() versioned {
	var o C.gj_scan_options
	return newVersioned("gj_scan_options", unsafe.Sizeof(o), unsafe.Alignof(o),
		end(unsafe.Offsetof(o.struct_size), o.struct_size), end(unsafe.Offsetof(o.method), o.method),
		end(unsafe.Offsetof(o.save_scan), o.save_scan), end(unsafe.Offsetof(o.samples), o.samples),
		end(unsafe.Offsetof(o.grid_points), o.grid_points), end(unsafe.Offsetof(o.levels), o.levels),
		end(unsafe.Offsetof(o.levels_len), o.levels_len), end(unsafe.Offsetof(o.seed), o.seed),
		end(unsafe.Offsetof(o.contours), o.contours))
}()

// scanOptions converts gj_scan_options.
func scanOptions(ptr *C.gj_scan_options) (coverage.Options, error) {
	o, err := readStruct(scanLayout, "opts", ptr, C.gj_scan_options{})
	if err != nil {
		return coverage.Options{}, err
	}
	if o.method < C.GJ_SCAN_AUTO || o.method > C.GJ_SCAN_SAMPLING {
		return coverage.Options{}, fail(C.GJ_ERR_ARGUMENT, "opts.method: %d is not a gj_scan_method", int(o.method))
	}
	for _, f := range []struct {
		name string
		v    C.int
	}{{"save_scan", o.save_scan}, {"contours", o.contours}} {
		if f.v != 0 && f.v != 1 {
			return coverage.Options{}, fail(C.GJ_ERR_ARGUMENT, "opts.%s: must be 0 or 1, got %d", f.name, int(f.v))
		}
	}
	if o.samples < 0 || o.samples > maxElements || o.grid_points < 0 || o.grid_points > maxElements {
		return coverage.Options{}, fail(C.GJ_ERR_ARGUMENT, "opts.samples and opts.grid_points: must be >= 0 (0: default), got %d and %d", int64(o.samples), int64(o.grid_points))
	}
	opt := coverage.Options{Method: coverage.Method(o.method), SaveScan: o.save_scan == 1, Contours: o.contours == 1, Samples: int(o.samples), GridPoints: int(o.grid_points), Seed: uint64(o.seed)}
	if o.levels != nil || o.levels_len != 0 {
		if o.levels_len < 1 || o.levels_len > maxElements {
			return coverage.Options{}, fail(C.GJ_ERR_ARGUMENT, "opts.levels_len: must be >= 1 with levels, got %d", int64(o.levels_len))
		}
		lv, err := input("opts.levels", o.levels, o.levels_len, int64(o.levels_len), "levels_len")
		if err != nil {
			return coverage.Options{}, err
		}
		opt.Levels = append([]float64(nil), lv...)
	}
	return opt, nil
}

//export gj_pdf_coverage_scan
func gj_pdf_coverage_scan(id C.uint64_t, labels *C.double, n, labelsLen C.int64_t, labelCoords *C.gj_coords, cond *C.double, condLen C.int64_t,
	opts *C.gj_scan_options, outScan *C.uint64_t) C.int {
	return coverageScan("gj_pdf_coverage_scan", id, wholePDF, labels, n, labelsLen, labelCoords, cond, condLen, nil, 0, opts, outScan)
}

//export gj_pdf_coverage_scan_amortized
func gj_pdf_coverage_scan_amortized(id C.uint64_t, labels *C.double, n, labelsLen C.int64_t, labelCoords *C.gj_coords,
	cond *C.double, condLen C.int64_t, amort *C.double, amortLen C.int64_t, opts *C.gj_scan_options, outScan *C.uint64_t) C.int {
	return coverageScan("gj_pdf_coverage_scan_amortized", id, wholePDF, labels, n, labelsLen, labelCoords, cond, condLen, amort, amortLen, opts, outScan)
}

// scanTarget is what a coverage scan scans: the whole PDF, or with marginal the marginal of
// sub-manifold sub, averaged over conditioning samples (0: the default).
type scanTarget struct {
	marginal          bool
	sub, conditioning int64
}

// wholePDF is the scanTarget of gj_pdf_coverage_scan.
var wholePDF = scanTarget{}

// coverageScan is gj_pdf_coverage_scan of target with optional amortization parameters (one row
// per scan), under the name of the calling C function.
func coverageScan(name string, id C.uint64_t, target scanTarget, labels *C.double, n, labelsLen C.int64_t, labelCoords *C.gj_coords, cond *C.double, condLen C.int64_t,
	amort *C.double, amortLen C.int64_t, opts *C.gj_scan_options, outScan *C.uint64_t) C.int {
	return withModel(name, id, shared, func(p *flowcore.PDF) error {
		if outScan == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "out_scan is NULL")
		}
		c, dim, err := readCoordsDim(p, "label_coords", labelCoords)
		if err != nil {
			return err
		}
		x, err := rows("labels", labels, labelsLen, n, dim, "dim")
		if err != nil {
			return err
		}
		var cs []float64
		if cd := p.ConditionalDim(); cd > 0 {
			if condLen%C.int64_t(cd) != 0 {
				return fail(C.GJ_ERR_ARGUMENT, "cond_len: %d is not a multiple of cond_dim = %d", int64(condLen), cd)
			}
			if cs, err = readCond("cond", p, cond, condLen, condLen/C.int64_t(cd)); err != nil {
				return err
			}
		} else if cond != nil || condLen != 0 {
			return fail(C.GJ_ERR_ARGUMENT, "cond: the model is unconditional; pass NULL and length 0")
		}
		opt, err := scanOptions(opts)
		if err != nil {
			return err
		}
		var a []float64
		if amort != nil || amortLen != 0 {
			if a, err = input("amort", amort, amortLen, int64(amortLen), "amort_len"); err != nil {
				return err
			}
		}
		res, err := target.scan(p, x, int(n), c, cs, a, opt)
		if err != nil {
			return withStatus(C.GJ_ERR_ARGUMENT, err)
		}
		intrinsic, _ := p.Dim(flowcore.IntrinsicCoords)
		if target.marginal {
			intrinsic = p.ManifoldDefs()[target.sub].Dim
		}
		scans.Lock()
		scans.last++
		scans.results[scans.last] = &scanResult{Result: res, dim: intrinsic}
		*outScan = C.uint64_t(scans.last)
		scans.Unlock()
		return nil
	})
}

// withScan runs body on the scan of id as export name.
func withScan(name string, id C.uint64_t, body func(s *scanResult) error) C.int {
	return run(name, func(*call) error {
		scans.RLock()
		s := scans.results[uint64(id)]
		scans.RUnlock()
		if s == nil {
			return fail(C.GJ_ERR_INVALID_HANDLE, "scan %d is unknown or was freed", uint64(id))
		}
		return body(s)
	})
}

//export gj_scan_dims
func gj_scan_dims(id C.uint64_t, nScans, nLabels, dim, nLevels *C.int64_t, method *C.int) C.int {
	return withScan("gj_scan_dims", id, func(s *scanResult) error {
		setInt64(nScans, len(s.Scans))
		setInt64(nLabels, len(s.Coverage))
		setInt64(dim, s.dim)
		setInt64(nLevels, len(s.Scans[0].LevelVolumes))
		if method != nil {
			*method = C.int(s.Method)
		}
		return nil
	})
}

//export gj_scan_labels
func gj_scan_labels(id C.uint64_t, logPDF, cov, covErr *C.double, n C.int64_t) C.int {
	return withScan("gj_scan_labels", id, func(s *scanResult) error {
		if int64(n) != int64(len(s.Coverage)) {
			return fail(C.GJ_ERR_ARGUMENT, "n: is %d, the scan has %d labels", int64(n), len(s.Coverage))
		}
		output(logPDF, s.LogPDFLabels)
		output(cov, s.Coverage)
		output(covErr, s.CoverageError)
		return nil
	})
}

//export gj_scan_maps
func gj_scan_maps(id C.uint64_t, maps *C.double, mapLen C.int64_t, logPDFMAP, levelVolumes *C.double, levelVolumesLen, nScans C.int64_t) C.int {
	return withScan("gj_scan_maps", id, func(s *scanResult) error {
		if int64(nScans) != int64(len(s.Scans)) {
			return fail(C.GJ_ERR_ARGUMENT, "n_scans: is %d, the result has %d scans", int64(nScans), len(s.Scans))
		}
		levels := len(s.Scans[0].LevelVolumes)
		if err := outputLength("map", maps, mapLen, nScans, s.dim, "dim"); err != nil {
			return err
		}
		if err := outputLength("level_volumes", levelVolumes, levelVolumesLen, nScans, levels, "n_levels"); err != nil {
			return err
		}
		for i, sc := range s.Scans {
			m := sc.MAP
			if m == nil { // no finite density anywhere
				m = make([]float64, s.dim)
				for j := range m {
					m[j] = math.NaN()
				}
			}
			outputAt(maps, i*s.dim, m)
			outputAt(logPDFMAP, i, []float64{sc.LogPDFMAP})
			outputAt(levelVolumes, i*levels, sc.LevelVolumes)
		}
		return nil
	})
}

//export gj_scan_cells
func gj_scan_cells(id C.uint64_t, row C.int64_t, nCells *C.int64_t, positions *C.double, positionsLen C.int64_t, logPDF, volumes *C.double, valuesLen C.int64_t) C.int {
	return withScan("gj_scan_cells", id, func(s *scanResult) error {
		if nCells == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "n_cells is NULL")
		}
		if row < 0 || int64(row) >= int64(len(s.Scans)) {
			return fail(C.GJ_ERR_ARGUMENT, "row: must be in [0, %d), got %d", len(s.Scans), int64(row))
		}
		sc := s.Scans[row]
		cells := len(sc.LogPDF)
		*nCells = C.int64_t(cells)
		if err := outputLength("positions", positions, positionsLen, C.int64_t(cells), s.dim, "dim"); err != nil {
			return err
		}
		if (logPDF != nil || volumes != nil) && int64(valuesLen) != int64(cells) {
			return fail(C.GJ_ERR_ARGUMENT, "values_len: is %d, the scan has %d cells", int64(valuesLen), cells)
		}
		output(positions, sc.Positions)
		output(logPDF, sc.LogPDF)
		output(volumes, sc.Volumes)
		return nil
	})
}

//export gj_scan_contours
func gj_scan_contours(id C.uint64_t, row, level C.int64_t, nLines, nPoints *C.int64_t, lineStarts *C.int64_t, startsLen C.int64_t, points *C.double, pointsLen C.int64_t) C.int {
	return withScan("gj_scan_contours", id, func(s *scanResult) error {
		if nLines == nil || nPoints == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "n_lines or n_points is NULL")
		}
		if row < 0 || int64(row) >= int64(len(s.Scans)) {
			return fail(C.GJ_ERR_ARGUMENT, "row: must be in [0, %d), got %d", len(s.Scans), int64(row))
		}
		sc := s.Scans[row]
		if levels := len(sc.LevelVolumes); level < 0 || int64(level) >= int64(levels) {
			return fail(C.GJ_ERR_ARGUMENT, "level: must be in [0, %d), got %d", levels, int64(level))
		}
		var lines [][]float64
		if sc.Contours != nil {
			lines = sc.Contours[level].Polygons
		}
		starts := []int64{0}
		for _, l := range lines {
			starts = append(starts, starts[len(starts)-1]+int64(len(l)/2))
		}
		*nLines, *nPoints = C.int64_t(len(lines)), C.int64_t(starts[len(starts)-1])
		if lineStarts != nil {
			if int64(startsLen) != int64(len(starts)) {
				return fail(C.GJ_ERR_ARGUMENT, "starts_len: is %d, expected n_lines + 1 = %d", int64(startsLen), len(starts))
			}
			copy(unsafe.Slice((*int64)(unsafe.Pointer(lineStarts)), len(starts)), starts)
		}
		if points != nil {
			if int64(pointsLen) != 2*starts[len(starts)-1] {
				return fail(C.GJ_ERR_ARGUMENT, "points_len: is %d, expected 2 * n_points = %d", int64(pointsLen), 2*starts[len(starts)-1])
			}
			for k, l := range lines {
				outputAt(points, int(2*starts[k]), l)
			}
		}
		return nil
	})
}

//export gj_scan_free
func gj_scan_free(id C.uint64_t) C.int {
	return run("gj_scan_free", func(*call) error {
		scans.Lock()
		defer scans.Unlock()
		if scans.results[uint64(id)] == nil {
			return fail(C.GJ_ERR_INVALID_HANDLE, "scan %d is unknown or was freed", uint64(id))
		}
		delete(scans.results, uint64(id))
		return nil
	})
}
