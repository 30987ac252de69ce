// Package ot solves discrete optimal-transport (transportation) problems
// exactly, with a primal network simplex in pure Go.
//
// Given masses a_i ≥ 0 (i < m), b_j ≥ 0 (j < n) and costs C_ij, Solve finds
//
//	min Σ_ij f_ij C_ij   subject to   f_ij ≥ 0,  Σ_j f_ij ≤ a_i,  Σ_i f_ij ≤ b_j,
//	                                  Σ_ij f_ij = min(Σ a, Σ b),
//
// the formulation of the Energy Mover's Distance (Komiske, Metodiev,
// Thaler, arXiv:1902.02346; EnergyFlow's emd). Unequal totals are balanced
// with a dummy node joined at zero cost.
//
// The method is the primal network simplex (Ahuja, Magnanti and Orlin,
// Network Flows, ch. 11) with the spanning-tree data structure of LEMON's
// NetworkSimplex (parent, thread, subtree sizes; updates in time
// proportional to the moved subtree). The initial basis is a greedy plan
// (each demand from its cheapest supply with mass left) whose trees hang
// from an artificial root by zero-flow arcs pointing away from it: a
// strongly feasible tree. Entering arcs are chosen by block search (blocks
// of ~sqrt(arcs) arcs, reduced cost below −eps = −1e-12 × the artificial
// cost); the leaving arc is the last blocking arc of the pivot cycle counted
// from its apex, which keeps the tree strongly feasible, so degenerate
// pivots cannot cycle and the method terminates. Everything is
// deterministic.
//
// Exactness: the solution is optimal up to the reduced-cost tolerance eps,
// that is within eps × (transported mass) of the exact optimum (about
// 1e-10 relative for EMD problems); the rounding of the potentials, which
// are shifted by one addition per pivot, stays orders of magnitude below
// eps.
package ot

import (
	"fmt"
	"math"
)

// Result is the outcome of one solve.
type Result struct {
	// Cost is the optimal Σ f_ij C_ij.
	Cost float64
	// Flow is the transported mass Σ f_ij = min(Σa, Σb).
	Flow float64
	// Pivots counts simplex pivots (degenerate ones included).
	Pivots int
}

// Flow is one non-zero entry f_ij of an optimal plan.
type Flow struct {
	I, J int
	F    float64
}

// Solver holds reusable buffers; the zero value is ready to use. A Solver
// is not safe for concurrent use: give each goroutine its own.
//
// Network: supply nodes 0..M-1 (the positive a_i, plus a dummy supply when
// Σb > Σa), demand nodes M..M+N-1 (the positive b_j, plus a dummy demand
// when Σa > Σb) and the artificial root M+N. Arc e < M·N goes from supply
// e/N to demand M + e%N ("grid" arcs, the only ones searched for entering);
// arc M·N + u is the artificial arc between node u and the root.
type Solver struct {
	rowIdx, colIdx []int // original index of each real supply / demand node
	m, n           int   // real (positive) supplies and demands
	sm, sn         int   // M, N: with the dummy row or column
	root           int
	grid           int // M·N

	cost    []float64 // grid costs, dummy row/column 0
	flow    []float64 // grid arcs, then artificial arcs
	artCost []float64 // cost of node u's artificial arc
	artUp   []bool    // node u's artificial arc points to the root
	supply  []float64

	// The spanning tree, stored as in LEMON: parent, the tree arc to the
	// parent (pred) and its direction (dir: +1 when it points from the node
	// to its parent, −1 otherwise), the preorder successor thread and its
	// reverse, the subtree size succNum and the last node of the subtree
	// in preorder lastSucc.
	parent, pred      []int32
	dir               []float64
	thread, revThread []int32
	succNum, lastSucc []int32
	pi                []float64
	dirty             []int32
	// initTree scratch.
	active, alloc, deg, adj, fill []int32
	order, stackBuf, pos          []int32
	seen                          []bool

	eps       float64
	blockSize int
	nextArc   int
}

