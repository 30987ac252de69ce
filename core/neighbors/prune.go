package neighbors

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
)

// Prune selects between the pruned exact pass and the brute-force pass.
type Prune string

// Pruning modes (Config.Prune).
const (
	// PruneAuto (also "") uses the pruned pass whenever the space is a
	// plugin.LowerBounder and the request allows it (no Gaussian sums),
	// and the brute-force pass otherwise; Stats.PruneNote says why.
	PruneAuto Prune = "auto"
	// PruneOff always computes every pair.
	PruneOff Prune = "off"
	// PruneOn requires the pruned pass: Run, Nearest and SubsetNearest
	// fail when it cannot be used.
	PruneOn Prune = "on"
)

// cand is a pair of a tile still undecided after some checkpoint: local
// row and column and the float32 prefix sum of squared differences.
type cand struct {
	a, c uint16
	s    float32
}

// pruneScratch is a tile worker's scratch for the pruned pass.
type pruneScratch struct {
	code       []uint16  // radius bin of every pair decided by its bounds
	cand, next []cand    // undecided pairs
	hiT        []float64 // k nearest: latest squared upper bound of every pair
	s0         []float32 // prefix sums of the first checkpoint (with frontiers)
	bnd        []float64 // squared bounds of the listed pairs at a checkpoint
	colT       []float32 // the tile's columns' first coordinates, transposed
	srow       []float32 // one row's first-checkpoint sums
	tailC      []float64 // the tile's columns' first tail norms
	resC       []float64 // the tile's columns' residuals
	clsC       []uint8   // the tile's columns' classes
	cntR, cntC []int32   // unit weights: per-tile radius counts (slot, class, bin)
	sel        []float64 // selection scratch
	// Frontiers of the tile's row and column slots: u holds upper bounds
	// on the nearest distance per class (slot*2+class) or on the k-th
	// nearest distance (slot); thr the squared relevance thresholds of the
	// lower bounds (slot*2+class); mh the smallest squared upper bound seen
	// at the current checkpoint (slot*2+class).
	uR, uC, ukR, ukC, thrR, thrC, mhR, mhC []float64
}

// pruner is the pruned exact pass of one runPass: for every pair of a tile
// it evaluates the bounds checkpoint by checkpoint and computes the exact
// distance only when the bounds cannot decide the pair's radius bin, or
// when the pair may belong to a nearest-neighbour frontier or the list.
type pruner struct {
	b          *bounds
	rows, cols []int32
	group      []int32
	sym        bool
	labels     []int8

	// Radii: bin b of a pair is decided when lo² > A[k] for every k < b
	// and hi² <= B[b] (see thresholds).
	R          int
	A, B       []float64
	tbl        []uint16  // starting bin for a lo² key
	lim        []float64 // B[tbl[q]]
	shift      uint
	kmin, kmax uint64

	radii    []float64
	rmax     float64
	intCount bool // unit weights: count radii per tile in integers

	nn    bool    // nearest per class
	k     int     // k nearest
	listT float64 // squared lower-bound threshold of the list radius (-1: none)
	front bool

	uNN []atomic.Uint64 // slot*2+class: float64 bits of an upper bound on the nearest distance
	uK  []atomic.Uint64 // slot: upper bound on the k-th nearest distance

	reached []atomic.Int64 // pairs whose bounds were evaluated at each checkpoint
	exact   atomic.Int64
	total   atomic.Int64
}

// prunable reports why a request cannot use the pruned pass ("" = it can).
func (s *summaries) prunable() string {
	if s.inv2s2 != nil {
		return "Gaussian sums need every pair"
	}
	if len(s.radii) > math.MaxUint16-1 {
		return fmt.Sprintf("%d radii (the pruned pass handles up to %d)", len(s.radii), math.MaxUint16-1)
	}
	return ""
}

