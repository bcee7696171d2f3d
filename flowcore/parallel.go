package flowcore

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// blockRows is the number of events evaluated or sampled together on one tape. Block sizes never
// depend on the number of threads, so results (including gradient sums, reduced in block order)
// do not either; sampling seeds its random numbers per block.
const blockRows = 256

// gradBlockRows is the block size of log-density gradients (training): smaller than blockRows so
// that a typical mini-batch (256 events) still spreads over two threads, with half the per-block
// work on the parameters that 64-row blocks would cost.
const gradBlockRows = 128

// ErrInternal marks errors that come from a recovered panic inside the engine (a bug, never the
// caller's input); callers can test for it with errors.Is.
var ErrInternal = errors.New("internal error")

var threadCount atomic.Int32

// SetThreads sets the number of worker goroutines for evaluation, sampling and gradients
// (n <= 0: one per CPU).
func SetThreads(n int) {
	threadCount.Store(int32(max(n, 0)))
}

// Threads returns the number of worker goroutines in use.
func Threads() int {
	if n := int(threadCount.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

var tapes = [2]sync.Pool{
	{New: func() any { return ad.NewTape(false) }},
	{New: func() any { return ad.NewTape(true) }},
}

func getTape(grad bool) *ad.Tape {
	i := 0
	if grad {
		i = 1
	}
	return tapes[i].Get().(*ad.Tape)
}

func putTape(t *ad.Tape) {
	i := 0
	if t.Recording() {
		i = 1
	}
	t.Reset()
	tapes[i].Put(t)
}

// forBlocks calls fn(block, lo, hi) for consecutive blocks of size rows (the last may be shorter)
// of n rows on the worker pool and returns the first error (by block order; on one worker the
// blocks after a failing one are not run).
func forBlocks(n, size int, work func(block, lo, hi int) error) error {
	nBlocks := (n + size - 1) / size
	workers := min(Threads(), nBlocks)
	if workers <= 1 {
		for b := 0; b < nBlocks; b++ {
			if err := runBlock(work, b, b*size, min(n, (b+1)*size)); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, nBlocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= nBlocks {
					return
				}
				errs[b] = runBlock(work, b, b*size, min(n, (b+1)*size))
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// runBlock calls work for one block and turns a panic inside it into an ErrInternal error.
func runBlock(work func(block, lo, hi int) error, block, lo, hi int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w in rows %d-%d: %v", ErrInternal, lo, hi-1, r)
		}
	}()
	return work(block, lo, hi)
}

// ForEach calls fn(i) for every i in [0, n) on the worker pool, one index at a time on up to
// Threads() goroutines, and returns the first error by index; a panic in fn becomes an error
// wrapping ErrInternal. It is for independent tasks of some weight each, such as the scans of a
// coverage computation, one per conditional row.
func ForEach(n int, fn func(i int) error) error {
	return forBlocks(n, 1, func(_, i, _ int) error { return fn(i) })
}

// minRange is the smallest index range ForRanges hands to a goroutine of its own.
const minRange = 8192

// ForRanges calls fn(lo, hi) on consecutive ranges that cover [0, n), concurrently on up to
// Threads() goroutines, and returns when all have returned. It is for loops whose iterations are
// independent (each index computed the same way whatever the split), such as element-wise
// updates of a parameter vector; short loops run on the calling goroutine.
func ForRanges(n int, fn func(lo, hi int)) {
	parts := min(Threads(), (n+minRange-1)/minRange)
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for k := 0; k < parts; k++ {
		lo, hi := k*n/parts, (k+1)*n/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// gradBuffers recycles the per-block parameter gradients of LogDensityGrad and SampleVJP (one
// parameter vector per block; large models would otherwise allocate megabytes per call).
var gradBuffers sync.Pool

// blockGrad returns a copy of g in a recycled buffer.
func blockGrad(g []float64) []float64 {
	if b, ok := gradBuffers.Get().(*[]float64); ok && cap(*b) >= len(g) {
		return append((*b)[:0], g...)
	}
	return append([]float64(nil), g...)
}

// sumBlockGrads returns the sum of the block gradients, in block order for every parameter
// (whatever the split of the parameters over threads), and recycles their buffers.
func sumBlockGrads(n int, blocks [][]float64) []float64 {
	out := make([]float64, n)
	ForRanges(n, func(lo, hi int) {
		o := out[lo:hi]
		for _, bg := range blocks {
			for j, v := range bg[lo:hi] {
				o[j] += v
			}
		}
	})
	for _, bg := range blocks {
		gradBuffers.Put(&bg)
	}
	return out
}
