//go:build amd64 && !purego

package semd

// chains is the state of the four sweep chains of the assembly kernel:
// the current entries of A and B, the previous breakpoint t and the sum
// of each chain.
type chains struct {
	pa, pb [4]*entry
	t, s   [4]float64
}

// sweep4 advances every chain of st by 2n segments (kernel_amd64.s).
//
//go:noescape
func sweep4(st *chains, n int)

// sweepFast computes SEMD² like sweepGo, bit for bit, with the four chains
// in hand-written amd64 assembly (conditional moves, no spills: about 16
// instructions per segment).
func sweepFast(a, b []entry) float64 {
	na, nb := len(a)-1, len(b)-1
	segs := na + nb - 1
	l := chainLen(segs)
	if l == 0 {
		acc, _, _, _ := run1(a, b, 0, 0, 0, segs)
		return acc
	}
	var st chains
	for k := 0; k < 4; k++ {
		ia, ib, t := split(a, b, k*l)
		st.pa[k], st.pb[k], st.t[k] = &a[ia], &b[ib], t
	}
	sweep4(&st, l/2)
	ia, ib, t := split(a, b, 4*l)
	rest, _, _, _ := run1(a, b, ia, ib, t, segs-4*l)
	return (st.s[0] + st.s[1]) + (st.s[2] + st.s[3]) + rest
}