// maxPivotsFactor bounds the number of pivots per solve (times the number
// of arcs) as a safety net; the anti-cycling rule makes it unreachable.
const maxPivotsFactor = 1000

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Solve solves the transportation problem with masses a (m), b (n) and the
// row-major m×n cost matrix. Masses must be finite and ≥ 0 (zero masses
// are dropped), costs finite.
func (s *Solver) Solve(a, b, cost []float64) (Result, error) {
	m0, n0 := len(a), len(b)
	if len(cost) != m0*n0 {
		return Result{}, fmt.Errorf("ot: cost has %d entries, want %d×%d = %d", len(cost), m0, n0, m0*n0)
	}
	var sa, sb float64
	var err error
	if s.rowIdx, sa, err = support("supply a", a, s.rowIdx[:0]); err != nil {
		return Result{}, err
	}
	if s.colIdx, sb, err = support("demand b", b, s.colIdx[:0]); err != nil {
		return Result{}, err
	}
	maxC := 0.0
	for k, c := range cost {
		if c-c != 0 { // NaN or ±Inf
			return Result{}, fmt.Errorf("ot: cost[%d][%d] = %v is not finite", k/n0, k%n0, c)
		}
		maxC = max(maxC, math.Abs(c))
	}
	if len(s.rowIdx) == 0 || len(s.colIdx) == 0 {
		s.m, s.n, s.grid = 0, 0, 0
		return Result{}, nil // nothing can move
	}
	s.setup(a, b, cost, sa, sb, maxC)
	pivots, err := s.run()
	if err != nil {
		return Result{}, err
	}
	res := Result{Pivots: pivots, Flow: min(sa, sb)}
	// Only tree arcs carry flow; dummy arcs cost 0.
	for u := 0; u < s.root; u++ {
		if e := int(s.pred[u]); e < s.grid {
			res.Cost += s.flow[e] * s.cost[e]
		}
	}
	// The artificial arcs must be empty (up to rounding of the masses).
	tol := 1e-9 * (sa + sb)
	for u := 0; u < s.root; u++ {
		if f := s.flow[s.grid+u]; f > tol {
			return Result{}, fmt.Errorf("ot: internal error: artificial arc of node %d keeps flow %g after optimisation", u, f)
		}
	}
	return res, nil
}

// Flows appends the non-zero flows of the last solve to dst, in original
// indices, ordered by (i, j).
func (s *Solver) Flows(dst []Flow) []Flow {
	for i := 0; i < s.m; i++ {
		for j := 0; j < s.n; j++ {
			if f := s.flow[i*s.sn+j]; f > 0 {
				dst = append(dst, Flow{I: s.rowIdx[i], J: s.colIdx[j], F: f})
			}
		}
	}
	return dst
}

// ends returns the source and target nodes of arc e.
func (s *Solver) ends(e int32) (src, tgt int32) {
	if int(e) < s.grid {
		return e / int32(s.sn), int32(s.sm) + e%int32(s.sn)
	}
	u := e - int32(s.grid)
	if s.artUp[u] {
		return u, int32(s.root)
	}
	return int32(s.root), u
}

