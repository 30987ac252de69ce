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

// sweepNearest computes the nearest neighbours per class (summaries with
// nn only) with a sorted sweep instead of tiles: the reference jets are
// sorted by their first principal coordinate y0, a lower bound on every
// distance (|y0_i − y0_j| ≤ d(i, j)), and each query scans outwards from
// its own y0 until the gap exceeds its current nearest-neighbour upper
// bounds. Candidates are bounded checkpoint by checkpoint like in the tile
// pass and computed exactly only when they may be (or tie with) the
// nearest neighbour of their class. Every (query, reference) pair is
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
			pi, pj, out := make([]int32, 1), make([]int32, 1), make([]float64, 1)
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
					// reach is the largest frontier of a class present in
					// the reference set: beyond it no jet can matter.
					reach := func() float64 {
						m := math.Inf(-1)
						for c := 0; c < 2; c++ {
							if classes[c] > 0 {
								m = max(m, u[c])
							}
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
							if hi2 < minHi[c] {
								minHi[c] = hi2
								if v := upper(hi2); v < u[c] {
									u[c], thr[c] = v, sqThreshold(v, sig)
								}
							}
							if lo2 > thr[c] {
								continue
							}
							relevant := true
							for lv := 1; lv < L && relevant; lv++ {
								nLv[lv]++
								if lv < C {
									a0, a1 := bd.cps[lv-1], bd.cps[lv]
									sum += segSum(bd.vec[int(ja)*dim+a0:int(ja)*dim+a1], bd.vec[int(jb)*dim+a0:int(jb)*dim+a1])
								}
								var hi2 float64
								lo2, hi2 = bd.bound(lv, ja, jb, sum)
								if v := upper(hi2); v < u[c] {
									u[c], thr[c] = v, sqThreshold(v, sig)
								}
								relevant = lo2 <= thr[c]
							}
							if !relevant {
								continue
							}
							// Exact, lower index first (the brute-force
							// pass's orientation).
							pi[0], pj[0] = min(ja, jb), max(ja, jb)
							if err := space.Pairs(ctx, pi, pj, out); err != nil {
								fail(fmt.Errorf("neighbors: metric failed on the pair (%d, %d): %w", pi[0], pj[0], err))
								return
							}
							nExact++
							d := out[0]
							if math.IsNaN(d) || d < 0 {
								fail(fmt.Errorf("neighbors: the metric returned distance %v between jets %d and %d (want a non-negative number)", d, pi[0], pj[0]))
								return
							}
							if d < u[c] {
								u[c], thr[c] = d, sqThreshold(d, sig)
							}
							if d < bestD[c] || (d == bestD[c] && jb < bestJ[c]) {
								bestD[c], bestJ[c] = d, jb
							}
						}
					}
					q := int(a)
					s.nnD[1][q], s.nnJ[1][q] = bestD[1], bestJ[1]
					s.nnD[2][q], s.nnJ[2][q] = bestD[0], bestJ[0]
					any := 0
					if bestD[1] < bestD[0] || (bestD[1] == bestD[0] && bestJ[1] >= 0 && (bestJ[0] < 0 || bestJ[1] < bestJ[0])) {
						any = 1
					}
					s.nnD[0][q], s.nnJ[0][q] = bestD[any], bestJ[any]
				}
				n := done.Add(int64(min(nq, lo+chunk) - lo))
				if now := time.Now().UnixNano(); now-lastRep.Load() >= int64(200*time.Millisecond) || n == int64(nq) {
					lastRep.Store(now)
					plugin.ReportProgress(ctx, n, int64(nq), fmt.Sprintf("nearest neighbours (sorted sweep): %d of %d queries", n, nq))
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
