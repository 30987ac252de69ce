//go:build !amd64 || purego

package semd

// sweepFast is sweepGo on platforms without the assembly kernel.
func sweepFast(a, b []entry) float64 { return sweepGo(a, b) }
