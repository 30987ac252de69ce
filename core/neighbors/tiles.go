package neighbors

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
)

// depKey says: this tile is contribution number seq to the query block
// block. A tile may be folded into the summaries only when every block it
// touches expects exactly it next, so each query's summaries receive their
// pairs in ascending reference order whatever the tile size or the number
// of workers (the floating-point sums are then bit-for-bit reproducible).
type depKey struct{ block, seq int }

// tile is one rectangle of pairs: rows [rLo, rHi) × cols [cLo, cHi) of
// positions into the scheduler's row and column jet lists.
type tile struct {
	rLo, rHi, cLo, cHi int
	diag               bool // symmetric pass, rows == cols: only pairs a < b are computed
	keys               [2]depKey
	nkeys              int
	pairs              int64
}

// commitFunc folds a computed tile into the summaries. b.d holds d for
// every (row, col) of the tile, row-major (for a diagonal tile both
// triangles are filled and the diagonal is 0); in a pruned pass d is NaN
// where the pair was not computed and b.ps.code holds the radius bin of
// the pairs decided by their bounds.
type commitFunc func(t *tile, b *workBuf)

// scheduler computes tiles on a worker pool and commits them in
// dependency order.
type scheduler struct {
	space      plugin.Space
	rows, cols []int32 // jets; cols == rows for a symmetric pass
	tiles      []tile  // in dispatch order (a linear extension of the dependencies)
	nblocks    int
	workers    int
	maxOut     int
	tileSize   int
	commit     commitFunc
	what       string  // progress message prefix
	prune      *pruner // nil: every pair is computed

	totalPairs int64
	donePairs  atomic.Int64
	tileBytes  int64 // peak bytes held by tile buffers and index arrays
}

// symmetricTiles covers the pairs a < b of positions 0..m-1 with tiles of
// the upper block triangle, dispatched by anti-diagonal so that tiles of one
// anti-diagonal can be committed in parallel.
func symmetricTiles(m, ts int) ([]tile, int) {
	nb := (m + ts - 1) / ts
	var out []tile
	for s := 0; s <= 2*(nb-1); s++ {
		for I := max(0, s-(nb-1)); I <= s/2; I++ {
			J := s - I
			t := tile{rLo: I * ts, rHi: min(m, (I+1)*ts), cLo: J * ts, cHi: min(m, (J+1)*ts), diag: I == J}
			t.keys[0] = depKey{I, J}
			t.nkeys = 1
			if I != J {
				t.keys[1] = depKey{J, I}
				t.nkeys = 2
				t.pairs = int64(t.rHi-t.rLo) * int64(t.cHi-t.cLo)
			} else {
				r := int64(t.rHi - t.rLo)
				t.pairs = r * (r - 1) / 2
			}
			out = append(out, t)
		}
	}
	return out, nb
}

// crossTiles covers queries × references, dispatched column by column
// (reference block outer) so that different query blocks commit in
// parallel.
func crossTiles(mq, mr, ts int) ([]tile, int) {
	nq := (mq + ts - 1) / ts
	nr := (mr + ts - 1) / ts
	out := make([]tile, 0, nq*nr)
	for J := 0; J < nr; J++ {
		for I := 0; I < nq; I++ {
			t := tile{rLo: I * ts, rHi: min(mq, (I+1)*ts), cLo: J * ts, cHi: min(mr, (J+1)*ts)}
			t.keys[0] = depKey{I, J}
			t.nkeys = 1
			t.pairs = int64(t.rHi-t.rLo) * int64(t.cHi-t.cLo)
			out = append(out, t)
		}
	}
	return out, nq
}

type workBuf struct {
	d    []float64
	i, j []int32 // pair index arrays when Pairs is used
	out  []float64
	ps   pruneScratch
}