func newPruner(b *bounds, s *summaries, p pass, cols []int32, slots int) *pruner {
	pr := &pruner{b: b, rows: p.rows, cols: cols, group: p.group, sym: p.sym, labels: s.labels,
		nn: s.nn, k: s.k, listT: -1, reached: make([]atomic.Int64, b.levels())}
	sig := b.sigma
	if R := len(s.radii); R > 0 {
		pr.R = R
		pr.radii, pr.rmax = s.radii, s.rmax
		pr.intCount = true
		for _, w := range s.weights {
			if w != 1 {
				pr.intCount = false
				break
			}
		}
		// A and B carry a sentinel at index R: beyond the last radius the
		// pair is decided (it counts nowhere).
		pr.A, pr.B = make([]float64, R+1), make([]float64, R+1)
		pr.A[R], pr.B[R] = math.Inf(1), math.Inf(1)
		for q, r := range s.radii {
			// d > r for sure when sqrt(lo²) - sigma > r; d <= r for sure
			// when sqrt(hi²) + sigma <= r.
			pr.A[q] = (r + sig) * (r + sig) * (1 + tiny)
			pr.B[q] = -1
			if r > sig {
				pr.B[q] = (r - sig) * (r - sig) * (1 - tiny)
			}
		}
		pr.buildTable()
	}
	if s.listR > 0 {
		pr.listT = sqThreshold(s.listR, sig)
	}
	pr.front = s.nn || s.k > 0 || s.listR > 0
	if s.nn {
		pr.uNN = make([]atomic.Uint64, 2*slots)
		inf := math.Float64bits(math.Inf(1))
		for q := range pr.uNN {
			pr.uNN[q].Store(inf)
		}
	}
	if s.k > 0 {
		pr.uK = make([]atomic.Uint64, slots)
		inf := math.Float64bits(math.Inf(1))
		for q := range pr.uK {
			pr.uK[q].Store(inf)
		}
	}
	return pr
}

// sqThreshold is the squared lower bound above which a pair's distance is
// certainly above u.
func sqThreshold(u, sigma float64) float64 {
	if math.IsInf(u, 1) {
		return u
	}
	return (u + sigma) * (u + sigma) * (1 + tiny)
}

// buildTable fills the table that maps the top bits of lo² to a first
// guess of its bin (a lower bound; binOf finishes with comparisons).
func (pr *pruner) buildTable() {
	lo, hi := math.Float64bits(pr.A[0]), math.Float64bits(pr.A[pr.R-1])
	m := uint(7) // mantissa bits of the key
	for m > 0 && (hi>>(52-m))-(lo>>(52-m))+2 > 1<<16 {
		m--
	}
	pr.shift = 52 - m
	pr.kmin = lo >> pr.shift
	n := int((hi>>pr.shift)-pr.kmin) + 2
	pr.kmax = pr.kmin + uint64(n) - 1
	pr.tbl = make([]uint16, n)
	b := 0
	pr.lim = make([]float64, n)
	for q := range pr.tbl {
		x := math.Float64frombits((pr.kmin + uint64(q)) << pr.shift)
		for b < pr.R && pr.A[b] < x {
			b++
		}
		pr.tbl[q], pr.lim[q] = uint16(b), pr.B[b]
	}
}

// binFast returns, without comparisons, a bin b for lo² and the limit
// B[b]: if hi² <= B[b] the pair is decided in bin b. (b counts the radii
// surely below every lo² of its key bucket; when lo² lies above a radius
// inside the bucket, hi² >= lo² > A[b] > B[b] and the pair is simply not
// decided here.)
func (pr *pruner) binFast(lo2 float64) (int, float64) {
	key := math.Float64bits(lo2) >> pr.shift
	q := min(max(key, pr.kmin), pr.kmax) - pr.kmin
	return int(pr.tbl[q]), pr.lim[q]
}

// binOf returns the number of radii r with lo² > A (d > r for sure).
// A has a +Inf sentinel at index R.
func (pr *pruner) binOf(lo2 float64) int {
	key := math.Float64bits(lo2) >> pr.shift
	q := min(max(key, pr.kmin), pr.kmax) - pr.kmin
	b := int(pr.tbl[q])
	for pr.A[b] < lo2 {
		b++
	}
	return b
}

// rowRun describes one row of the radii-only hot loop (fastRow).
type rowRun struct {
	a, c0          int
	ta, ra, ra2    float64 // row's first tail norm, residual, residual² (Monotone)
	mono, colSlots bool
	lof, hif       float64 // widening of the first checkpoint
	ca, R1         int     // row's class; radii + 1
	grp            []int32 // folds (nil: no fold test)
	ga             int32
	cols           []int32
	rc, cc         []int32  // unit weights: the row's counts, the columns' counts
	code           []uint16 // otherwise: the row's radius bins
}

