package neighbors

import (
	"context"
	"fmt"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
)

// Stats describes one pass over pairs.
type Stats struct {
	Jets     int   // jets in the space
	Queries  int   // query jets summarised
	Pairs    int64 // distances computed (each unordered pair once)
	Tiles    int   // tiles computed
	TileSize int   // tile edge used
	Workers  int   // goroutines used
	// SummaryBytes is the memory held by the per-query summaries at the
	// end of the pass (counts, heaps, sums, lists); TileBytes the peak
	// memory of tile buffers. BytesHeld is their sum: the engine's memory
	// is bounded by it (plus one emitted batch).
	SummaryBytes, TileBytes, BytesHeld int64
	Elapsed                            time.Duration

	// Pruned reports that the pruned exact pass was used; PruneNote says
	// why not when it was not (empty when pruning was switched off).
	Pruned    bool
	PruneNote string
	// Candidates is the number of pairs in the pass's reference relation
	// (pruned pass; pairs within one fold are not candidates), of which
	// Pairs were computed exactly. In the brute-force pass Candidates ==
	// Pairs.
	Candidates int64
	// Orthogonal, Monotone: the tighter bounds of such embeddings were
	// used (see EmbeddingForm).
	Orthogonal, Monotone bool
	// Sweep: nearest neighbours only, found by the sorted sweep (no
	// tiles); its pair counts are (query, reference) ordered pairs.
	Sweep bool
	// BoundDims are the checkpoints of the bound (rotated coordinates
	// summed) and BoundPairs how many pairs were bounded at each of them.
	BoundDims  []int
	BoundPairs []int64
	// BoundBytes is the memory of the pruning bounds (float32 rotated
	// embedding and tail norms), included in BytesHeld.
	BoundBytes int64
}

// ExactFraction is the fraction of candidate pairs computed exactly.
func (st *Stats) ExactFraction() float64 {
	if st.Candidates == 0 {
		return 0
	}
	return float64(st.Pairs) / float64(st.Candidates)
}

// setupView is what a pass needs to know about its query slots.
type setupView struct {
	queries      []int32
	normS, normB []float64
	integer      bool
}

// pass is one sweep over pairs: symmetric over rows (each unordered pair of
// rows once, used for both jets when they are in each other's reference
// set: group == nil or group[a] != group[b]) or rows × cols.
type pass struct {
	sym        bool
	rows, cols []int32
	group      []int32
}

func (p pass) slots() int { return len(p.rows) }

// runPass computes every pair of the pass and folds it into s.
func runPass(ctx context.Context, space plugin.Space, p pass, s *summaries, cfg Config, what string) (*Stats, error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	m := len(p.rows)
	if !p.sym {
		m = max(m, len(p.cols))
	}
	ts := max(1, min(cfg.TileSize, m))
	workers := cfg.tileWorkers(space)
	sc := &scheduler{space: space, rows: p.rows, cols: p.cols, workers: workers, maxOut: cfg.MaxOutstanding, tileSize: ts, what: what}
	if p.sym {
		sc.cols = p.rows
		sc.tiles, sc.nblocks = symmetricTiles(len(p.rows), ts)
	} else {
		sc.tiles, sc.nblocks = crossTiles(len(p.rows), len(p.cols), ts)
	}
	rows, cols, group, sym := sc.rows, sc.cols, p.group, p.sym
	note := ""
	if cfg.Prune != PruneOff {
		note = s.prunable()
		var b *bounds
		if note == "" {
			var err error
			if b, note, err = lowerBounds(ctx, space); err != nil {
				return nil, err
			}
		}
		if b != nil {
			sc.prune = newPruner(b, s, p, sc.cols, p.slots())
		} else if cfg.Prune == PruneOn {
			return nil, fmt.Errorf("neighbors: pruning required (prune: on) but impossible for %s: %s", what, note)
		}
	}
	if sc.prune != nil && (s.nn || s.k > 0) && s.radii == nil && s.widths == nil && s.listR == 0 {
		st := &Stats{Jets: space.Len(), Queries: p.slots(), TileSize: ts, Workers: workers, PruneNote: note}
		if err := sweepNearest(ctx, space, sc.prune.b, p, sc.cols, s, workers, st); err != nil {
			return nil, err
		}
		st.SummaryBytes = s.bytes()
		st.BytesHeld = st.SummaryBytes + st.BoundBytes
		st.Elapsed = time.Since(start)
		return st, nil
	}
	if sc.prune != nil {
		counted := sc.prune.intCount
		sc.commit = func(t *tile, b *workBuf) { s.commitPruned(t, b, rows, cols, group, sym, counted) }
	} else {
		sc.commit = func(t *tile, b *workBuf) {
			s.commit(t, b.d[:(t.rHi-t.rLo)*(t.cHi-t.cLo)], rows, cols, group, sym)
		}
	}
	if err := sc.run(ctx); err != nil {
		return nil, err
	}
	st := &Stats{Jets: space.Len(), Queries: p.slots(), Pairs: sc.totalPairs, Candidates: sc.totalPairs, Tiles: len(sc.tiles), TileSize: ts,
		Workers: workers, SummaryBytes: s.bytes(), TileBytes: sc.tileBytes, PruneNote: note}
	if sc.prune != nil {
		sc.prune.stats(st)
	}
	st.BytesHeld = st.SummaryBytes + st.TileBytes + st.BoundBytes
	st.Elapsed = time.Since(start)
	return st, nil
}

