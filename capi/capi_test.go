package main

// These tests call the exported functions from Go (cgo types spelled _Ctype_*, since test files
// cannot import "C") so that the handle registry and locking run under the race detector. The
// C programs in examples/c test the library as C sees it.

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
)

// Status codes of gojammy.h used below.
const (
	statusOK            = 0
	statusInvalidHandle = 1
	statusNullPointer   = 2
	statusArgument      = 3
	statusInternal      = 6
	statusPoisoned      = 10
)

func cstr(s string) *_Ctype_char {
	b := append([]byte(s), 0)
	return (*_Ctype_char)(unsafe.Pointer(&b[0]))
}

func cdoubles(v []float64) *_Ctype_double { return (*_Ctype_double)(unsafe.Pointer(&v[0])) }

func createOptions(pdfDefs, flowDefs string) _Ctype_gj_create_options {
	return _Ctype_gj_create_options{struct_size: _Ctype_size_t(unsafe.Sizeof(_Ctype_gj_create_options{})),
		pdf_defs: cstr(pdfDefs), flow_defs: cstr(flowDefs)}
}

func create(t *testing.T, pdfDefs, flowDefs string) _Ctype_uint64_t {
	t.Helper()
	var h _Ctype_uint64_t
	opts := createOptions(pdfDefs, flowDefs)
	if s := gj_pdf_create(&opts, &h); s != statusOK {
		t.Fatalf("gj_pdf_create: status %d", s)
	}
	return h
}

// saved is GJ_COORDS_INIT(GJ_COORDS_SAVED).
func saved() *_Ctype_gj_coords {
	return &_Ctype_gj_coords{struct_size: _Ctype_size_t(unsafe.Sizeof(_Ctype_gj_coords{}))}
}

func logDensity(h _Ctype_uint64_t, x []float64) ([]float64, _Ctype_int) {
	n := len(x) / 2
	lp := make([]float64, n)
	s := gj_pdf_log_density(h, cdoubles(x), _Ctype_int64_t(n), _Ctype_int64_t(len(x)), nil, 0, saved(), cdoubles(lp), nil, nil, 0)
	return lp, s
}

// threadError is the calling thread's last error message.
func threadError() string {
	buf := make([]byte, 1024)
	gj_last_error((*_Ctype_char)(unsafe.Pointer(&buf[0])), _Ctype_size_t(len(buf)))
	return string(buf[:slices.Index(buf, 0)])
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
	gj_pdf_dims(h, saved(), nil, nil, nil, &nParams)
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

// TestPoisonedModel: a call that panics inside the library returns GJ_ERR_INTERNAL and poisons
// its handle: later calls fail with GJ_ERR_POISONED quoting the panic, gj_pdf_free still works,
// other handles are unaffected.
func TestPoisonedModel(t *testing.T) {
	h, other := create(t, "e2", "gg"), create(t, "e2", "gg")
	defer gj_pdf_free(other)
	s := withModel("gj_test_call", h, shared, func(*flowcore.PDF) error { panic("index out of range [7]") })
	if s != statusInternal || !strings.Contains(threadError(), "gj_test_call: internal error (please report): index out of range [7]") {
		t.Fatalf("panicking call: status %d, message %q", s, threadError())
	}
	x := []float64{0.1, 0.2}
	if _, s := logDensity(h, x); s != statusPoisoned {
		t.Fatalf("call after the panic: status %d, want %d", s, statusPoisoned)
	}
	want := fmt.Sprintf("gj_pdf_log_density: handle %d is unusable because an earlier call failed inside the library (gj_test_call: index out of range [7])", uint64(h))
	if !strings.HasPrefix(threadError(), want) {
		t.Errorf("message %q, want prefix %q", threadError(), want)
	}
	if s := gj_pdf_set_params(h, nil, 0); s != statusPoisoned {
		t.Errorf("exclusive call after the panic: status %d", s)
	}
	if _, s := logDensity(other, x); s != statusOK {
		t.Errorf("other handle: status %d", s)
	}
	if s := gj_pdf_free(h); s != statusOK {
		t.Errorf("gj_pdf_free of a poisoned model: status %d", s)
	}
	if _, s := logDensity(h, x); s != statusInvalidHandle {
		t.Errorf("after free: status %d", s)
	}
}

// TestStructSize: older (shorter) structs are accepted with defaults for the missing fields;
// unknown sizes are rejected naming struct_size.
func TestStructSize(t *testing.T) {
	var o _Ctype_gj_create_options
	short := unsafe.Offsetof(o.options_json) // ends after flow_defs: the required fields
	for _, tc := range []struct {
		size   uintptr
		status _Ctype_int
	}{
		{short, statusOK}, {unsafe.Offsetof(o.embedding_flags), statusOK}, {unsafe.Sizeof(o), statusOK},
		{short - 8, statusArgument}, {short + 4, statusArgument}, {unsafe.Sizeof(o) + 8, statusArgument}, {0, statusArgument},
	} {
		opts := createOptions("e1+s2", "g+n")
		opts.struct_size = _Ctype_size_t(tc.size)
		opts.conditional_input_dim = 99 // beyond a short struct_size: must not be read
		var h _Ctype_uint64_t
		s := gj_pdf_create(&opts, &h)
		if s != tc.status {
			t.Errorf("struct_size %d: status %d, want %d (%s)", tc.size, s, tc.status, threadError())
			continue
		}
		if s != statusOK {
			if !strings.Contains(threadError(), "opts: struct_size") {
				t.Errorf("struct_size %d: message %q does not name struct_size", tc.size, threadError())
			}
			continue
		}
		var cd _Ctype_int64_t
		gj_pdf_dims(h, saved(), nil, nil, &cd, nil)
		if want := 99; tc.size <= unsafe.Offsetof(o.conditional_input_dim) {
			want = 0
			if cd != 0 {
				t.Errorf("struct_size %d: cond_dim %d read beyond struct_size", tc.size, cd)
			}
		} else if int(cd) != want {
			t.Errorf("struct_size %d: cond_dim %d, want %d", tc.size, cd, want)
		}
		gj_pdf_free(h)
	}
	c := saved()
	c.struct_size = 4
	if s := gj_pdf_dims(1<<60, c, nil, nil, nil, nil); s != statusInvalidHandle {
		t.Errorf("dims on an unknown handle: status %d", s)
	}
	h := create(t, "e1", "g")
	defer gj_pdf_free(h)
	if s := gj_pdf_dims(h, c, nil, nil, nil, nil); s != statusArgument || !strings.Contains(threadError(), "coords: struct_size 4") {
		t.Errorf("coords with struct_size 4: status %d, %q", s, threadError())
	}
	if s := gj_pdf_dims(h, nil, nil, nil, nil, nil); s != statusNullPointer {
		t.Errorf("NULL coords: status %d", s)
	}
}

// TestVersion: the library version comes from the header's GJ_VERSION_* macros and agrees with
// flowcore.Version (written into model files).
func TestVersion(t *testing.T) {
	var major, minor, patch _Ctype_int
	if s := gj_version_numbers(&major, &minor, &patch); s != statusOK {
		t.Fatalf("gj_version_numbers: status %d", s)
	}
	if got := fmt.Sprintf("%d.%d.%d", major, minor, patch); got != flowcore.Version || version != flowcore.Version {
		t.Errorf("gj_version_numbers %s, gj_version %s, flowcore.Version %s", got, version, flowcore.Version)
	}
}