// fastRow decides the pairs (a, c), c >= c0, of one row at the first
// checkpoint from their prefix sums srow (orthogonal bound, radii only):
// decided pairs are counted (or their bin recorded), the others appended
// to list. It returns the list and the number of pairs considered.
func (pr *pruner) fastRow(r *rowRun, srow []float32, tailC, resC []float64, clsC []uint8, list []cand) ([]cand, int) {
	nc := len(srow)
	tailC, resC, clsC = tailC[:nc], resC[:nc], clsC[:nc]
	ta, ra, ra2, lof, hif := r.ta, r.ra, r.ra2, r.lof, r.hif
	mono := r.mono
	tbl, lim := pr.tbl, pr.lim
	shift, kmin, kmax := pr.shift, pr.kmin, pr.kmax
	a16 := uint16(r.a)
	rc, cc, code := r.rc, r.cc, r.code
	R1, ca, colSlots := r.R1, r.ca, r.colSlots
	grp, ga, cols := r.grp, r.ga, r.cols
	n := len(list)
	list = list[:n+nc-r.c0]
	np := 0
	for c := r.c0; c < nc; c++ {
		if grp != nil && grp[cols[c]] == ga {
			continue
		}
		np++
		s := srow[c]
		sf := float64(s)
		tb, rb := tailC[c], resC[c]
		dt, st, dr := ta-tb, ta+tb, ra-rb
		r2 := (ra + rb) * (ra + rb)
		if mono {
			r2 = ra2 + rb*rb
		}
		lo2 := (sf + dt*dt + dr*dr) * lof
		hi2 := (sf + st*st + r2) * hif
		q := min(max(math.Float64bits(lo2)>>shift, kmin), kmax) - kmin
		bin, l := int(tbl[q]), lim[q]
		list[n] = cand{a16, uint16(c), s}
		keep := b2i(!(hi2 <= l))
		n += keep
		if rc != nil {
			dec := int32(1 - keep)
			rc[int(clsC[c])*R1+bin] += dec
			if colSlots {
				cc[(2*c+ca)*R1+bin] += dec
			}
		} else {
			code[c] = uint16(bin)
		}
	}
	return list[:n], np
}

// b2i converts a bool to 0 or 1 without a branch.
func b2i(b bool) int {
	var x int
	if b {
		x = 1
	}
	return x
}

func atomicMin(x *atomic.Uint64, v float64) {
	for {
		old := x.Load()
		if !(v < math.Float64frombits(old)) {
			return
		}
		if x.CompareAndSwap(old, math.Float64bits(v)) {
			return
		}
	}
}

func (ps *pruneScratch) ensure(nr, nc int, front bool) {
	n := nr * nc
	if cap(ps.code) < n {
		ps.code = make([]uint16, n)
		ps.cand = make([]cand, 0, n)
		ps.next = make([]cand, 0, n)
	}
	if nc8 := (nc + 7) &^ 7; cap(ps.srow) < nc8 {
		ps.colT = make([]float32, firstLevel*nc8)
		ps.srow = make([]float32, nc8)
		ps.tailC = make([]float64, nc8)
		ps.resC = make([]float64, nc8)
		ps.clsC = make([]uint8, nc8)
	}
	if front && cap(ps.s0) < n {
		ps.s0 = make([]float32, n)
	}
	if front {
		m := max(nr, nc)
		if cap(ps.uR) < 2*m {
			for _, p := range []*[]float64{&ps.uR, &ps.uC, &ps.ukR, &ps.ukC, &ps.thrR, &ps.thrC, &ps.mhR, &ps.mhC} {
				*p = make([]float64, 2*m)
			}
			ps.sel = make([]float64, m)
		}
	}
}

// class returns 1 for a signal jet, 0 otherwise.
func (pr *pruner) class(j int32) int { return int(pr.labels[j]) & 1 }

// thresholds refreshes the squared relevance thresholds of n slots from
// their frontiers.
func (pr *pruner) thresholds(u, uk, thr []float64, n int) {
	sig := pr.b.sigma
	for a := 0; a < n; a++ {
		for c := 0; c < 2; c++ {
			t := pr.listT
			if pr.nn {
				t = max(t, sqThreshold(u[2*a+c], sig))
			}
			if pr.k > 0 {
				t = max(t, sqThreshold(uk[a], sig))
			}
			thr[2*a+c] = t
		}
	}
}

