//go:build !linux

package flowcore

// physicalMemory returns 0 (unknown) outside Linux: the default budget is then 8 GiB.
func physicalMemory() int64 { return 0 }
