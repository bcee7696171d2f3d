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
// that a typical mini-batch (256 events) still spreads over several threads.
const gradBlockRows = 64

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
// of n rows on the worker pool and
// returns the first error (by block order).
func forBlocks(n, size int, work func(block, lo, hi int) error) error {
	fn := func(block, lo, hi int) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w in rows %d-%d: %v", ErrInternal, lo, hi-1, r)
			}
		}()
		return work(block, lo, hi)
	}
	nBlocks := (n + size - 1) / size
	errs := make([]error, nBlocks)
	workers := min(Threads(), nBlocks)
	if workers <= 1 {
		for b := 0; b < nBlocks; b++ {
			errs[b] = fn(b, b*size, min(n, (b+1)*size))
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
					errs[b] = fn(b, b*size, min(n, (b+1)*size))
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
