package main

import (
	"math"
	"testing"
	"unsafe"
)

// defaultScanOptions is GJ_SCAN_OPTIONS_INIT.
func defaultScanOptions() _Ctype_gj_scan_options {
	return _Ctype_gj_scan_options{struct_size: _Ctype_size_t(unsafe.Sizeof(_Ctype_gj_scan_options{}))}
}

// TestCoverageScanHandles runs a scan through the exports: shapes, labels, MAP, saved cells,
// contours, and the scan handle's life cycle and errors.
func TestCoverageScanHandles(t *testing.T) {
	h := create(t, "e2", "x")
	defer gj_pdf_free(h)
	x := []float64{0.5, -1.0, 1.5, 0.2}
	opts := defaultScanOptions()
	opts.save_scan, opts.contours, opts.grid_points = 1, 1, 50
	var scan _Ctype_uint64_t
	if s := gj_pdf_coverage_scan(h, cdoubles(x), 2, 4, saved(), nil, 0, &opts, &scan); s != statusOK {
		t.Fatalf("gj_pdf_coverage_scan: status %d", s)
	}
	var nScans, nLabels, dim, nLevels _Ctype_int64_t
	var method _Ctype_int
	if s := gj_scan_dims(scan, &nScans, &nLabels, &dim, &nLevels, &method); s != statusOK || nScans != 1 || nLabels != 2 || dim != 2 || nLevels != 3 || method != 1 {
		t.Fatalf("gj_scan_dims: status %d, %d scans, %d labels, dim %d, %d levels, method %d", s, nScans, nLabels, dim, nLevels, method)
	}
	cov := make([]float64, 2)
	if s := gj_scan_labels(scan, nil, cdoubles(cov), nil, 2); s != statusOK {
		t.Fatalf("gj_scan_labels: status %d", s)
	}
	for i := range cov {
		want := -math.Expm1(-(x[2*i]*x[2*i] + x[2*i+1]*x[2*i+1]) / 2)
		if math.Abs(cov[i]-want) > 5e-3 { // a coarse 50 x 50 grid
			t.Errorf("coverage of label %d: %g, want %g", i, cov[i], want)
		}
	}
	if s := gj_scan_labels(scan, nil, cdoubles(cov), nil, 3); s != statusArgument {
		t.Errorf("gj_scan_labels with a wrong n: status %d", s)
	}
	var cells _Ctype_int64_t
	if s := gj_scan_cells(scan, 0, &cells, nil, 0, nil, nil, 0); s != statusOK || cells != 2500 {
		t.Fatalf("gj_scan_cells: status %d, %d cells", s, cells)
	}
	lp := make([]float64, cells)
	if s := gj_scan_cells(scan, 0, &cells, nil, 0, cdoubles(lp), nil, cells); s != statusOK {
		t.Fatalf("gj_scan_cells: status %d", s)
	}
	var lines, points _Ctype_int64_t
	if s := gj_scan_contours(scan, 0, 2, &lines, &points, nil, 0, nil, 0); s != statusOK || lines != 1 || points < 10 {
		t.Fatalf("gj_scan_contours: status %d, %d lines of %d points", s, lines, points)
	}
	if s := gj_scan_contours(scan, 0, 3, &lines, &points, nil, 0, nil, 0); s != statusArgument {
		t.Errorf("gj_scan_contours with level 3 of 3: status %d", s)
	}
	if s := gj_scan_free(scan); s != statusOK {
		t.Fatalf("gj_scan_free: status %d", s)
	}
	if s := gj_scan_free(scan); s != statusInvalidHandle {
		t.Errorf("second gj_scan_free: status %d", s)
	}
	if s := gj_scan_dims(scan, nil, nil, nil, nil, nil); s != statusInvalidHandle {
		t.Errorf("gj_scan_dims on a freed scan: status %d", s)
	}
	opts.method = 2 // healpix on e2
	if s := gj_pdf_coverage_scan(h, cdoubles(x), 2, 4, saved(), nil, 0, &opts, &scan); s != statusArgument {
		t.Errorf("healpix scan of an e2 PDF: status %d", s)
	}
	if s := gj_pdf_coverage_scan(h, cdoubles(x), 2, 4, saved(), nil, 0, nil, &scan); s != statusNullPointer {
		t.Errorf("NULL options: status %d", s)
	}
	bad := defaultScanOptions()
	bad.struct_size = 7
	if s := gj_pdf_coverage_scan(h, cdoubles(x), 2, 4, saved(), nil, 0, &bad, &scan); s != statusArgument {
		t.Errorf("struct_size 7: status %d", s)
	}
}

// TestApproximateCoverageExport checks gj_pdf_approximate_coverage against |z|² of a standard
// normal and its argument checks.
func TestApproximateCoverageExport(t *testing.T) {
	h := create(t, "e2", "x")
	defer gj_pdf_free(h)
	x := []float64{0.5, -1.0, 1.5, 0.2}
	keys := []int64{-1, 0}
	expected, truth := make([]float64, 5), make([]float64, 10)
	diffs, cdfs := make([]float64, 4), make([]float64, 4)
	s := gj_pdf_approximate_coverage(h, cdoubles(x), 2, 4, nil, 0, saved(), 5, (*_Ctype_int64_t)(unsafe.Pointer(&keys[0])), 2,
		cdoubles(expected), cdoubles(truth), 10, cdoubles(diffs), cdoubles(cdfs), 4)
	if s != statusOK {
		t.Fatalf("gj_pdf_approximate_coverage: status %d", s)
	}
	for i := range 2 {
		want := x[2*i]*x[2*i] + x[2*i+1]*x[2*i+1]
		if math.Abs(diffs[i]-want) > 1e-12 || math.Abs(diffs[2+i]-want) > 1e-12 {
			t.Errorf("logprob_diffs of point %d: %g and %g, want %g", i, diffs[i], diffs[2+i], want)
		}
	}
	if expected[4] != 1 || truth[4] != 1 {
		t.Errorf("expected %v, true %v", expected, truth)
	}
	if s := gj_pdf_approximate_coverage(h, cdoubles(x), 2, 4, nil, 0, saved(), 1, (*_Ctype_int64_t)(unsafe.Pointer(&keys[0])), 2,
		nil, nil, 0, nil, nil, 0); s != statusArgument {
		t.Errorf("num_percentile_points 1: status %d", s)
	}
}
