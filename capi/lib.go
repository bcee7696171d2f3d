package main

/*
#include "internal.h"
*/
import "C"

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/gojammy/gojammy/flowcore"
	"github.com/gojammy/gojammy/simd"
)

//export gj_abi_version
func gj_abi_version() C.int { return C.GJ_ABI_VERSION }

// version is the library's version: the GJ_VERSION_* macros of gojammy.h, the one place it is
// set (a test checks that flowcore.Version agrees).
var version = fmt.Sprintf("%d.%d.%d", C.GJ_VERSION_MAJOR, C.GJ_VERSION_MINOR, C.GJ_VERSION_PATCH)

//export gj_version
func gj_version(buf *C.char, size C.size_t) C.int {
	return run("gj_version", func(*call) error { return writeString(buf, size, version) })
}

//export gj_version_numbers
func gj_version_numbers(major, minor, patch *C.int) C.int {
	return run("gj_version_numbers", func(*call) error {
		if major == nil || minor == nil || patch == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "major, minor and patch must not be NULL")
		}
		*major, *minor, *patch = C.GJ_VERSION_MAJOR, C.GJ_VERSION_MINOR, C.GJ_VERSION_PATCH
		return nil
	})
}

// libraryInfo is the JSON object written by gj_info.
type libraryInfo struct {
	Version              string   `json:"version"`
	ABIVersion           int      `json:"abi_version"`
	GoVersion            string   `json:"go_version"`
	OS                   string   `json:"os"`
	Arch                 string   `json:"arch"`
	CPU                  string   `json:"cpu"`
	CPUFeatures          []string `json:"cpu_features"`
	X86Level             int      `json:"x86_level"`
	KernelImplementation string   `json:"kernel_implementation"`
	// Kernels names the implementation each kernel family runs ("gemm", "vecmath", "mixture", "rqspline").
	Kernels map[string]string `json:"kernels"`
	// KernelRequested is GOJAMMY_SIMD as given ("" if unset), KernelNote why the implementation
	// differs from it, KernelAvailable the levels this build and CPU can run.
	KernelRequested string   `json:"kernel_requested"`
	KernelNote      string   `json:"kernel_note"`
	KernelAvailable []string `json:"kernel_available"`
	Threads         int      `json:"threads"`
	NumCPU          int      `json:"num_cpu"`
}

//export gj_info
func gj_info(buf *C.char, size C.size_t) C.int {
	return run("gj_info", func(*call) error {
		features := simd.Features()
		if features == nil {
			features = []string{}
		}
		k := simd.Info()
		b, err := json.Marshal(libraryInfo{
			Version: version, ABIVersion: C.GJ_ABI_VERSION, GoVersion: runtime.Version(),
			OS: runtime.GOOS, Arch: runtime.GOARCH, CPU: simd.CPUName(), CPUFeatures: features,
			X86Level: simd.X86Level(), KernelImplementation: simd.Implementation(),
			Kernels: k.Kernels, KernelRequested: k.Requested, KernelNote: k.Note, KernelAvailable: k.Available,
			Threads: flowcore.Threads(), NumCPU: runtime.NumCPU(),
		})
		if err != nil {
			return err
		}
		return writeString(buf, size, string(b))
	})
}

//export gj_set_threads
func gj_set_threads(n C.int) C.int {
	return run("gj_set_threads", func(*call) error {
		if n < 0 {
			return fail(C.GJ_ERR_ARGUMENT, "n: must be >= 1, or 0 for one thread per CPU; got %d", int(n))
		}
		flowcore.SetThreads(int(n))
		return nil
	})
}

// readOnly runs body, a call that reads a stored message, without recording its own failures
// (so reading a message never replaces it) and recovering panics.
func readOnly(body func() error) (status C.int) {
	if C.gjx_fork_mark != 0 { // the thread's message stays
		return C.GJ_ERR_FORKED
	}
	defer func() {
		if recover() != nil {
			status = C.GJ_ERR_INTERNAL
		}
	}()
	if err := body(); err != nil {
		return statusOf(err)
	}
	return C.GJ_OK
}

//export gj_last_error
func gj_last_error(buf *C.char, size C.size_t) C.int {
	if C.gjx_fork_mark != 0 {
		return C.gjx_copy_thread_error(buf, size)
	}
	return readOnly(func() error { return writeString(buf, size, C.GoString(C.gjx_thread_error())) })
}

//export gj_pdf_last_error
func gj_pdf_last_error(id C.uint64_t, buf *C.char, size C.size_t) C.int {
	return readOnly(func() error {
		h, err := lookup(id)
		if err != nil {
			return err
		}
		return writeString(buf, size, h.get())
	})
}

//export gj_status_string
func gj_status_string(status C.int, buf *C.char, size C.size_t) C.int {
	return run("gj_status_string", func(*call) error {
		s, ok := statusNames[status]
		if !ok {
			return fail(C.GJ_ERR_ARGUMENT, "status: %d is not a gojammy status code", int(status))
		}
		return writeString(buf, size, s)
	})
}
