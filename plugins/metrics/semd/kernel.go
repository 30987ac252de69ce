package semd

import "math"

// entry is one step of a jet's quantile function Q(t): Q(t) = w on the
// interval (c_prev, c], where c_prev is the previous entry's c (0 for the
// first). A spectrum is a slice of entries sorted by w (so c increases),
// whose last real entry has c = T exactly, followed by one sentinel entry
// {c: +Inf, w: last w} that keeps branch-free sweeps in bounds.
type entry struct{ c, w float64 }

// sentinelC marks the sentinel entry after the last real entry.
var sentinelC = math.Inf(1)

// sweepPlain returns SEMD² = ∫_0^T (Q_A - Q_B)² dt by the direct two-pointer
// sweep over the merged breakpoints, summing step·(ω_a - ω_b)² (no
// cancellation). a and b hold na and nb real entries plus a sentinel, and
// end at the same T. It is the readable baseline of sweepFast.
func sweepPlain(a, b []entry) float64 {
	na, nb := len(a)-1, len(b)-1
	ia, ib := 0, 0
	t, acc := 0.0, 0.0
	for ia < na && ib < nb {
		ea, eb := a[ia], b[ib]
		d := ea.w - eb.w
		if ea.c <= eb.c {
			acc += (ea.c - t) * d * d
			t = ea.c
			ia++
		} else {
			acc += (eb.c - t) * d * d
			t = eb.c
			ib++
		}
	}
	return acc
}

// minChainSteps is the shortest chain worth splitting the sweep for.
const minChainSteps = 8

// chainLen returns the number of segments l swept by each of the four
// chains (even, so that the assembly kernel can alternate registers), or 0
// when the spectra are too short to split: chain k covers the segments
// [k·l, (k+1)·l) and the last chain then finishes the remaining
// segs − 4l segments alone.
func chainLen(segs int) int {
	l := (segs / 4) &^ 1
	if l < minChainSteps {
		return 0
	}
	return l
}

// sweepGo computes the same integral as sweepPlain, faster: the merged
// sequence of the na+nb-1 segments is cut into four equal parts by
// merge-path binary searches on the diagonal (splits3), and the four parts
// are swept together in one loop, branch-free (the data-dependent choice of
// which pointer advances is arithmetic, not a jump, so there are no branch
// mispredictions, and the four independent dependency chains overlap in
// the CPU). It differs from sweepPlain only in the summation order and in
// adding each term with a fused multiply-add (one rounding fewer; explicit,
// so the compiler cannot fuse differently on another GOAMD64 level). It is
// the portable version of sweepFast and gives bit-identical results.
func sweepGo(a, b []entry) float64 {
	na, nb := len(a)-1, len(b)-1
	segs := na + nb - 1
	l := chainLen(segs)
	if l == 0 {
		acc, _, _, _ := run1(a, b, 0, 0, 0, segs)
		return acc
	}
	ia0, ib0, t0 := 0, 0, 0.0
	ia, ib, t := splits3(a, b, l)
	ia1, ib1, t1 := ia[0], ib[0], t[0]
	ia2, ib2, t2 := ia[1], ib[1], t[1]
	ia3, ib3, t3 := ia[2], ib[2], t[2]
	var s0, s1, s2, s3 float64
	for k := 0; k < l; k++ {
		// Chain 0.
		ca, cb := a[ia0].c, b[ib0].c
		d := a[ia0].w - b[ib0].w
		c := min(ca, cb)
		s0 = math.FMA((c-t0)*d, d, s0)
		t0 = c
		x := b2i(ca <= cb)
		ia0 += x
		ib0 += 1 - x
		// Chain 1.
		ca, cb = a[ia1].c, b[ib1].c
		d = a[ia1].w - b[ib1].w
		c = min(ca, cb)
		s1 = math.FMA((c-t1)*d, d, s1)
		t1 = c
		x = b2i(ca <= cb)
		ia1 += x
		ib1 += 1 - x
		// Chain 2.
		ca, cb = a[ia2].c, b[ib2].c
		d = a[ia2].w - b[ib2].w
		c = min(ca, cb)
		s2 = math.FMA((c-t2)*d, d, s2)
		t2 = c
		x = b2i(ca <= cb)
		ia2 += x
		ib2 += 1 - x
		// Chain 3.
		ca, cb = a[ia3].c, b[ib3].c
		d = a[ia3].w - b[ib3].w
		c = min(ca, cb)
		s3 = math.FMA((c-t3)*d, d, s3)
		t3 = c
		x = b2i(ca <= cb)
		ia3 += x
		ib3 += 1 - x
	}
	rest, _, _, _ := run1(a, b, ia3, ib3, t3, segs-4*l)
	return (s0 + s1) + (s2 + s3) + rest
}

