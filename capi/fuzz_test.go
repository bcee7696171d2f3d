package main

import (
	"testing"
	"unsafe"

	"github.com/gojammy/gojammy/flowcore"
)

// fuzzBuffer returns a buffer of declared length n: real memory when n is small, else nil, so
// that the library is never handed a pointer to fewer values than the length claims.
func fuzzBuffer(n int64) *_Ctype_double {
	if n <= 0 || n > 4096 {
		return nil
	}
	return cdoubles(make([]float64, n))
}

// FuzzArgumentChecks feeds arbitrary lengths, counts, coordinate choices and struct sizes to
// the evaluation and sampling exports of a conditional model: no call may panic (status
// GJ_ERR_INTERNAL), and a call that succeeds must have been given consistent shapes.
func FuzzArgumentChecks(f *testing.F) {
	f.Add(int64(2), int64(6), int64(4), int64(6), int64(8), int32(0), int64(0), uint64(32))
	f.Add(int64(1)<<62, int64(0), int64(0), int64(0), int64(0), int32(3), int64(1), uint64(24))
	f.Add(int64(-1), int64(-3), int64(1)<<40, int64(7), int64(-8), int32(9), int64(-2), uint64(1000))
	var h _Ctype_uint64_t
	opts := createOptions("e1+s2", "g+f")
	opts.conditional_input_dim = 2
	if s := gj_pdf_create(&opts, &h); s != statusOK {
		f.Fatalf("gj_pdf_create: status %d", s)
	}
	defer gj_pdf_free(h)
	defer flowcore.SetMemoryBudget(0)
	if err := flowcore.SetMemoryBudget(64 << 20); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, n, xLen, condLen, outLen, baseLen int64, kind int32, embLen int64, structSize uint64) {
		// a coords struct inside a larger zeroed buffer, so any struct_size up to 256 is readable
		var mem [32]uint64
		coords := (*_Ctype_gj_coords)(unsafe.Pointer(&mem[0]))
		coords.struct_size = _Ctype_size_t(structSize % 257)
		coords.kind = _Ctype_int(kind)
		emb := []_Ctype_int{1, 0}
		coords.embedding, coords.embedding_len = &emb[0], _Ctype_int64_t(embLen)
		if embLen < 0 || embLen > 2 {
			coords.embedding = nil
		}
		x, cond, out, base := fuzzBuffer(xLen), fuzzBuffer(condLen), fuzzBuffer(outLen), fuzzBuffer(baseLen)
		var lp []float64
		var lpPtr *_Ctype_double
		if n > 0 && n <= 4096 {
			lp = make([]float64, n)
			lpPtr = cdoubles(lp)
		}
		s := gj_pdf_log_density(h, x, _Ctype_int64_t(n), _Ctype_int64_t(xLen), cond, _Ctype_int64_t(condLen), coords, lpPtr, nil, base, _Ctype_int64_t(baseLen))
		if s == statusInternal || s == statusPoisoned {
			t.Fatalf("gj_pdf_log_density: internal error %d", s)
		}
		if s == statusOK && (n < 0 || condLen != 2*n || (n > 0 && (x == nil || lpPtr == nil))) {
			t.Fatalf("gj_pdf_log_density accepted n=%d x_len=%d cond_len=%d", n, xLen, condLen)
		}
		s = gj_pdf_sample(h, _Ctype_int64_t(n), cond, _Ctype_int64_t(condLen), 1, coords, out, _Ctype_int64_t(outLen), base, _Ctype_int64_t(baseLen), lpPtr, nil)
		if s == statusInternal || s == statusPoisoned {
			t.Fatalf("gj_pdf_sample: internal error %d", s)
		}
		if s == statusOK && (n < 0 || condLen != 2*n || (n > 0 && lpPtr == nil) || (n > 0 && out != nil && outLen%n != 0)) {
			t.Fatalf("gj_pdf_sample accepted n=%d cond_len=%d out_len=%d", n, condLen, outLen)
		}
	})
}
