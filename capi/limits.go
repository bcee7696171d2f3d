package main

/*
#include "internal.h"
*/
import "C"

import "github.com/gojammy/gojammy/flowcore"

//export gj_set_memory_budget
func gj_set_memory_budget(bytes C.int64_t) C.int {
	return run("gj_set_memory_budget", func(*call) error {
		return withStatus(C.GJ_ERR_ARGUMENT, flowcore.SetMemoryBudget(int64(bytes)))
	})
}

//export gj_memory_budget
func gj_memory_budget(bytes *C.int64_t) C.int {
	return run("gj_memory_budget", func(*call) error {
		if bytes == nil {
			return fail(C.GJ_ERR_NULL_POINTER, "bytes is NULL")
		}
		*bytes = C.int64_t(flowcore.MemoryBudget())
		return nil
	})
}
