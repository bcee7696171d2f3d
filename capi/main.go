// Command capi is the C boundary of gojammy, built as libgojammy.so with
//
//	go build -buildmode=c-shared -o build/libgojammy.so ./capi
//
// It implements the contract of include/gojammy.h: every exported gj_ function validates its
// arguments (null pointers, explicit array lengths, handles), calls flowcore, copies results
// into caller-allocated memory and returns a status code; panics are recovered into
// GJ_ERR_INTERNAL and poison the model they happened on (GJ_ERR_POISONED afterwards); messages
// are kept per thread and per handle. Models live in a handle
// registry, so no Go pointer ever crosses to C.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -std=gnu11 -Wall
*/
import "C"

// main is required by -buildmode=c-shared and never runs.
func main() {}
