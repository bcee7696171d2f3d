package flowcore

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gojammy/gojammy/flowcore/ad"
)

// blockRows is the number of events evaluated together on one tape. It never depends on the
// number of threads, so results (including gradient sums, reduced in block order) do not either.
const blockRows = 256

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

// forBlocks calls fn(block, lo, hi) for consecutive row blocks of n rows on the worker pool and
// returns the first error (by block order).
func forBlocks(n int, work func(block, lo, hi int) error) error {
	fn := func(block, lo, hi int) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w in rows %d-%d: %v", ErrInternal, lo, hi-1, r)
			}
		}()
		return work(block, lo, hi)
	}
	nBlocks := (n + blockRows - 1) / blockRows
	errs := make([]error, nBlocks)
	workers := min(Threads(), nBlocks)
	if workers <= 1 {
		for b := 0; b < nBlocks; b++ {
			errs[b] = fn(b, b*blockRows, min(n, (b+1)*blockRows))
		}
	} else {
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
					errs[b] = fn(b, b*blockRows, min(n, (b+1)*blockRows))
				}
			}()
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