// setup builds the network and the initial strongly feasible tree: every
// node hangs from the root by its artificial arc, carrying its supply.
func (s *Solver) setup(a, b, cost []float64, sa, sb, maxC float64) {
	m, n, n0 := len(s.rowIdx), len(s.colIdx), len(b)
	s.m, s.n = m, n
	s.sm, s.sn = m, n
	if sa < sb {
		s.sm++ // dummy supply row
	} else if sa > sb {
		s.sn++ // dummy demand column
	}
	M, N := s.sm, s.sn
	s.root = M + N
	s.grid = M * N
	nodes := s.root + 1
	s.cost = grow(s.cost, s.grid)
	s.flow = grow(s.flow, s.grid+s.root)
	s.artCost, s.artUp = grow(s.artCost, s.root), grow(s.artUp, s.root)
	s.supply = grow(s.supply, nodes)
	s.parent, s.pred, s.dir, s.pi = grow(s.parent, nodes), grow(s.pred, nodes), grow(s.dir, nodes), grow(s.pi, nodes)
	s.thread, s.revThread = grow(s.thread, nodes), grow(s.revThread, nodes)
	s.succNum, s.lastSucc = grow(s.succNum, nodes), grow(s.lastSucc, nodes)
	s.deg, s.fill, s.pos, s.seen = grow(s.deg, nodes+1), grow(s.fill, nodes), grow(s.pos, nodes), grow(s.seen, nodes)
	s.adj = grow(s.adj, 2*nodes)

	for ii := 0; ii < M; ii++ {
		row := s.cost[ii*N : (ii+1)*N]
		if ii == m {
			clear(row) // dummy supply
			continue
		}
		src := cost[s.rowIdx[ii]*n0:]
		for jj, j := range s.colIdx {
			row[jj] = src[j]
		}
		if N > n {
			row[n] = 0 // dummy demand
		}
	}
	clear(s.flow[:s.grid])
	for ii, i := range s.rowIdx {
		s.supply[ii] = a[i]
	}
	for jj, j := range s.colIdx {
		s.supply[M+jj] = -b[j]
	}
	if M > m {
		s.supply[m] = sb - sa
	}
	if N > n {
		s.supply[M+n] = sb - sa
	}

	// Artificial cost: larger than the cost of any path of real arcs.
	art := (maxC + 1) * float64(nodes)
	s.eps = 1e-12 * art
	s.initTree(art)
	s.blockSize = max(10, int(math.Ceil(math.Sqrt(float64(s.grid)))))
	s.nextArc = 0
}

// initTree builds the initial strongly feasible spanning tree from a
// greedy feasible plan: demands are served in order, each from its
// cheapest supply node with mass left (the dummy supply only when no real
// one is left; the dummy demand, if any, last). Every allocation uses up a
// supply or a demand, so the allocations form a forest whose arcs all
// carry positive flow. Each tree of the forest hangs from the artificial
// root by a zero-flow artificial arc pointing away from the root, so every
// arc without flow points away from the root: the spanning tree is
// strongly feasible (which the anti-cycling rule needs), and the simplex
// starts from a good plan rather than from all-artificial flows.
func (s *Solver) initTree(art float64) {
	M, N := s.sm, s.sn
	nodes := s.root + 1
	r := int32(s.root)
	clear(s.flow[s.grid:])
	for u := 0; u < s.root; u++ {
		s.artUp[u], s.artCost[u] = false, art
	}
	// Greedy plan. left[u] is the mass left at supply u (from s.supply).
	left := s.supply[:M]
	active := s.active[:0]
	for ii := 0; ii < s.m; ii++ {
		active = append(active, int32(ii))
	}
	alloc := s.alloc[:0]
	for jj := 0; jj < N; jj++ {
		need := -s.supply[M+jj]
		for need > 0 {
			// The supply to draw from: the cheapest real one with mass
			// left (any, for the dummy demand), else the dummy supply.
			best := -1
			for k, ii := range active {
				if best < 0 || (jj < s.n && s.cost[int(ii)*N+jj] < s.cost[int(active[best])*N+jj]) {
					best = k
				}
				if jj >= s.n {
					break
				}
			}
			var ii int32
			switch {
			case best >= 0:
				ii = active[best]
			case M > s.m && left[s.m] > 0:
				ii = int32(s.m)
			default:
				need = 0 // only rounding residue is left
				continue
			}
			x := need
			if left[ii] <= need {
				x = left[ii]
				if best >= 0 {
					active[best] = active[len(active)-1]
					active = active[:len(active)-1]
				}
			}
			left[ii] -= x
			need -= x
			s.flow[int(ii)*N+jj] = x
			alloc = append(alloc, int32(ii)*int32(N)+int32(jj))
		}
	}
	s.active, s.alloc = active, alloc
	// Adjacency of the forest (CSR).
	deg := s.deg[:nodes+1]
	clear(deg)
	for _, e := range alloc {
		deg[e/int32(N)+1]++
		deg[int32(M)+e%int32(N)+1]++
	}
	for u := 1; u <= nodes; u++ {
		deg[u] += deg[u-1]
	}
	adj := s.adj[:2*len(alloc)]
	fill := s.fill[:nodes]
	copy(fill, deg[:nodes])
	for _, e := range alloc {
		a, b := e/int32(N), int32(M)+e%int32(N)
		adj[fill[a]], adj[fill[b]] = e, e
		fill[a]++
		fill[b]++
	}
	// Preorder over the forest; each tree hangs from the root.
	order := append(s.order[:0], r)
	s.parent[r], s.pred[r], s.pi[r] = -1, -1, 0
	seen := s.seen[:nodes]
	clear(seen)
	seen[r] = true
	stack := s.stackBuf[:0]
	for u0 := int32(0); u0 < r; u0++ {
		if seen[u0] {
			continue
		}
		e := int32(s.grid) + u0 // artificial arc root → u0, no flow
		s.parent[u0], s.pred[u0], s.dir[u0], s.pi[u0] = r, e, -1, art
		seen[u0] = true
		stack = append(stack, u0)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			order = append(order, u)
			for k := deg[u+1] - 1; k >= deg[u]; k-- {
				e := adj[k]
				a, b := e/int32(N), int32(M)+e%int32(N)
				v := a
				if v == u {
					v = b
				}
				if seen[v] {
					continue
				}
				seen[v] = true
				s.parent[v], s.pred[v] = u, e
				if v == a { // arc v → u points up
					s.dir[v], s.pi[v] = 1, s.pi[u]-s.cost[e]
				} else {
					s.dir[v], s.pi[v] = -1, s.pi[u]+s.cost[e]
				}
				stack = append(stack, v)
			}
		}
	}
	s.order, s.stackBuf = order, stack
	// Thread, subtree sizes and last successors from the preorder.
	for k, u := range order {
		s.thread[u] = order[(k+1)%len(order)]
		s.revThread[order[(k+1)%len(order)]] = u
		s.succNum[u] = 1
		s.pos[u] = int32(k)
	}
	for k := len(order) - 1; k > 0; k-- {
		u := order[k]
		s.succNum[s.parent[u]] += s.succNum[u]
	}
	for k, u := range order {
		s.lastSucc[u] = order[k+int(s.succNum[u])-1]
	}
}