// fetch is the pruned form of scheduler.fetch: it fills b.d with the exact
// distance of every pair that needs it (NaN elsewhere) and b.code with the
// radius bin of the pairs decided by their bounds.
func (pr *pruner) fetch(ctx context.Context, sc *scheduler, t *tile, wb *workBuf) error {
	nr, nc := t.rHi-t.rLo, t.cHi-t.cLo
	bd := pr.b
	ps := &wb.ps
	ps.ensure(nr, nc, pr.front)
	if pr.intCount {
		if m := 2 * (pr.R + 1) * max(nr, nc); cap(ps.cntR) < m {
			ps.cntR, ps.cntC = make([]int32, m), make([]int32, m)
		}
	}
	d := wb.d[:nr*nc]
	if pr.front || !pr.intCount {
		// The commit reads d: NaN marks the pairs not computed.
		nan := math.NaN()
		for q := range d {
			d[q] = nan
		}
	}
	code := ps.code[:nr*nc]
	rows, cols := pr.rows[t.rLo:t.rHi], pr.cols[t.cLo:t.cHi]
	colSlots := pr.sym // column jets are query slots too
	C := len(bd.cps)
	dim := bd.dim

	// Frontier snapshots (they only ever decrease, so a stale value is
	// safe).
	var uR, uC, ukR, ukC, thrR, thrC, mhR, mhC []float64
	if pr.front {
		uR, ukR, thrR, mhR = ps.uR[:2*nr], ps.ukR[:nr], ps.thrR[:2*nr], ps.mhR[:2*nr]
		pr.loadFront(t.rLo, nr, uR, ukR)
		pr.thresholds(uR, ukR, thrR, nr)
		uC, ukC, thrC, mhC = uR, ukR, thrR, mhR
		if colSlots && !t.diag {
			uC, ukC, thrC, mhC = ps.uC[:2*nc], ps.ukC[:nc], ps.thrC[:2*nc], ps.mhC[:2*nc]
			pr.loadFront(t.cLo, nc, uC, ukC)
			pr.thresholds(uC, ukC, thrC, nc)
		}
		if pr.k > 0 {
			if cap(ps.hiT) < nr*nc {
				ps.hiT = make([]float64, nr*nc)
			}
			hiT := ps.hiT[:nr*nc]
			for q := range hiT {
				hiT[q] = math.Inf(1)
			}
		}
	}
	inf := math.Inf(1)
	resetMin := func() {
		for q := range mhR {
			mhR[q] = inf
		}
		for q := range mhC {
			mhC[q] = inf
		}
	}
	if pr.nn {
		resetMin()
	}

	// tighten records a pair's upper bound for the frontiers.
	tighten := func(a, c int, ja, jb int32, hi2 float64) {
		ca, cb := pr.class(ja), pr.class(jb)
		if pr.nn {
			mhR[2*a+cb] = min(mhR[2*a+cb], hi2)
			if colSlots {
				mhC[2*c+ca] = min(mhC[2*c+ca], hi2)
			}
		}
		if pr.k > 0 {
			ps.hiT[a*nc+c] = hi2
		}
	}
	// With unit weights the radius counts are accumulated here, per tile,
	// in integers (exact in any order), and the commit only adds them up.
	var cntR, cntC []int32
	R1 := pr.R + 1
	if pr.intCount {
		cntR = ps.cntR[:2*R1*nr]
		clear(cntR)
		cntC = cntR
		if colSlots && !t.diag {
			cntC = ps.cntC[:2*R1*nc]
			clear(cntC)
		}
	}
	// count adds a decided pair (bin R: beyond the last radius) to the
	// counts of its row and, in a symmetric pass, its column.
	count := func(a, c int, ja, jb int32, bin int, w int32) {
		cntR[(2*a+pr.class(jb))*R1+bin] += w
		if colSlots {
			cntC[(2*c+pr.class(ja))*R1+bin] += w
		}
	}
	// classify decides a pair from its bounds at a checkpoint: it returns
	// keep = true when the pair needs a finer checkpoint (or, after the
	// last one, the exact distance).
	classify := func(a, c int, ja, jb int32, lo2, hi2 float64) (keep bool) {
		bin := 0
		if pr.R > 0 {
			bin = pr.binOf(lo2)
			if bin < pr.R && !(hi2 <= pr.B[bin]) {
				keep = true
			} else {
				code[a*nc+c] = uint16(bin)
			}
		}
		if pr.front && (lo2 <= thrR[2*a+pr.class(jb)] || (colSlots && lo2 <= thrC[2*c+pr.class(ja)])) {
			keep = true
		}
		if !keep && cntR != nil {
			count(a, c, ja, jb, bin, 1)
		}
		return keep
	}
	// With frontiers, each checkpoint first computes every pair's bounds
	// and tightens the frontiers with them, then classifies the pairs.
	frontStep := func() {
		pr.refresh(t, ps, nr, nc, uR, uC, ukR, ukC, thrR, thrC, mhR, mhC)
		if pr.nn {
			resetMin()
		}
	}

	// Checkpoint 0: the first coordinates of every pair, computed row by
	// row against the tile's columns, transposed into ps.colT.
	list := ps.cand[:0]
	var npairs int64
	F := firstLevel
	nc8 := (nc + 7) &^ 7
	colT, srow, tailC, resC, clsC := ps.colT[:F*nc8], ps.srow[:nc8], ps.tailC[:nc], ps.resC[:nc], ps.clsC[:nc]
	for c, jb := range cols {
		v := bd.vec[int(jb)*dim : int(jb)*dim+F]
		for q, y := range v {
			colT[transposeIndex(c, q)] = y
		}
		tailC[c], resC[c], clsC[c] = bd.tail[int(jb)*C], bd.res[jb], uint8(pr.class(jb))
	}
	for c := nc; c < nc8; c++ {
		for q := 0; q < F; q++ {
			colT[transposeIndex(c, q)] = 0
		}
	}
	var s0 []float32
	if pr.front {
		s0 = ps.s0[:nr*nc]
	}
	fast := bd.form.Orthogonal && !pr.front
	lof0, hif0 := bd.lof[0], bd.hif[0]
	for a := 0; a < nr; a++ {
		ja := rows[a]
		distT(bd.vec[int(ja)*dim:int(ja)*dim+F], colT, nc8, srow)
		c0 := 0
		if t.diag {
			c0 = a + 1
		}
		var ga int32 = -1
		if pr.group != nil {
			ga = pr.group[ja]
		}
		switch {
		case fast:
			// Radii only, orthogonal bound: the hot loop (its own function,
			// so that its variables live in registers).
			rr := rowRun{a: a, c0: c0, ta: bd.tail[int(ja)*C], ra: bd.res[ja], ra2: bd.res2[ja], mono: bd.form.Monotone,
				lof: lof0, hif: hif0, ca: pr.class(ja), R1: R1, colSlots: colSlots}
			if ga >= 0 {
				rr.grp, rr.ga, rr.cols = pr.group, ga, cols
			}
			if cntR != nil {
				rr.rc, rr.cc = cntR[2*a*R1:2*(a+1)*R1], cntC
			} else {
				rr.code = code[a*nc : (a+1)*nc]
			}
			var np int
			list, np = pr.fastRow(&rr, srow[:nc], tailC, resC, clsC, list)
			npairs += int64(np)
		case pr.front:
			for c := c0; c < nc; c++ {
				jb := cols[c]
				if ga >= 0 && pr.group[jb] == ga {
					continue
				}
				npairs++
				s := srow[c]
				s0[a*nc+c] = s
				_, hi2 := bd.level(0, ja, jb, s)
				tighten(a, c, ja, jb, hi2)
			}
		default:
			for c := c0; c < nc; c++ {
				jb := cols[c]
				if ga >= 0 && pr.group[jb] == ga {
					continue
				}
				npairs++
				s := srow[c]
				if lo2, hi2 := bd.level(0, ja, jb, s); classify(a, c, ja, jb, lo2, hi2) {
					list = append(list, cand{uint16(a), uint16(c), s})
				}
			}
		}
	}
	if pr.front {
		frontStep()
		for a := 0; a < nr; a++ {
			ja := rows[a]
			c0 := 0
			if t.diag {
				c0 = a + 1
			}
			for c := c0; c < nc; c++ {
				jb := cols[c]
				if pr.group != nil && pr.group[ja] == pr.group[jb] {
					continue
				}
				s := s0[a*nc+c]
				if lo2, hi2 := bd.level(0, ja, jb, s); classify(a, c, ja, jb, lo2, hi2) {
					list = append(list, cand{uint16(a), uint16(c), s})
				}
			}
		}
	}
	pr.total.Add(npairs)
	pr.reached[0].Add(npairs)
	// Finer checkpoints for the undecided pairs: first every pair's bounds
	// (and the frontiers they tighten), then the decisions.
	L := bd.levels()
	for lv := 1; lv < L && len(list) > 0; lv++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		pr.reached[lv].Add(int64(len(list)))
		if cap(ps.bnd) < 2*len(list) {
			ps.bnd = make([]float64, 2*cap(list))
		}
		bnd := ps.bnd[:2*len(list)]
		var lo, hi int
		if lv < C {
			lo, hi = bd.cps[lv-1], bd.cps[lv]
		}
		for q := range list {
			p := &list[q]
			ja, jb := rows[p.a], cols[p.c]
			if lv < C {
				p.s += segSum(bd.vec[int(ja)*dim+lo:int(ja)*dim+hi], bd.vec[int(jb)*dim+lo:int(jb)*dim+hi])
			}
			lo2, hi2 := bd.bound(lv, ja, jb, p.s)
			bnd[2*q], bnd[2*q+1] = lo2, hi2
			if pr.front {
				tighten(int(p.a), int(p.c), ja, jb, hi2)
			}
		}
		if pr.front {
			frontStep()
		}
		next := ps.next[:0]
		for q, p := range list {
			if classify(int(p.a), int(p.c), rows[p.a], cols[p.c], bnd[2*q], bnd[2*q+1]) {
				next = append(next, p)
			}
		}
		ps.next = list[:0]
		list = next
	}
	ps.cand = list[:0]
	// Exact distances for the pairs still undecided.
	if len(list) > 0 {
		nx := len(list)
		if cap(wb.i) < nx {
			wb.i, wb.j = make([]int32, nx), make([]int32, nx)
		}
		if cap(wb.out) < nx {
			wb.out = make([]float64, nx)
		}
		pi, pj, out := wb.i[:nx], wb.j[:nx], wb.out[:nx]
		for q, p := range list {
			pi[q], pj[q] = rows[p.a], cols[p.c]
		}
		if err := sc.space.Pairs(ctx, pi, pj, out); err != nil {
			return fmt.Errorf("neighbors: metric failed on %d pairs of jets %d..%d × %d..%d: %w", nx, rows[0], rows[nr-1], cols[0], cols[nc-1], err)
		}
		pr.exact.Add(int64(nx))
		for q, p := range list {
			x := out[q]
			if math.IsNaN(x) || x < 0 {
				return fmt.Errorf("neighbors: the metric returned distance %v between jets %d and %d (want a non-negative number)", x, pi[q], pj[q])
			}
			a, c := int(p.a), int(p.c)
			d[a*nc+c] = x
			if cntR != nil {
				bin := pr.R
				if x <= pr.rmax {
					bin = firstAtLeast(pr.radii, x)
				}
				count(a, c, pi[q], pj[q], bin, 1)
			}
			if pr.front {
				ca, cb := pr.class(pi[q]), pr.class(pj[q])
				if pr.nn {
					uR[2*a+cb] = min(uR[2*a+cb], x)
					if colSlots {
						uC[2*c+ca] = min(uC[2*c+ca], x)
					}
				}
				if pr.k > 0 {
					ps.hiT[a*nc+c] = x * x
				}
			}
		}
		if pr.k > 0 {
			pr.kthFrontier(ps, t, nr, nc, ukR, ukC)
		}
	}
	if t.diag {
		for a := 0; a < nr; a++ {
			for c := a + 1; c < nc; c++ {
				d[c*nc+a], code[c*nc+a] = d[a*nc+c], code[a*nc+c]
			}
		}
	}
	if pr.front {
		pr.storeFront(t.rLo, nr, uR, ukR)
		if colSlots && !t.diag {
			pr.storeFront(t.cLo, nc, uC, ukC)
		}
	}
	return ctx.Err()
}

