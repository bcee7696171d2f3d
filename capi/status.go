package main

/*
#include <stdlib.h>
#include "internal.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// apiError is an error with the status code it maps to.
type apiError struct {
	status C.int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// fail returns an error with status and a formatted message.
func fail(status C.int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

// withStatus tags err (from flowcore) with status unless it already carries one.
func withStatus(status C.int, err error) error {
	if err == nil {
		return nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return err
	}
	return &apiError{status: status, msg: err.Error()}
}

// statusNames describes every status code (gj_status_string).
var statusNames = map[C.int]string{
	C.GJ_OK:                   "GJ_OK: success",
	C.GJ_ERR_INVALID_HANDLE:   "GJ_ERR_INVALID_HANDLE: the handle is 0, unknown or freed",
	C.GJ_ERR_NULL_POINTER:     "GJ_ERR_NULL_POINTER: a required pointer argument is NULL",
	C.GJ_ERR_ARGUMENT:         "GJ_ERR_ARGUMENT: bad argument or array length",
	C.GJ_ERR_DEFINITION:       "GJ_ERR_DEFINITION: invalid model definition",
	C.GJ_ERR_IO:               "GJ_ERR_IO: file or model data error",
	C.GJ_ERR_INTERNAL:         "GJ_ERR_INTERNAL: internal error",
	C.GJ_ERR_STOPPED:          "GJ_ERR_STOPPED: training stopped by the progress callback",
	C.GJ_ERR_BUFFER_TOO_SMALL: "GJ_ERR_BUFFER_TOO_SMALL: the output buffer is too small",
	C.GJ_ERR_BUSY:             "GJ_ERR_BUSY: the model is held by a call on this thread (a fit, or a callback's caller)",
	C.GJ_ERR_POISONED:         "GJ_ERR_POISONED: the model is unusable because an earlier call failed inside the library",
	C.GJ_ERR_FORKED:           "GJ_ERR_FORKED: gojammy cannot run in a fork()ed child of a process that used it",
}

// call is the context of one exported call: its name and, once looked up, its handle.
type call struct {
	name string
	h    *handle
}

// run executes the body of export name: errors and recovered panics become status codes, and
// the message ("name: ...") is recorded for the calling thread and, if the call reached a
// handle, for that handle. A panic also poisons that handle: the model may be inconsistent.
func run(name string, body func(c *call) error) (status C.int) {
	if forkedChild(name) {
		return C.GJ_ERR_FORKED
	}
	c := &call{name: name}
	defer func() {
		if r := recover(); r != nil {
			status = c.record(&apiError{status: C.GJ_ERR_INTERNAL, msg: fmt.Sprintf("internal error (please report): %v", r)})
			if c.h != nil {
				c.h.poison(c.name + ": " + fmt.Sprint(r))
			}
		}
	}()
	if err := body(c); err != nil {
		return c.record(err)
	}
	return C.GJ_OK
}

// forkedChild reports whether the process is a fork()ed child of one that loaded the library
// (see gjx_forked in thread.c); it then records the fork message for export name. It runs first
// in every export, before any goroutine could be started.
func forkedChild(name string) bool {
	if C.gjx_fork_mark == 0 {
		return false
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return C.gjx_forked(cname) != 0
}

// record stores the message of err for the calling thread and the call's handle and returns its
// status.
func (c *call) record(err error) C.int {
	msg := c.name + ": " + err.Error()
	C.gjx_set_thread_error(C.CString(msg))
	if c.h != nil {
		c.h.setError(msg)
	}
	return statusOf(err)
}

// statusOf is the status carried by err (GJ_ERR_INTERNAL for an untagged error).
func statusOf(err error) C.int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status
	}
	return C.GJ_ERR_INTERNAL
}

// lastError is a message slot shared by threads.
type lastError struct {
	mu  sync.Mutex
	msg string
}

func (e *lastError) setError(msg string) {
	e.mu.Lock()
	e.msg = msg
	e.mu.Unlock()
}

func (e *lastError) get() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.msg
}
