package main

// These tests call the exported functions from Go (cgo types spelled _Ctype_*, since test files
// cannot import "C") so that the handle registry and locking run under the race detector. The
// C programs in examples/c test the library as C sees it.

import (
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// Status codes of gojammy.h used below.
const (
	statusOK            = 0
	statusInvalidHandle = 1
)

func cstr(s string) *_Ctype_char {
	b := append([]byte(s), 0)
	return (*_Ctype_char)(unsafe.Pointer(&b[0]))
}

func cdoubles(v []float64) *_Ctype_double { return (*_Ctype_double)(unsafe.Pointer(&v[0])) }

func create(t *testing.T, pdfDefs, flowDefs string) _Ctype_uint64_t {
	t.Helper()
	var h _Ctype_uint64_t
	if s := gj_pdf_create(cstr(pdfDefs), cstr(flowDefs), nil, 0, nil, &h); s != statusOK {
		t.Fatalf("gj_pdf_create: status %d", s)
	}
	return h
}

func logDensity(h _Ctype_uint64_t, x []float64) ([]float64, _Ctype_int) {
	n := len(x) / 2
	lp := make([]float64, n)
	s := gj_pdf_log_density(h, cdoubles(x), _Ctype_int64_t(n), _Ctype_int64_t(len(x)), nil, 0, 0, cdoubles(lp), nil, nil)
	return lp, s
}

func TestConcurrentUseSetAndFree(t *testing.T) {
	h := create(t, "e2", "gg")
	x := make([]float64, 2*600)
	for i := range x {
		x[i] = float64(i%37)/18.0 - 1
	}
	serial, s := logDensity(h, x)
	if s != statusOK {
		t.Fatalf("gj_pdf_log_density: status %d", s)
	}
	var nParams _Ctype_int64_t
	gj_pdf_dims(h, 0, nil, nil, nil, &nParams)
	params := make([]float64, nParams)
	gj_pdf_get_params(h, cdoubles(params), nParams)

	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lp, s := logDensity(h, x)
				if s == statusInvalidHandle {
					return
				}
				if s != statusOK || !slices.Equal(lp, serial) {
					t.Errorf("concurrent evaluation: status %d, equal %v", s, slices.Equal(lp, serial))
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for gj_pdf_set_params(h, cdoubles(params), nParams) == statusOK {
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if s := gj_pdf_free(h); s != statusOK {
		t.Errorf("gj_pdf_free: status %d", s)
	}
	wg.Wait()
	if _, s := logDensity(h, x); s != statusInvalidHandle {
		t.Errorf("evaluation after free: status %d, want %d", s, statusInvalidHandle)
	}
}

func TestHandlesAreNotReused(t *testing.T) {
	h1 := create(t, "e1", "g")
	if s := gj_pdf_free(h1); s != statusOK {
		t.Fatalf("gj_pdf_free: status %d", s)
	}
	h2 := create(t, "e1", "g")
	defer gj_pdf_free(h2)
	if h2 == h1 {
		t.Errorf("handle %d reused", h1)
	}
	if s := gj_pdf_free(h1); s != statusInvalidHandle {
		t.Errorf("second free: status %d, want %d", s, statusInvalidHandle)
	}
}

// TestEmbeddingFlagsWhileEvaluating toggles the embedding flags (an exclusive call) while other
// goroutines transform points and read the flags, so that the race detector sees the flags read
// by the dimension checks and written by gj_pdf_set_embedding_flags.
func TestEmbeddingFlagsWhileEvaluating(t *testing.T) {
	h := create(t, "e2+i1_-1.0_2.0", "gg+r")
	defer gj_pdf_free(h)
	x := []float64{0.1, -0.2, 0.5, 1.0, 2.0, 1.5}
	var wg sync.WaitGroup
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				y, ld := make([]float64, 6), make([]float64, 2)
				s := gj_pdf_transform_target_space(h, cdoubles(x), 2, 6, 0, 2, cdoubles(y), 6, cdoubles(ld))
				if s != statusOK || !slices.Equal(x, y) || ld[0] != 0 || ld[1] != 0 {
					t.Errorf("transform: status %d, y %v, log_det %v", s, y, ld)
					return
				}
				flags := make([]_Ctype_int, 2)
				if s := gj_pdf_get_embedding_flags(h, &flags[0], 2); s != statusOK {
					t.Errorf("gj_pdf_get_embedding_flags: status %d", s)
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		if s := gj_pdf_set_embedding_flags(h, _Ctype_int(i%2), _Ctype_int(i%3-1)); s != statusOK {
			t.Fatalf("gj_pdf_set_embedding_flags: status %d", s)
		}
	}
	wg.Wait()
}
