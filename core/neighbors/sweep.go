package neighbors

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
)

// sweepNearest computes the nearest neighbours per class and/or the k
// nearest (summaries with nn and/or k only) with a sorted sweep instead of
// tiles: the reference jets are sorted by their first principal coordinate
// y0, a lower bound on every distance (|y0_i − y0_j| ≤ d(i, j)), and each
// query scans outwards from its own y0 until the gap exceeds its current
// frontiers: the nearest-neighbour upper bound of each class, and the k-th
// smallest upper bound over the distinct jets scanned so far (each jet
// contributes its tightest bound, or its exact distance). Candidates are
// bounded checkpoint by checkpoint like in the tile pass and computed
// exactly only when they may be (or tie with) a nearest neighbour of their
// class or one of the k nearest. Every (query, reference) pair is
// considered from the query's side, so Stats count ordered pairs.
func sweepNearest(ctx context.Context, space plugin.Space, bd *bounds, p pass, cols []int32, s *summaries, workers int, st *Stats) error {
	C := len(bd.cps)
	L := bd.levels()
	dim := bd.dim
	F := firstLevel
	nref := len(cols)
	// The reference jets sorted by y0, with their first coordinates, first
	// tail norm, class and group copied in that order (contiguous scans).
	order := make([]int32, nref)
	for k := range order {
		order[k] = int32(k)
	}
	y0 := func(j int32) float64 { return float64(bd.vec[int(j)*dim]) }
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(y0(cols[a]), y0(cols[b])); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	// Padded to whole superblocks of sb jets; padding has +Inf coordinates
	// and is skipped.
	const sb = 64
	npad := (nref + sb - 1) / sb * sb
	sj := make([]int32, nref)
	skey := make([]float64, nref)
	sT := make([]float32, npad*F) // blocks of 8 jets, transposed (transposeIndex)
	sclass := make([]uint8, nref)
	// First tail norm and residual (squared) in sorted order, and the
	// group: the scan reads them contiguously.
	st0, sr, sr2 := make([]float64, nref), make([]float64, nref), make([]float64, nref)
	var sgrp []int32
	if p.group != nil {
		sgrp = make([]int32, nref)
	}
	var classes [2]int
	for k, o := range order {
		j := cols[o]
		sj[k], skey[k] = j, y0(j)
		for q, v := range bd.vec[int(j)*dim : int(j)*dim+F] {
			sT[transposeIndex(k, q)] = v
		}
		sclass[k] = uint8(s.labels[j] & 1)
		classes[sclass[k]]++
		st0[k], sr[k], sr2[k] = bd.tail[int(j)*C], bd.res[j], bd.res[j]*bd.res[j]
		if sgrp != nil {
			sgrp[k] = p.group[j]
		}
	}
	for k := nref; k < npad; k++ {
		for q := 0; q < F; q++ {
			sT[transposeIndex(k, q)] = float32(math.Inf(1))
		}
	}
	sig := bd.sigma
	orth, mono := bd.form.Orthogonal, bd.form.Monotone
	lof0, hif0 := bd.lof[0], bd.hif[0]
	upper := func(hi2 float64) float64 { return math.Sqrt(hi2)*(1+tiny) + sig }
	K, nn := s.k, s.nn
	// A space served by another process gets the exact pairs of a query in
	// calls of up to remoteBatch pairs instead of one call per pair (a round
	// trip costs more than the extra pairs computed while the waiting
	// results have not yet tightened the frontiers; exactness does not
	// depend on when they are folded in).
	batch := outOfProcess(space)

	nq := len(p.rows)
	// Queries in y0 order, so that consecutive queries scan overlapping
	// windows.
	qorder := make([]int32, nq)
	for k := range qorder {
		qorder[k] = int32(k)
	}
	slices.SortFunc(qorder, func(a, b int32) int {
		if c := cmp.Compare(y0(p.rows[a]), y0(p.rows[b])); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})

	var (
		next             atomic.Int64
		scanned, exacted atomic.Int64
		reached          = make([]atomic.Int64, L)
		errMu            sync.Mutex
		firstErr         error
		failed           atomic.Bool
		done, lastRep    atomic.Int64
	)
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		failed.Store(true)
	}
	const chunk = 64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					fail(fmt.Errorf("neighbors: the metric panicked during the nearest-neighbour sweep: %v", r))
				}
			}()
			// Exact pairs waiting for the metric: lower index first (the
			// brute-force pass's orientation), the reference jet and its
			// class.
			pi, pj, out := make([]int32, 0, remoteBatch), make([]int32, 0, remoteBatch), make([]float64, remoteBatch)
			pjb, pc := make([]int32, 0, remoteBatch), make([]uint8, 0, remoteBatch)
			kb := make(kthBound, 0, K) // the k smallest upper bounds of a query
			sums := make([]float32, sb)
			var nScan, nExact int64
			nLv := make([]int64, L)
			defer func() {
				scanned.Add(nScan)
				exacted.Add(nExact)
				for lv, x := range nLv {
					reached[lv].Add(x)
				}
			}()
			for !failed.Load() {
				lo := int(next.Add(chunk) - chunk)
				if lo >= nq {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				for _, a := range qorder[lo:min(nq, lo+chunk)] {
					ja := p.rows[a]
					x := bd.vec[int(ja)*dim : int(ja)*dim+F]
					ka := y0(ja)
					ga := int32(-1)
					if p.group != nil {
						ga = p.group[ja]
					}
					u := [2]float64{math.Inf(1), math.Inf(1)}
					bestD := [2]float64{math.Inf(1), math.Inf(1)}
					bestJ := [2]int32{-1, -1}
					kb = kb[:0]
					uK, thrK := math.Inf(1), math.Inf(1) // k-th-nearest frontier
					// offerK records a scanned jet's tightest upper bound (or
					// exact distance) and tightens the k-th frontier.
					offerK := func(v float64) {
						if kb.offer(v, K) && v < uK {
							uK, thrK = kb[0], sqThreshold(kb[0], sig)
						}
					}
					// reach is the largest frontier still to be met: the
					// nearest-neighbour frontier of a class present in the
					// reference set, and the k-th frontier. Beyond it no jet
					// can matter.
					reach := func() float64 {
						m := math.Inf(-1)
						if nn {
							for c := 0; c < 2; c++ {
								if classes[c] > 0 {
									m = max(m, u[c])
								}
							}
						}
						if K > 0 {
							m = max(m, uK)
						}
						return m
					}
					ta, ra := bd.tail[int(ja)*C], bd.res[ja]
					pos, _ := slices.BinarySearch(skey, ka)
					// Superblocks of sb jets around pos: right from the one
					// holding pos, left from the one before; each side is
					// abandoned once its nearest gap exceeds the frontiers.
					left, right := pos/sb-1, pos/sb
					minHi := [2]float64{math.Inf(1), math.Inf(1)}
					thr := [2]float64{math.Inf(1), math.Inf(1)}
					// flush computes the waiting exact pairs and folds them
					// into the frontiers and results; false on failure.
					flush := func() bool {
						n := len(pi)
						if n == 0 {
							return true
						}
						if err := space.Pairs(ctx, pi, pj, out[:n]); err != nil {
							if n == 1 {
								fail(fmt.Errorf("neighbors: metric failed on the pair (%d, %d): %w", pi[0], pj[0], err))
							} else {
								fail(fmt.Errorf("neighbors: metric failed on %d pairs from (%d, %d): %w", n, pi[0], pj[0], err))
							}
							return false
						}
						nExact += int64(n)
						for i, d := range out[:n] {
							if math.IsNaN(d) || d < 0 {
								fail(fmt.Errorf("neighbors: the metric returned distance %v between jets %d and %d (want a non-negative number)", d, pi[i], pj[i]))
								return false
							}
							c, jb := pc[i], pjb[i]
							if nn {
								if d < u[c] {
									u[c], thr[c] = d, sqThreshold(d, sig)
								}
								if d < bestD[c] || (d == bestD[c] && jb < bestJ[c]) {
									bestD[c], bestJ[c] = d, jb
								}
							}
							if K > 0 {
								s.pushKNN(int(a), nbr{d, jb})
								offerK(d)
							}
						}
						pi, pj, pjb, pc = pi[:0], pj[:0], pjb[:0], pc[:0]
						return true
					}
					for {
						gl, gr := math.Inf(1), math.Inf(1)
						if left >= 0 {
							gl = ka - skey[left*sb+sb-1]
						}
						if right*sb < nref {
							gr = skey[right*sb] - ka
						}
						var blk int
						var gap float64
						if gl <= gr {
							blk, gap = left, gl
						} else {
							blk, gap = right, gr
						}
						if math.IsInf(gap, 1) || gap*(1-bd.ortho-tiny)-sig > reach() {
							break // every remaining jet on both sides is farther
						}
						if blk == left {
							left--
						} else {
							right++
						}
						k0 := blk * sb
						distT(x, sT[k0*F:(k0+sb)*F], sb, sums)
						for i, sum := range sums {
							k := k0 + i
							if k >= nref {
								break
							}
							jb := sj[k]
							if jb == ja || (ga >= 0 && sgrp[k] == ga) {
								continue
							}
							nScan++
							c := sclass[k]
							var lo2, hi2 float64
							if orth {
								sf := float64(sum)
								tb, rb := st0[k], sr[k]
								dt, stt, dr := ta-tb, ta+tb, ra-rb
								r2 := (ra + rb) * (ra + rb)
								if mono {
									r2 = ra*ra + sr2[k]
								}
								lo2 = (sf + dt*dt + dr*dr) * lof0
								hi2 = (sf + stt*stt + r2) * hif0
							} else {
								lo2, hi2 = bd.level(0, ja, jb, sum)
							}
							if nn && hi2 < minHi[c] {
								minHi[c] = hi2
								if v := upper(hi2); v < u[c] {
									u[c], thr[c] = v, sqThreshold(v, sig)
								}
							}
							ub := upper(hi2) // the jet's tightest upper bound so far
							relevant := (nn && lo2 <= thr[c]) || (K > 0 && lo2 <= thrK)
							for lv := 1; lv < L && relevant; lv++ {
								nLv[lv]++
								if lv < C {
									a0, a1 := bd.cps[lv-1], bd.cps[lv]
									sum += segSum(bd.vec[int(ja)*dim+a0:int(ja)*dim+a1], bd.vec[int(jb)*dim+a0:int(jb)*dim+a1])
								}
								var hi2 float64
								lo2, hi2 = bd.bound(lv, ja, jb, sum)
								v := upper(hi2)
								ub = min(ub, v)
								if nn && v < u[c] {
									u[c], thr[c] = v, sqThreshold(v, sig)
								}
								relevant = (nn && lo2 <= thr[c]) || (K > 0 && lo2 <= thrK)
							}
							if !relevant {
								if K > 0 {
									offerK(ub)
								}
								continue
							}
							pi, pj = append(pi, min(ja, jb)), append(pj, max(ja, jb))
							pjb, pc = append(pjb, jb), append(pc, c)
							if (!batch || len(pi) >= remoteBatch) && !flush() {
								return
							}
						}
					}
					if !flush() {
						return
					}
					if nn {
						q := int(a)
						s.nnD[1][q], s.nnJ[1][q] = bestD[1], bestJ[1]
						s.nnD[2][q], s.nnJ[2][q] = bestD[0], bestJ[0]
						any := 0
						if bestD[1] < bestD[0] || (bestD[1] == bestD[0] && bestJ[1] >= 0 && (bestJ[0] < 0 || bestJ[1] < bestJ[0])) {
							any = 1
						}
						s.nnD[0][q], s.nnJ[0][q] = bestD[any], bestJ[any]
					}
				}
				n := done.Add(int64(min(nq, lo+chunk) - lo))
				if now := time.Now().UnixNano(); now-lastRep.Load() >= int64(200*time.Millisecond) || n == int64(nq) {
					lastRep.Store(now)
					plugin.ReportProgress(ctx, n, int64(nq), fmt.Sprintf("neighbours (sorted sweep): %d of %d queries", n, nq))
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	st.Pruned, st.Sweep = true, true
	st.Pairs = exacted.Load()
	// Candidates: the (query, reference) pairs of the relation.
	if p.group == nil {
		st.Candidates = int64(nq) * int64(nref)
		if p.sym {
			st.Candidates -= int64(nq)
		}
	} else {
		per := map[int32]int64{}
		for _, j := range cols {
			per[p.group[j]]++
		}
		for _, j := range p.rows {
			st.Candidates += int64(nref) - per[p.group[j]]
		}
	}
	st.BoundDims = bd.dims()
	st.BoundPairs = make([]int64, L)
	st.BoundPairs[0] = scanned.Load()
	for lv := 1; lv < L; lv++ {
		st.BoundPairs[lv] = reached[lv].Load()
	}
	st.BoundBytes = bd.bytes() + int64(nref)*(4+8+4*int64(F)+1+3*8) + int64(len(sgrp))*4 + int64(nq)*4
	st.Orthogonal, st.Monotone = bd.form.Orthogonal, bd.form.Monotone
	return nil
}

// remoteBatch is the number of exact pairs the sweep gathers for one call
// to a space served by another process.
const remoteBatch = 256

// kthBound is a max-heap of the k smallest values offered: with k of them,
// its top is the k-th smallest.
type kthBound []float64

// offer adds v, keeping the k smallest; it reports whether the heap is
// full (then h[0] is the k-th smallest value offered).
func (h *kthBound) offer(v float64, k int) bool {
	b := *h
	if len(b) < k {
		b = append(b, v)
		for i := len(b) - 1; i > 0; {
			p := (i - 1) / 2
			if b[p] >= b[i] {
				break
			}
			b[p], b[i] = b[i], b[p]
			i = p
		}
		*h = b
		return len(b) == k
	}
	if v >= b[0] {
		return true
	}
	b[0] = v
	for i := 0; ; {
		l := 2*i + 1
		if l >= len(b) {
			break
		}
		m := l
		if r := l + 1; r < len(b) && b[r] > b[l] {
			m = r
		}
		if b[i] >= b[m] {
			break
		}
		b[i], b[m] = b[m], b[i]
		i = m
	}
	return true
}
