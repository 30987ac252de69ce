//go:build amd64 && !purego

package semd

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// chains is the state of the four sweep chains of the assembly kernel:
// the current entries of A and B, the previous breakpoint t and the sum
// of each chain.
type chains struct {
	pa, pb [4]*entry
	t, s   [4]float64
}

// sweep4 advances every chain of st by 2n segments (kernel_amd64.s). It
// needs AVX and FMA.
//
//go:noescape
func sweep4(st *chains, n int)

// hasKernel reports whether the CPU runs sweep4.
var hasKernel = cpu.X86.HasAVX && cpu.X86.HasFMA

// sweepFast computes SEMD² like sweepGo, bit for bit, with the four chains
// in hand-written amd64 assembly (conditional moves, one fused
// multiply-add, no spills: 13 instructions per segment). Without AVX and
// FMA it is sweepGo.
func sweepFast(a, b []entry) float64 {
	na, nb := len(a)-1, len(b)-1
	segs := na + nb - 1
	l := chainLen(segs)
	if l == 0 || !hasKernel {
		return sweepGo(a, b)
	}
	st := chains{pa: [4]*entry{&a[0]}, pb: [4]*entry{&b[0]}}
	ia, ib, t := splits3(a, b, l)
	for k := 1; k < 4; k++ {
		st.pa[k], st.pb[k], st.t[k] = &a[ia[k-1]], &b[ib[k-1]], t[k-1]
	}
	sweep4(&st, l/2)
	// The last chain carries on alone where it stopped.
	ia3 := int((uintptr(unsafe.Pointer(st.pa[3])) - uintptr(unsafe.Pointer(&a[0]))) / unsafe.Sizeof(entry{}))
	ib3 := int((uintptr(unsafe.Pointer(st.pb[3])) - uintptr(unsafe.Pointer(&b[0]))) / unsafe.Sizeof(entry{}))
	rest, _, _, _ := run1(a, b, ia3, ib3, st.t[3], segs-4*l)
	return (st.s[0] + st.s[1]) + (st.s[2] + st.s[3]) + rest
}