// run1 sweeps n segments starting from the state (ia, ib, t), branch-free.
func run1(a, b []entry, ia, ib int, t float64, n int) (acc float64, ia2, ib2 int, t2 float64) {
	for k := 0; k < n; k++ {
		ca, cb := a[ia].c, b[ib].c
		d := a[ia].w - b[ib].w
		c := min(ca, cb)
		acc = math.FMA((c-t)*d, d, acc)
		t = c
		x := b2i(ca <= cb)
		ia += x
		ib += 1 - x
	}
	return acc, ia, ib, t
}

// split returns the sweep state after diag segments: the merged sequence's
// first diag breakpoints are a[:i].c and b[:diag-i].c, with a before b on
// ties (the tie rule of the sweeps), and t is the last of them. The binary
// search for i is branch-free (a conditional move per step).
func split(a, b []entry, diag int) (ia, ib int, t float64) {
	base, n := searchRange(a, b, diag)
	for n > 1 {
		base, n = searchStep(a, b, diag, base, n)
	}
	ia = searchLast(a, b, diag, base, n)
	ib = diag - ia
	return ia, ib, splitTime(a, b, ia, ib)
}

// splits3 returns split(a, b, l), split(a, b, 2l) and split(a, b, 3l):
// the same three binary searches advanced in lockstep, so that when the
// spectra are not in cache (scattered pairs of a large dataset) their
// memory accesses overlap instead of waiting for one another.
func splits3(a, b []entry, l int) (ia, ib [3]int, t [3]float64) {
	// Three scalar lanes rather than arrays, so that the lane state can
	// stay in registers.
	d0, d1, d2 := l, 2*l, 3*l
	b0, n0 := searchRange(a, b, d0)
	b1, n1 := searchRange(a, b, d1)
	b2, n2 := searchRange(a, b, d2)
	for n0 > 1 || n1 > 1 || n2 > 1 {
		if n0 > 1 {
			b0, n0 = searchStep(a, b, d0, b0, n0)
		}
		if n1 > 1 {
			b1, n1 = searchStep(a, b, d1, b1, n1)
		}
		if n2 > 1 {
			b2, n2 = searchStep(a, b, d2, b2, n2)
		}
	}
	ia = [3]int{searchLast(a, b, d0, b0, n0), searchLast(a, b, d1, b1, n1), searchLast(a, b, d2, b2, n2)}
	for k, d := range [3]int{d0, d1, d2} {
		ib[k] = d - ia[k]
		t[k] = splitTime(a, b, ia[k], ib[k])
	}
	return ia, ib, t
}

// searchRange returns the lower end and the width of the range of the
// merge-path search on diagonal d, which looks for i = lo plus the number
// of indices k in [lo, hi) with a[k].c <= b[d-k-1].c (a true prefix). The
// breakpoints are >= 0 (or +Inf), so their bit patterns order like their
// values: comparing them as integers (bitsLE) gives a flag the compiler
// turns into SETcc, no branch.
func searchRange(a, b []entry, d int) (base, n int) {
	lo, hi := max(0, d-(len(b)-1)), min(d, len(a)-1)
	return lo, hi - lo
}

// searchStep halves the range [base, base+n) of the search (n > 1).
func searchStep(a, b []entry, d, base, n int) (int, int) {
	half := n >> 1
	next := base + half
	return base + half&-b2i(bitsLE(a[next-1].c, b[d-next].c)), n - half
}

// searchLast decides the last index of a range of width n <= 1.
func searchLast(a, b []entry, d, base, n int) int {
	if n > 0 {
		base += b2i(bitsLE(a[base].c, b[d-base-1].c))
	}
	return base
}

// bitsLE compares two non-negative floats (or +Inf) through their bits.
func bitsLE(x, y float64) bool { return math.Float64bits(x) <= math.Float64bits(y) }

// splitTime returns the last of the breakpoints a[:ia].c and b[:ib].c (0
// if there are none): the sweep's t after them.
func splitTime(a, b []entry, ia, ib int) float64 {
	t := 0.0
	if ia > 0 {
		t = a[ia-1].c
	}
	if ib > 0 && b[ib-1].c > t {
		t = b[ib-1].c
	}
	return t
}

// b2i converts a bool to 0 or 1 without a branch.
func b2i(b bool) int {
	var x int
	if b {
		x = 1
	}
	return x
}