func (pr *pruner) loadFront(lo, n int, u, uk []float64) {
	for a := 0; a < n; a++ {
		if pr.nn {
			u[2*a] = math.Float64frombits(pr.uNN[2*(lo+a)].Load())
			u[2*a+1] = math.Float64frombits(pr.uNN[2*(lo+a)+1].Load())
		}
		if pr.k > 0 {
			uk[a] = math.Float64frombits(pr.uK[lo+a].Load())
		}
	}
}

func (pr *pruner) storeFront(lo, n int, u, uk []float64) {
	for a := 0; a < n; a++ {
		if pr.nn {
			atomicMin(&pr.uNN[2*(lo+a)], u[2*a])
			atomicMin(&pr.uNN[2*(lo+a)+1], u[2*a+1])
		}
		if pr.k > 0 {
			atomicMin(&pr.uK[lo+a], uk[a])
		}
	}
}

// upper converts a squared upper bound of the stored embedding into an
// upper bound on the metric's distance.
func (pr *pruner) upper(hi2 float64) float64 {
	return math.Sqrt(hi2)*(1+tiny) + pr.b.sigma
}

// refresh tightens the tile's frontiers with the upper bounds of the last
// checkpoint and recomputes the relevance thresholds.
func (pr *pruner) refresh(t *tile, ps *pruneScratch, nr, nc int, uR, uC, ukR, ukC, thrR, thrC, mhR, mhC []float64) {
	if pr.nn {
		for q := range uR {
			if mhR[q] < math.Inf(1) {
				uR[q] = min(uR[q], pr.upper(mhR[q]))
			}
		}
		if pr.sym && !t.diag {
			for q := range uC {
				if mhC[q] < math.Inf(1) {
					uC[q] = min(uC[q], pr.upper(mhC[q]))
				}
			}
		}
	}
	if pr.k > 0 {
		pr.kthFrontier(ps, t, nr, nc, ukR, ukC)
	}
	pr.thresholds(uR, ukR, thrR, nr)
	if pr.sym && !t.diag {
		pr.thresholds(uC, ukC, thrC, nc)
	}
}