// findEntering returns the grid arc with the most negative reduced cost
// (c_e − π_tgt) + π_src (below −eps) in the first block of blockSize arcs,
// scanning cyclically from where the last search stopped, that holds one;
// or −1 when no arc has one (the tree is optimal). Tree arcs have reduced
// cost 0 up to rounding, far above −eps, so they are never chosen. A block
// is scanned one row segment at a time for the segment's minimum without
// branches; only the best segment is scanned again for the (first) arc
// that attains it.
func (s *Solver) findEntering() int {
	M, N := s.sm, s.sn
	e := s.nextArc
	i, j := e/N, e%N
	for left := s.grid; left > 0; {
		blk := min(s.blockSize, left)
		left -= blk
		best, bi, bj, bk, bm := -s.eps, -1, 0, 0, 0.0
		for n := blk; n > 0; {
			k := min(n, N-j)
			m := segMin(s.cost[i*N+j:i*N+j+k], s.pi[M+j:M+j+k])
			if r := m + s.pi[i]; r < best {
				best, bi, bj, bk, bm = r, i, j, k, m
			}
			n -= k
			if j += k; j == N {
				j = 0
				if i++; i == M {
					i = 0
				}
			}
		}
		if bi >= 0 {
			s.nextArc = i*N + j
			row, pb := s.cost[bi*N+bj:bi*N+bj+bk], s.pi[M+bj:M+bj+bk]
			for q, c := range row {
				if c-pb[q] == bm {
					return bi*N + bj + q
				}
			}
		}
	}
	s.nextArc = i*N + j
	return -1
}