// bytes returns the memory held by the buffer besides d.
func (b *workBuf) bytes() int64 {
	p := &b.ps
	n := int64(cap(b.i)+cap(b.j))*4 + int64(cap(b.out))*8
	n += int64(cap(p.code))*2 + int64(cap(p.cand)+cap(p.next))*8 + int64(cap(p.s0))*4 + int64(cap(p.hiT)+cap(p.sel)+cap(p.bnd)+cap(p.tailC)+cap(p.resC))*8 + int64(cap(p.colT)+cap(p.srow)+cap(p.cntR)+cap(p.cntC))*4 + int64(cap(p.clsC))
	n += int64(cap(p.uR)+cap(p.uC)+cap(p.ukR)+cap(p.ukC)+cap(p.thrR)+cap(p.thrC)+cap(p.mhR)+cap(p.mhC)) * 8
	return n
}

// run computes and commits every tile. It returns the first error (a
// metric error, an invalid distance or ctx's error).
func (sc *scheduler) run(ctx context.Context) error {
	for _, t := range sc.tiles {
		sc.totalPairs += t.pairs
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	tasks := make(chan int)
	sem := make(chan struct{}, sc.maxOut)
	go func() {
		defer close(tasks)
		for k := range sc.tiles {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case tasks <- k:
			case <-ctx.Done():
				return
			}
		}
	}()

	var (
		mu       sync.Mutex
		next     = make([]int, sc.nblocks)
		waiting  = map[depKey]int{} // computed tiles waiting for their turn
		bufs     = map[int]*workBuf{}
		pool     []*workBuf
		nbuf     int
		lastRep  time.Time
		doneTile int
	)
	ready := func(k int) bool {
		t := &sc.tiles[k]
		for q := 0; q < t.nkeys; q++ {
			if next[t.keys[q].block] != t.keys[q].seq {
				return false
			}
		}
		return true
	}
	getBuf := func() *workBuf {
		mu.Lock()
		defer mu.Unlock()
		if n := len(pool); n > 0 {
			b := pool[n-1]
			pool = pool[:n-1]
			return b
		}
		nbuf++
		return &workBuf{d: make([]float64, sc.tileSize*sc.tileSize)}
	}
	// finish registers a computed tile and commits every tile that has
	// become ready, in a chain.
	finish := func(k int, b *workBuf) {
		mu.Lock()
		if !ready(k) {
			t := &sc.tiles[k]
			for q := 0; q < t.nkeys; q++ {
				waiting[t.keys[q]] = k
			}
			bufs[k] = b
			mu.Unlock()
			return
		}
		queue := []int{k}
		bufs[k] = b
		for len(queue) > 0 {
			k := queue[len(queue)-1]
			queue = queue[:len(queue)-1]
			t := &sc.tiles[k]
			b := bufs[k]
			delete(bufs, k)
			for q := 0; q < t.nkeys; q++ {
				delete(waiting, t.keys[q])
			}
			mu.Unlock()
			if ctx.Err() == nil {
				sc.commit(t, b)
			}
			done := sc.donePairs.Add(t.pairs)
			<-sem
			mu.Lock()
			pool = append(pool, b)
			doneTile++
			for q := 0; q < t.nkeys; q++ {
				blk := t.keys[q].block
				next[blk]++
				if c, ok := waiting[depKey{blk, next[blk]}]; ok && ready(c) {
					for r := 0; r < sc.tiles[c].nkeys; r++ {
						delete(waiting, sc.tiles[c].keys[r])
					}
					queue = append(queue, c)
				}
			}
			if now := time.Now(); now.Sub(lastRep) >= 200*time.Millisecond || doneTile == len(sc.tiles) {
				lastRep = now
				plugin.ReportProgress(ctx, done, sc.totalPairs, fmt.Sprintf("%s: %d of %d tiles", sc.what, doneTile, len(sc.tiles)))
			}
		}
		mu.Unlock()
	}

	var wg sync.WaitGroup
	for w := 0; w < sc.workers; w++ {
		wg.Go(func() {
			for k := range tasks {
				if ctx.Err() != nil {
					continue
				}
				b := getBuf()
				if err := sc.safeFetch(ctx, &sc.tiles[k], b); err != nil {
					cancel(err)
					continue
				}
				finish(k, b)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if doneTile != len(sc.tiles) {
		return fmt.Errorf("neighbors: internal error: %d of %d tiles committed", doneTile, len(sc.tiles))
	}
	var extra int64
	for _, b := range pool {
		extra += b.bytes()
	}
	sc.tileBytes = int64(nbuf)*int64(sc.tileSize*sc.tileSize)*8 + extra
	return nil
}

// contiguous reports whether jets[lo:hi] are consecutive indices.
func contiguous(jets []int32, lo, hi int) bool {
	return int(jets[hi-1]-jets[lo]) == hi-1-lo
}

// safeFetch is fetch with a panic in the metric turned into an error.
func (sc *scheduler) safeFetch(ctx context.Context, t *tile, b *workBuf) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("neighbors: the metric panicked on the tile of jets %d..%d × %d..%d: %v", sc.rows[t.rLo], sc.rows[t.rHi-1], sc.cols[t.cLo], sc.cols[t.cHi-1], r)
		}
	}()
	if sc.prune != nil {
		return sc.prune.fetch(ctx, sc, t, b)
	}
	return sc.fetch(ctx, t, b)
}

// fetch computes the tile's distances into b.d and checks them.
func (sc *scheduler) fetch(ctx context.Context, t *tile, b *workBuf) error {
	nr, nc := t.rHi-t.rLo, t.cHi-t.cLo
	d := b.d[:nr*nc]
	rows, cols := sc.rows, sc.cols
	switch {
	case t.diag:
		// Only the strict upper triangle is computed (each unordered pair
		// once), then mirrored.
		np := nr * (nr - 1) / 2
		if cap(b.i) < np || cap(b.out) < np {
			b.i, b.j, b.out = make([]int32, np), make([]int32, np), make([]float64, np)
		}
		pi, pj, out := b.i[:np], b.j[:np], b.out[:np]
		k := 0
		for a := 0; a < nr; a++ {
			for c := a + 1; c < nr; c++ {
				pi[k], pj[k] = rows[t.rLo+a], rows[t.rLo+c]
				k++
			}
		}
		if np > 0 {
			if err := sc.space.Pairs(ctx, pi, pj, out); err != nil {
				return fmt.Errorf("neighbors: metric failed on the pairs among jets %d..%d: %w", rows[t.rLo], rows[t.rHi-1], err)
			}
		}
		k = 0
		for a := 0; a < nr; a++ {
			d[a*nr+a] = 0
			for c := a + 1; c < nr; c++ {
				d[a*nr+c], d[c*nr+a] = out[k], out[k]
				k++
			}
		}
	case contiguous(rows, t.rLo, t.rHi) && contiguous(cols, t.cLo, t.cHi):
		r := plugin.Range{Lo: int(rows[t.rLo]), Hi: int(rows[t.rHi-1]) + 1}
		c := plugin.Range{Lo: int(cols[t.cLo]), Hi: int(cols[t.cHi-1]) + 1}
		if err := sc.space.Block(ctx, r, c, d); err != nil {
			return fmt.Errorf("neighbors: metric failed on the tile of jets [%d, %d) × [%d, %d): %w", r.Lo, r.Hi, c.Lo, c.Hi, err)
		}
	default:
		np := nr * nc
		if cap(b.i) < np {
			b.i, b.j = make([]int32, np), make([]int32, np)
		}
		pi, pj := b.i[:np], b.j[:np]
		for a := 0; a < nr; a++ {
			for c := 0; c < nc; c++ {
				pi[a*nc+c], pj[a*nc+c] = rows[t.rLo+a], cols[t.cLo+c]
			}
		}
		if err := sc.space.Pairs(ctx, pi, pj, d); err != nil {
			return fmt.Errorf("neighbors: metric failed on %d pairs of jets %d..%d × %d..%d: %w", np, rows[t.rLo], rows[t.rHi-1], cols[t.cLo], cols[t.cHi-1], err)
		}
	}
	for a := 0; a < nr; a++ {
		for c := 0; c < nc; c++ {
			if x := d[a*nc+c]; math.IsNaN(x) || x < 0 {
				return fmt.Errorf("neighbors: the metric returned distance %v between jets %d and %d (want a non-negative number)", x, rows[t.rLo+a], cols[t.cLo+c])
			}
		}
	}
	return ctx.Err()
}