// passFor returns the pass of a setup's reference sets.
func passFor(s *Setup) pass {
	switch s.Mode {
	case Reference:
		return pass{rows: s.Queries, cols: s.Reference}
	case KFold:
		return pass{sym: true, rows: s.Queries, group: s.Fold}
	}
	return pass{sym: true, rows: s.Queries}
}

func (s *Setup) view() *setupView {
	return &setupView{queries: s.Queries, normS: s.NormS, normB: s.NormB, integer: s.Integer}
}

// Run fulfils req for every query of setup (from Prepare) over space, in
// one pass over pairs computed by tiles on cfg.Workers goroutines, and
// passes the summaries to emit as NeighborBatches of cfg.BatchSize
// queries, in query order. A non-nil error from emit stops Run and is
// returned.
//
// Every summary is exact: counts within each radius are inclusive
// (d <= r) per class; the k nearest come with every further jet tied at
// the k-th distance; Gaussian sums run over the whole reference set; lists
// hold every reference jet with d <= ListRadius. Lists are sorted by
// (distance, index). Each query receives its pairs in ascending order of
// the reference jet's position, and Gaussian sums are compensated
// (Neumaier), so results are bit-for-bit identical for every tile size and
// worker count.
func Run(ctx context.Context, space plugin.Space, setup *Setup, cfg Config, req plugin.NeighborRequest, emit func(*plugin.NeighborBatch) error) (*Stats, error) {
	if err := checkSetup(space, setup); err != nil {
		return nil, err
	}
	s, err := newSummaries(len(setup.Queries), setup.labels, setup.weights, req, false)
	if err != nil {
		return nil, err
	}
	st, err := runPass(ctx, space, passFor(setup), s, cfg, "neighbours")
	if err != nil {
		return nil, err
	}
	bs := cfg.withDefaults().BatchSize
	v := setup.view()
	for lo := 0; lo < s.nq; lo += bs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := emit(s.batch(v, lo, min(s.nq, lo+bs))); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func checkSetup(space plugin.Space, setup *Setup) error {
	if setup == nil {
		return fmt.Errorf("neighbors: nil setup (call Prepare)")
	}
	if n := space.Len(); n != len(setup.labels) {
		return fmt.Errorf("neighbors: the setup was prepared for %d jets but the space holds %d", len(setup.labels), n)
	}
	return nil
}

// NN holds nearest-neighbour distances: for every query (aligned with
// Queries), the nearest jet of its reference set overall, among signal
// jets (S) and among background jets (B). Ties go to the lower index; a
// missing class gives distance +Inf and index -1.
type NN struct {
	Queries               []int32
	Dist, DistS, DistB    []float64
	Index, IndexS, IndexB []int32
}

// Nearest returns every query's nearest neighbour within its reference set
// (the setup's mode: leave-one-out, other folds, or the reference set).
func Nearest(ctx context.Context, space plugin.Space, setup *Setup, cfg Config) (*NN, *Stats, error) {
	if err := checkSetup(space, setup); err != nil {
		return nil, nil, err
	}
	s, err := newSummaries(len(setup.Queries), setup.labels, setup.weights, plugin.NeighborRequest{}, true)
	if err != nil {
		return nil, nil, err
	}
	st, err := runPass(ctx, space, passFor(setup), s, cfg, "nearest neighbours")
	if err != nil {
		return nil, nil, err
	}
	return &NN{Queries: setup.Queries,
		Dist: s.nnD[0], DistS: s.nnD[1], DistB: s.nnD[2],
		Index: s.nnJ[0], IndexS: s.nnJ[1], IndexB: s.nnJ[2]}, st, nil
}

// SubsetNearest returns, for every subset (a list of distinct jet
// indices), the leave-one-out nearest-neighbour distance of each member
// within the subset and the index of that neighbour (aligned with the
// subset; ties go to the lower index). This is the extreme-value ladder:
// D_N for subsets of size N, with N - 1 references each. Each subset is
// one symmetric pass.
func SubsetNearest(ctx context.Context, space plugin.Space, subsets [][]int, cfg Config) ([][]float64, [][]int32, error) {
	n := space.Len()
	labels := make([]int8, n)
	weights := make([]float64, n)
	for i := range weights {
		weights[i] = 1
	}
	dist := make([][]float64, len(subsets))
	idx := make([][]int32, len(subsets))
	for k, sub := range subsets {
		if len(sub) < 2 {
			return nil, nil, fmt.Errorf("neighbors: subset %d has %d jets; a nearest neighbour needs at least 2", k, len(sub))
		}
		members, err := indexList(fmt.Sprintf("subset %d", k), sub, n)
		if err != nil {
			return nil, nil, err
		}
		s, _ := newSummaries(len(members), labels, weights, plugin.NeighborRequest{}, true)
		if _, err := runPass(ctx, space, pass{sym: true, rows: members}, s, cfg, fmt.Sprintf("nearest neighbours in subset %d", k)); err != nil {
			return nil, nil, err
		}
		dist[k], idx[k] = s.nnD[0], s.nnJ[0]
	}
	return dist, idx, nil
}

// FullMatrix computes the whole n×n distance matrix (row-major, zero
// diagonal, each unordered pair computed once) by tiles on cfg.Workers
// goroutines. It refuses, with an error naming the sizes, when the matrix
// would exceed cfg.MatrixMaxBytes.
func FullMatrix(ctx context.Context, space plugin.Space, cfg Config) ([]float64, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := space.Len()
	if n <= 0 {
		return nil, fmt.Errorf("neighbors: the space holds no jets")
	}
	need := int64(n) * int64(n) * 8
	if need > cfg.MatrixMaxBytes {
		return nil, fmt.Errorf("neighbors: the full distance matrix of %d jets needs %d MiB, above the limit of %d MiB (raise matrix_max_mb / Config.MatrixMaxBytes, or work by tiles)", n, (need+1<<20-1)>>20, cfg.MatrixMaxBytes>>20)
	}
	out := make([]float64, n*n)
	rows := iota32(n)
	ts := max(1, min(cfg.TileSize, n))
	sc := &scheduler{space: space, rows: rows, cols: rows, workers: cfg.tileWorkers(space), maxOut: cfg.MaxOutstanding, tileSize: ts, what: "distance matrix"}
	sc.tiles, sc.nblocks = symmetricTiles(n, ts)
	for k := range sc.tiles {
		sc.tiles[k].nkeys = 0 // no ordering needed: tiles write disjoint entries
	}
	sc.commit = func(t *tile, b *workBuf) {
		buf := b.d
		nc := t.cHi - t.cLo
		for a := t.rLo; a < t.rHi; a++ {
			for c := t.cLo; c < t.cHi; c++ {
				d := buf[(a-t.rLo)*nc+c-t.cLo]
				out[a*n+c], out[c*n+a] = d, d
			}
		}
	}
	if err := sc.run(ctx); err != nil {
		return nil, err
	}
	return out, nil
}
