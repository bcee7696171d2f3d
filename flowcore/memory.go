package flowcore

import (
	"fmt"
	"math"
	"math/bits"
	"sync/atomic"
)

// memoryBudget is the process-wide memory budget in bytes (0 until set: the default applies).
var memoryBudget atomic.Int64

// DefaultMemoryBudget is the memory budget unless SetMemoryBudget changes it: half the physical
// memory (8 GiB where it cannot be read).
func DefaultMemoryBudget() int64 {
	if m := physicalMemory(); m > 0 {
		return m / 2
	}
	return 8 << 30
}

// MinMemoryBudget is the smallest memory budget SetMemoryBudget accepts (1 MiB).
const MinMemoryBudget = 1 << 20

// SetMemoryBudget sets the memory budget in bytes: the largest amount of memory that building or
// loading one model (its parameters with their gradient and optimizer copies) or one call's
// outputs may need. Larger requests fail with an error naming the argument before anything is
// allocated, instead of exhausting the memory of the host process. 0 restores the default
// (DefaultMemoryBudget); otherwise bytes must be at least MinMemoryBudget. Process-wide.
func SetMemoryBudget(bytes int64) error {
	if bytes != 0 && bytes < MinMemoryBudget {
		return fmt.Errorf("memory budget: must be 0 (the default) or at least %d bytes, got %d", MinMemoryBudget, bytes)
	}
	memoryBudget.Store(bytes)
	return nil
}

// MemoryBudget returns the memory budget in bytes (see SetMemoryBudget).
func MemoryBudget() int64 {
	if b := memoryBudget.Load(); b != 0 {
		return b
	}
	return DefaultMemoryBudget()
}

// CheckMemory fails, naming what, when float64 arrays of the given total element count (the
// product of counts, checked for overflow) would exceed the memory budget.
func CheckMemory(what string, counts ...int64) error {
	n := uint64(8) // bytes per float64
	for _, c := range counts {
		if c < 0 {
			return fmt.Errorf("%s: negative size %d", what, c)
		}
		hi, lo := bits.Mul64(n, uint64(c))
		if hi != 0 || lo > math.MaxInt64 {
			return fmt.Errorf("%s: the size overflows 64 bits", what)
		}
		n = lo
	}
	if budget := MemoryBudget(); int64(n) > budget {
		return fmt.Errorf("%s needs about %.3g GB, above the memory budget of %.3g GB (SetMemoryBudget / gj_set_memory_budget / gojammy.set_memory_budget)", what, float64(n)/1e9, float64(budget)/1e9)
	}
	return nil
}
