//go:build race

package simd

// raceEnabled: the race detector makes sync.Pool drop entries at random, so Dgemm may allocate.
const raceEnabled = true