// kthFrontier tightens the k-th-nearest frontier of every row (and column)
// slot with the k-th smallest upper bound over its pairs in the tile (each
// reference jet counted once).
func (pr *pruner) kthFrontier(ps *pruneScratch, t *tile, nr, nc int, ukR, ukC []float64) {
	hiT := ps.hiT[:nr*nc]
	k := pr.k
	for a := 0; a < nr; a++ {
		sel := ps.sel[:0]
		for c := 0; c < nc; c++ {
			h := hiT[a*nc+c]
			if t.diag && c < a {
				h = hiT[c*nc+a]
			}
			if h < math.Inf(1) {
				sel = append(sel, h)
			}
		}
		if len(sel) >= k {
			ukR[a] = min(ukR[a], pr.upper(kthSmallest(sel, k)))
		}
	}
	if !pr.sym || t.diag {
		return
	}
	for c := 0; c < nc; c++ {
		sel := ps.sel[:0]
		for a := 0; a < nr; a++ {
			if h := hiT[a*nc+c]; h < math.Inf(1) {
				sel = append(sel, h)
			}
		}
		if len(sel) >= k {
			ukC[c] = min(ukC[c], pr.upper(kthSmallest(sel, k)))
		}
	}
}

// kthSmallest returns the k-th smallest value of x (1-based), reordering x.
func kthSmallest(x []float64, k int) float64 {
	lo, hi := 0, len(x)-1
	k--
	for lo < hi {
		p := x[(lo+hi)/2]
		i, j := lo, hi
		for i <= j {
			for x[i] < p {
				i++
			}
			for x[j] > p {
				j--
			}
			if i <= j {
				x[i], x[j] = x[j], x[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return x[k]
		}
	}
	return x[k]
}

// pruneStats fills the pruning fields of st.
func (pr *pruner) stats(st *Stats) {
	st.Pruned = true
	st.Pairs = pr.exact.Load()
	st.Candidates = pr.total.Load()
	st.BoundDims = pr.b.dims()
	st.BoundPairs = make([]int64, len(pr.reached))
	for q := range pr.reached {
		st.BoundPairs[q] = pr.reached[q].Load()
	}
	st.BoundBytes = pr.b.bytes()
	st.Orthogonal, st.Monotone = pr.b.form.Orthogonal, pr.b.form.Monotone
}
