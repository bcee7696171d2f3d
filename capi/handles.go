package main

/*
#include "internal.h"
*/
import "C"

import (
	"os"
	"sync"
	"sync/atomic"

	"github.com/gojammy/gojammy/flowcore"
)

// handle is one registered model. mu orders the calls on it: evaluation holds it shared,
// modification (set, init, fit, free) exclusively; pdf becomes nil when the handle is freed.
// poisoned holds the message of a call that panicked on the model (nil while it is usable).
type handle struct {
	id       uint64
	mu       sync.RWMutex
	pdf      *flowcore.PDF
	poisoned atomic.Pointer[string]
	lastError
}

// poison marks the model unusable after a call that failed with msg inside the library.
func (h *handle) poison(msg string) {
	h.poisoned.CompareAndSwap(nil, &msg)
}

// registry maps handle ids to models. Ids start at 1 and are never reused.
var registry = struct {
	sync.RWMutex
	handles map[uint64]*handle
	last    uint64
}{handles: map[uint64]*handle{}}

// register stores p under a new id.
func register(p *flowcore.PDF) uint64 {
	registry.Lock()
	defer registry.Unlock()
	registry.last++
	registry.handles[registry.last] = &handle{id: registry.last, pdf: p}
	return registry.last
}

// lookup returns the handle of id.
func lookup(id C.uint64_t) (*handle, error) {
	if id == 0 {
		return nil, fail(C.GJ_ERR_INVALID_HANDLE, "handle 0 is not a valid handle (was the model created successfully?)")
	}
	registry.RLock()
	h := registry.handles[uint64(id)]
	registry.RUnlock()
	if h == nil {
		return nil, fail(C.GJ_ERR_INVALID_HANDLE, "handle %d is unknown or was freed", uint64(id))
	}
	return h, nil
}

// unregister removes id so that later lookups fail.
func unregister(id uint64) {
	registry.Lock()
	delete(registry.handles, id)
	registry.Unlock()
}

// access is how a call uses a model.
type access int

const (
	// shared calls read the model and may run concurrently.
	shared access = iota
	// exclusive calls modify the model.
	exclusive
	// freeing is gj_pdf_free: exclusive, and allowed on a poisoned model.
	freeing
)

// acquire locks h for mode and returns its model and the unlock function.
//
// Inside a progress callback of gj_pdf_fit on this handle, the fit (suspended in the callback on
// this very thread) holds the lock exclusively: shared calls then proceed without locking, since
// the model cannot change until they return, and exclusive calls fail with GJ_ERR_BUSY instead of
// deadlocking.
func (h *handle) acquire(mode access) (*flowcore.PDF, func(), error) {
	lock, tryLock, unlock := h.mu.RLock, h.mu.TryRLock, h.mu.RUnlock
	if mode != shared {
		lock, tryLock, unlock = h.mu.Lock, h.mu.TryLock, h.mu.Unlock
	}
	if !tryLock() {
		if C.gjx_in_callback(C.uint64_t(h.id)) != 0 {
			if mode != shared {
				return nil, nil, fail(C.GJ_ERR_BUSY, "handle %d is in use by a call on this thread (gj_pdf_fit, gj_pdf_fit_variational, gj_pdf_expectation); it cannot be modified or freed from its callback (return nonzero from a progress callback to stop training)", h.id)
			}
			return h.pdf, func() {}, h.usable()
		}
		lock()
	}
	if h.pdf == nil {
		unlock()
		return nil, nil, fail(C.GJ_ERR_INVALID_HANDLE, "handle %d was freed", h.id)
	}
	if mode != freeing {
		if err := h.usable(); err != nil {
			unlock()
			return nil, nil, err
		}
	}
	return h.pdf, unlock, nil
}

// usable fails with GJ_ERR_POISONED if an earlier call panicked on the model.
func (h *handle) usable() error {
	if msg := h.poisoned.Load(); msg != nil {
		return fail(C.GJ_ERR_POISONED, "handle %d is unusable because an earlier call failed inside the library (%s); free it with gj_pdf_free", h.id, *msg)
	}
	return nil
}

// model looks up id, records it as the call's handle and acquires it for mode.
func (c *call) model(id C.uint64_t, mode access) (*flowcore.PDF, func(), error) {
	h, err := lookup(id)
	if err != nil {
		return nil, nil, err
	}
	c.h = h
	return h.acquire(mode)
}

// withModel runs body on the model of id, acquired for mode, as export name.
func withModel(name string, id C.uint64_t, mode access, body func(p *flowcore.PDF) error) C.int {
	return run(name, func(c *call) error {
		p, release, err := c.model(id, mode)
		if err != nil {
			return err
		}
		defer release()
		if testPanic != "" && testPanic == name {
			panic("GOJAMMY_TEST_PANIC=" + name)
		}
		return body(p)
	})
}

// testPanic is the test hook of the poisoning checks: when the environment variable
// GOJAMMY_TEST_PANIC names an export that runs through withModel (e.g. gj_pdf_sample), that
// export panics inside the library, after acquiring the model, as a bug would. The variable is
// read once, when the library is loaded; it is unset in normal use, and then the hook does nothing.
var testPanic = os.Getenv("GOJAMMY_TEST_PANIC")
