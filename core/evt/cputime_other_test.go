//go:build !unix

package evt

// processCPU is unavailable here; the cpu-ns/op metric then reads 0.
func processCPU() int64 { return 0 }