// segMin returns min_q (c[q] − p[q]) without branches, with four
// independent running minima.
func segMin(c, p []float64) float64 {
	p = p[:len(c)]
	m0, m1, m2, m3 := math.Inf(1), math.Inf(1), math.Inf(1), math.Inf(1)
	q := 0
	for ; q+4 <= len(c); q += 4 {
		m0 = min(m0, c[q]-p[q])
		m1 = min(m1, c[q+1]-p[q+1])
		m2 = min(m2, c[q+2]-p[q+2])
		m3 = min(m3, c[q+3]-p[q+3])
	}
	for ; q < len(c); q++ {
		m0 = min(m0, c[q]-p[q])
	}
	return min(min(m0, m1), min(m2, m3))
}

// run pivots until optimal and returns the number of pivots.
func (s *Solver) run() (int, error) {
	limit := maxPivotsFactor * (s.grid + s.root + 10)
	for piv := 0; ; piv++ {
		in := s.findEntering()
		if in < 0 {
			return piv, nil
		}
		if piv > limit {
			return piv, fmt.Errorf("ot: no convergence after %d pivots (internal error)", piv)
		}
		if err := s.pivot(int32(in)); err != nil {
			return piv, err
		}
	}
}

// pivot brings grid arc in into the tree (LEMON's findJoinNode,
// findLeavingArc, changeFlow, updateTreeStructure and updatePotential).
func (s *Solver) pivot(in int32) error {
	first, second := s.ends(in)
	parent, pred, flow, dir := s.parent, s.pred, s.flow, s.dir
	// Join node (apex of the cycle): climb from the node with the smaller
	// subtree, which cannot be an ancestor of the other.
	u, v := first, second
	for u != v {
		if s.succNum[u] < s.succNum[v] {
			u = parent[u]
		} else {
			v = parent[v]
		}
	}
	join := u
	// Leaving arc: the last blocking arc in the cycle's orientation from
	// the apex (join → first → second → join), which keeps the tree
	// strongly feasible. On the first path flow decreases on arcs pointing
	// up, on the second on arcs pointing down; all arcs are uncapacitated.
	delta := math.Inf(1)
	uOut, side := int32(-1), 0
	for u := first; u != join; u = parent[u] {
		if d := flow[pred[u]]; d < delta && dir[u] > 0 {
			delta, uOut, side = d, u, 1
		}
	}
	for u := second; u != join; u = parent[u] {
		if d := flow[pred[u]]; d <= delta && dir[u] < 0 {
			delta, uOut, side = d, u, 2
		}
	}
	if side == 0 {
		return fmt.Errorf("ot: unbounded pivot (negative cycle); costs must not allow it")
	}
	// Push delta around the cycle.
	if delta > 0 {
		flow[in] += delta
		for u := first; u != join; u = parent[u] {
			flow[pred[u]] -= dir[u] * delta
		}
		for u := second; u != join; u = parent[u] {
			flow[pred[u]] += dir[u] * delta
		}
	}
	flow[pred[uOut]] = 0
	uIn, vIn := first, second
	if side == 2 {
		uIn, vIn = second, first
	}
	s.updateTree(in, join, uIn, vIn, uOut)
	// Shift the potentials of the moved subtree so that the entering arc
	// has reduced cost 0.
	sigma := s.pi[vIn] - s.pi[uIn] - dir[uIn]*s.cost[in]
	if sigma != 0 {
		end := s.thread[s.lastSucc[uIn]]
		for u := uIn; u != end; u = s.thread[u] {
			s.pi[u] += sigma
		}
	}
	return nil
}

// updateTree replaces the tree arc pred[uOut] by the entering arc in
// (between uIn, inside the subtree of uOut, and vIn, outside it): the
// subtree is re-rooted at uIn along the stem uIn → … → uOut and hung below
// vIn, and thread, revThread, succNum and lastSucc are updated in time
// proportional to the stem, the subtree and the paths to join (LEMON's
// updateTreeStructure).
func (s *Solver) updateTree(in, join, uIn, vIn, uOut int32) {
	parent, thread, rev, lastSucc, succNum := s.parent, s.thread, s.revThread, s.lastSucc, s.succNum
	oldRevThread := rev[uOut]
	oldSuccNum := succNum[uOut]
	oldLastSucc := lastSucc[uOut]
	vOut := parent[uOut]
	inDir := -1.0
	if src, _ := s.ends(in); src == uIn {
		inDir = 1
	}
	if uIn == uOut {
		parent[uIn], s.pred[uIn], s.dir[uIn] = vIn, in, inDir
		if thread[vIn] != uOut {
			after := thread[oldLastSucc]
			thread[oldRevThread], rev[after] = after, oldRevThread
			after = thread[vIn]
			thread[vIn], rev[uOut] = uOut, vIn
			thread[oldLastSucc], rev[after] = after, oldLastSucc
		}
	} else {
		// When oldRevThread is vIn (then join is vOut), the subtree of
		// uOut directly follows vIn in the thread.
		threadContinue := thread[vIn]
		if oldRevThread == vIn {
			threadContinue = thread[oldLastSucc]
		}
		// Walk the stem from uIn to uOut, moving each stem node's subtree
		// (without the next stem node) into place in the thread.
		stem, parStem := uIn, vIn
		last := lastSucc[uIn]
		after := thread[last]
		thread[vIn] = uIn
		s.dirty = append(s.dirty[:0], vIn)
		for stem != uOut {
			nextStem := parent[stem]
			thread[last] = nextStem
			s.dirty = append(s.dirty, last)
			before := rev[stem]
			thread[before], rev[after] = after, before
			parent[stem] = parStem
			parStem, stem = stem, nextStem
			if lastSucc[stem] == lastSucc[parStem] {
				last = rev[parStem]
			} else {
				last = lastSucc[stem]
			}
			after = thread[last]
		}
		parent[uOut] = parStem
		thread[last], rev[threadContinue] = threadContinue, last
		lastSucc[uOut] = last
		if oldRevThread != vIn {
			thread[oldRevThread], rev[after] = after, oldRevThread
		}
		for _, u := range s.dirty {
			rev[thread[u]] = u
		}
		// Stem nodes from uOut back to uIn: arcs, directions, subtree
		// sizes and last successors.
		sc, ls := int32(0), lastSucc[uOut]
		for u, p := uOut, parent[uOut]; u != uIn; u, p = p, parent[p] {
			s.pred[u], s.dir[u] = s.pred[p], -s.dir[p]
			sc += succNum[u] - succNum[p]
			succNum[u] = sc
			lastSucc[p] = ls
		}
		s.pred[uIn], s.dir[uIn] = in, inDir
		succNum[uIn] = oldSuccNum
	}
	// lastSucc from vIn towards the root.
	upLimitOut := int32(-1)
	if lastSucc[join] == vIn {
		upLimitOut = join
	}
	lastSuccOut := lastSucc[uOut]
	for u := vIn; u != -1 && lastSucc[u] == vIn; u = parent[u] {
		lastSucc[u] = lastSuccOut
	}
	// lastSucc from vOut towards the root.
	if join != oldRevThread && vIn != oldRevThread {
		for u := vOut; u != upLimitOut && lastSucc[u] == oldLastSucc; u = parent[u] {
			lastSucc[u] = oldRevThread
		}
	} else if lastSuccOut != oldLastSucc {
		for u := vOut; u != upLimitOut && lastSucc[u] == oldLastSucc; u = parent[u] {
			lastSucc[u] = lastSuccOut
		}
	}
	// Subtree sizes on the two paths to join.
	for u := vIn; u != join; u = parent[u] {
		succNum[u] += oldSuccNum
	}
	for u := vOut; u != join; u = parent[u] {
		succNum[u] -= oldSuccNum
	}
}

// support appends to idx the indices of the positive entries of v and
// returns them with their sum; an entry that is negative, NaN or
// infinite is an error naming it (what is "supply a" or "demand b").
func support(what string, v []float64, idx []int) ([]int, float64, error) {
	sum := 0.0
	for i, x := range v {
		if !(x >= 0) || math.IsInf(x, 0) {
			return idx, 0, fmt.Errorf("ot: %s[%d] = %v is not a finite number >= 0", what, i, x)
		}
		if x > 0 {
			idx = append(idx, i)
			sum += x
		}
	}
	return idx, sum, nil
}
