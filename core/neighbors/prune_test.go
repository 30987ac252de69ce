package neighbors_test

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
)

// l2Space is a Euclidean point set with an exact orthogonal lower-bound
// embedding: v_i = the first k coordinates, r_i = the norm of the others,
// so |v_i - v_j|² + (r_i - r_j)² <= d² <= |v_i - v_j|² + (r_i + r_j)².
type l2Space struct {
	x    [][]float64
	k    int
	form neighbors.EmbeddingForm // declared form of the embedding
	// contract: declare Orthogonal through plugin.Embedding.Orthogonal
	// instead of the EmbeddingForm wrapper.
	contract bool
	calls    atomic.Int64
	emb      *plugin.Embedding
	// bad: this pair's distance is NaN (bad[0] != bad[1]); panic: every
	// exact evaluation panics.
	bad   [2]int
	panic bool
}

func (s *l2Space) Len() int { return len(s.x) }

func (s *l2Space) d(i, j int) float64 {
	if i > j {
		i, j = j, i // bit-symmetric
	}
	if s.panic {
		panic("index out of range")
	}
	if s.bad[0] != s.bad[1] && i == min(s.bad[0], s.bad[1]) && j == max(s.bad[0], s.bad[1]) {
		return math.NaN()
	}
	acc := 0.0
	for q, a := range s.x[i] {
		e := a - s.x[j][q]
		acc += e * e
	}
	return math.Sqrt(acc)
}

func (s *l2Space) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	w := cols.Len()
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			out[(i-rows.Lo)*w+j-cols.Lo] = s.d(i, j)
		}
	}
	s.calls.Add(int64(rows.Len() * w))
	return nil
}

func (s *l2Space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	for k := range i {
		out[k] = s.d(int(i[k]), int(j[k]))
	}
	s.calls.Add(int64(len(i)))
	return nil
}

func (s *l2Space) Close() error { return nil }

func (s *l2Space) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	if s.emb != nil {
		return s.emb, nil
	}
	n := len(s.x)
	e := &plugin.Embedding{Dim: s.k, Vectors: make([]float64, n*s.k), Residuals: make([]float64, n), Orthogonal: s.contract}
	for i, p := range s.x {
		copy(e.Vectors[i*s.k:], p[:s.k])
		r := 0.0
		for _, y := range p[s.k:] {
			r += y * y
		}
		e.Residuals[i] = math.Sqrt(r)
	}
	s.emb = e
	return e, nil
}

func (s *l2Space) space() plugin.Space {
	if s.form.Orthogonal && !s.contract {
		return neighbors.WithEmbeddingForm(s, s.form)
	}
	return s
}

// monotone makes every residual coordinate non-negative, so that the
// residuals are non-negatively correlated (the Monotone form holds).
func (s *l2Space) monotone() *l2Space {
	for _, p := range s.x {
		for q := s.k; q < len(p); q++ {
			p[q] = math.Abs(p[q])
		}
	}
	s.form.Monotone = true
	return s
}

// randomL2 draws n points in dim dimensions whose coordinates decay like a
// spectrum (coordinate q has scale 1/(1+q)), in clusters, so that the
// first k coordinates carry most of the distance.
func randomL2(n, dim, k int, seed uint64) *l2Space {
	rng := rand.New(rand.NewPCG(seed, 7))
	centres := make([][]float64, 8)
	for c := range centres {
		centres[c] = make([]float64, dim)
		for q := range centres[c] {
			centres[c][q] = rng.NormFloat64() / math.Pow(float64(1+q), 1.5)
		}
	}
	s := &l2Space{k: k, form: neighbors.EmbeddingForm{Orthogonal: true}}
	for i := 0; i < n; i++ {
		c := centres[rng.IntN(len(centres))]
		p := make([]float64, dim)
		for q := range p {
			p[q] = c[q] + 0.3*rng.NormFloat64()/math.Pow(float64(1+q), 1.5)
		}
		s.x = append(s.x, p)
	}
	return s
}

// integerL2 draws n points with small integer coordinates: many exactly
// tied distances, many exactly equal to integer radii (3-4-5 triangles),
// and duplicates (distance 0).
func integerL2(n, dim, k int, seed uint64) *l2Space {
	rng := rand.New(rand.NewPCG(seed, 9))
	s := &l2Space{k: k, form: neighbors.EmbeddingForm{Orthogonal: true}}
	for i := 0; i < n; i++ {
		p := make([]float64, dim)
		for q := range p {
			p[q] = float64(rng.IntN(5))
		}
		s.x = append(s.x, p)
	}
	return s
}

// simplexL2 is the regular simplex: every pair at distance sqrt(2).
func simplexL2(n, k int) *l2Space {
	s := &l2Space{k: k, form: neighbors.EmbeddingForm{Orthogonal: true}}
	for i := 0; i < n; i++ {
		p := make([]float64, n)
		p[i] = 1
		s.x = append(s.x, p)
	}
	return s
}

func labelsAndWeights(n int, seed uint64, integer bool) ([]int8, []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	labels := make([]int8, n)
	var w []float64
	if !integer {
		w = make([]float64, n)
	}
	for i := range labels {
		labels[i] = int8(rng.IntN(2))
		if w != nil {
			w[i] = 0.25 + rng.Float64()
		}
	}
	return labels, w
}

// runBoth runs req with pruning off and on and requires bit-identical
// batches; it returns the pruned pass's stats.
func runBoth(t *testing.T, space plugin.Space, labels []int8, weights []float64, cfg neighbors.Config, req plugin.NeighborRequest) *neighbors.Stats {
	t.Helper()
	setup, err := neighbors.Prepare(space.Len(), labels, weights, cfg)
	if err != nil {
		t.Fatal(err)
	}
	run := func(p neighbors.Prune) ([]*plugin.NeighborBatch, *neighbors.Stats) {
		c := cfg
		c.Prune = p
		var out []*plugin.NeighborBatch
		st, err := neighbors.Run(context.Background(), space, setup, c, req, func(b *plugin.NeighborBatch) error {
			out = append(out, b)
			return nil
		})
		if err != nil {
			t.Fatalf("prune %s: %v", p, err)
		}
		return out, st
	}
	want, stOff := run(neighbors.PruneOff)
	got, st := run(neighbors.PruneOn)
	if stOff.Pruned || !st.Pruned {
		t.Fatalf("pruned flags: off %v, on %v", stOff.Pruned, st.Pruned)
	}
	if len(got) != len(want) {
		t.Fatalf("%d batches, want %d", len(got), len(want))
	}
	for k := range want {
		if !sameBatch(got[k], want[k]) {
			t.Fatalf("batch %d differs from brute force:\n got  %+v\n want %+v", k, *got[k], *want[k])
		}
	}
	if st.Pairs > st.Candidates {
		t.Fatalf("%d exact pairs of %d candidates", st.Pairs, st.Candidates)
	}
	return st
}

// sameBatch compares two batches bit for bit (NaN-free).
func sameBatch(a, b *plugin.NeighborBatch) bool {
	return reflect.DeepEqual(a, b)
}

func nearestBoth(t *testing.T, space plugin.Space, labels []int8, cfg neighbors.Config) *neighbors.Stats {
	t.Helper()
	setup, err := neighbors.Prepare(space.Len(), labels, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := cfg
	c.Prune = neighbors.PruneOff
	want, _, err := neighbors.Nearest(context.Background(), space, setup, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Prune = neighbors.PruneOn
	got, st, err := neighbors.Nearest(context.Background(), space, setup, c)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		for k := range want.Dist {
			if got.Dist[k] != want.Dist[k] || got.Index[k] != want.Index[k] || got.DistS[k] != want.DistS[k] ||
				got.IndexS[k] != want.IndexS[k] || got.DistB[k] != want.DistB[k] || got.IndexB[k] != want.IndexB[k] {
				t.Fatalf("query %d: pruned (%v %d, S %v %d, B %v %d), brute (%v %d, S %v %d, B %v %d)", k,
					got.Dist[k], got.Index[k], got.DistS[k], got.IndexS[k], got.DistB[k], got.IndexB[k],
					want.Dist[k], want.Index[k], want.DistS[k], want.IndexS[k], want.DistB[k], want.IndexB[k])
			}
		}
		t.Fatal("nearest neighbours differ")
	}
	return st
}

func TestPrunedMatchesBruteForce(t *testing.T) {
	half := []int{1, 2, 3, 4, 5}
	sqrt2 := math.Sqrt(2)
	cases := []struct {
		name    string
		space   *l2Space
		integer bool
		radii   []float64
	}{
		{"clusters K=16 of 40", randomL2(700, 40, 16, 1), false, plugin.Geomspace(0.05, 3, 30)},
		{"clusters K=5 of 12 (padded)", randomL2(500, 12, 5, 2), true, plugin.Geomspace(0.05, 3, 12)},
		{"integer ties on radii", integerL2(400, 6, 3, 3), true, []float64{0, 1, 2, 3, 4, 5}},
		{"integer ties fractional weights", integerL2(300, 5, 2, 4), false, []float64{0, 1, sqrt2, 2, 3}},
		{"all tied (simplex)", simplexL2(150, 8), true, []float64{1, sqrt2, 2}},
		{"K = 1", randomL2(400, 6, 1, 5), false, plugin.Geomspace(0.1, 2, 10)},
		{"zero residuals", randomL2(400, 8, 8, 6), true, plugin.Geomspace(0.05, 3, 20)},
		{"zero residuals, integer", integerL2(300, 3, 3, 7), true, []float64{0, 1, 2, 3, 4, 5, 6}},
		{"generic bound (not orthogonal)", func() *l2Space { s := randomL2(400, 20, 8, 8); s.form.Orthogonal = false; return s }(), false, plugin.Geomspace(0.05, 3, 15)},
		{"monotone residuals", randomL2(500, 40, 12, 9).monotone(), false, plugin.Geomspace(0.05, 3, 30)},
		{"monotone integer ties", integerL2(300, 6, 2, 10).monotone(), true, []float64{0, 1, 2, 3, 4, 5}},
		{"PCA truncated (K > 160), monotone", randomL2(300, 220, 200, 11).monotone(), false, plugin.Geomspace(0.05, 3, 20)},
	}
	_ = half
	modes := []neighbors.Config{
		{Mode: neighbors.LOO},
		{Mode: neighbors.KFold, Folds: 4, TileSize: 64},
		{Mode: neighbors.LOOKeepSelf, TileSize: 100, Workers: 3},
	}
	for _, tc := range cases {
		n := tc.space.Len()
		labels, weights := labelsAndWeights(n, 11, tc.integer)
		reqs := []struct {
			name string
			req  plugin.NeighborRequest
		}{
			{"radii", plugin.NeighborRequest{Radii: tc.radii}},
			{"knn1", plugin.NeighborRequest{KNearest: 1}},
			{"knn7", plugin.NeighborRequest{KNearest: 7}},
			{"knn60", plugin.NeighborRequest{KNearest: 60}},
			{"knn7+radii", plugin.NeighborRequest{KNearest: 7, Radii: tc.radii}},
			{"list", plugin.NeighborRequest{ListRadius: tc.radii[len(tc.radii)/2]}},
		}
		for _, m := range modes {
			for _, r := range reqs {
				t.Run(tc.name+"/"+string(m.Mode)+"/"+r.name, func(t *testing.T) {
					runBoth(t, tc.space.space(), labels, weights, m, r.req)
				})
			}
			t.Run(tc.name+"/"+string(m.Mode)+"/nearest", func(t *testing.T) {
				nearestBoth(t, tc.space.space(), labels, m)
			})
		}
		t.Run(tc.name+"/reference", func(t *testing.T) {
			var q, ref []int
			for i := 0; i < n; i++ {
				if i%3 == 0 {
					q = append(q, i)
				} else {
					ref = append(ref, i)
				}
			}
			cfg := neighbors.Config{Mode: neighbors.Reference, Queries: q, Reference: ref, TileSize: 50}
			runBoth(t, tc.space.space(), labels, weights, cfg, plugin.NeighborRequest{Radii: tc.radii, KNearest: 3})
			nearestBoth(t, tc.space.space(), labels, cfg)
		})
	}
}

// TestPruningPrunes checks that the bounds do their job on a space where
// they are informative, and that the orthogonal form beats the generic
// one.
func TestPruningPrunes(t *testing.T) {
	s := randomL2(1500, 64, 32, 21)
	labels, _ := labelsAndWeights(s.Len(), 5, true)
	radii := plugin.Geomspace(0.05, 3, 30)
	st := runBoth(t, s.space(), labels, nil, neighbors.Config{Mode: neighbors.LOO}, plugin.NeighborRequest{Radii: radii})
	if !st.Orthogonal || st.ExactFraction() > 0.2 {
		t.Fatalf("orthogonal bound: %d of %d pairs exact (%.3f), orthogonal %v", st.Pairs, st.Candidates, st.ExactFraction(), st.Orthogonal)
	}
	if want := int64(s.Len()) * int64(s.Len()-1) / 2; st.Candidates != want || st.BoundPairs[0] != want {
		t.Fatalf("candidates %d, bounded at the first checkpoint %d, want %d", st.Candidates, st.BoundPairs[0], want)
	}
	s.form.Orthogonal = false
	gen := runBoth(t, s.space(), labels, nil, neighbors.Config{Mode: neighbors.LOO}, plugin.NeighborRequest{Radii: radii})
	if gen.Orthogonal || gen.Pairs <= st.Pairs {
		t.Fatalf("generic bound computed %d pairs, orthogonal %d", gen.Pairs, st.Pairs)
	}
	s.form.Orthogonal = true
	// The same promise made through plugin.Embedding.Orthogonal.
	viaContract := &l2Space{x: s.x, k: s.k, contract: true, form: neighbors.EmbeddingForm{Orthogonal: true}}
	ct := runBoth(t, viaContract.space(), labels, nil, neighbors.Config{Mode: neighbors.LOO}, plugin.NeighborRequest{Radii: radii})
	if !ct.Orthogonal || ct.Pairs != st.Pairs {
		t.Fatalf("Embedding.Orthogonal: orthogonal %v, %d exact pairs, want %d", ct.Orthogonal, ct.Pairs, st.Pairs)
	}
	nn := nearestBoth(t, s.space(), labels, neighbors.Config{Mode: neighbors.LOO})
	if nn.ExactFraction() > 0.05 {
		t.Fatalf("nearest neighbours: %d of %d pairs exact", nn.Pairs, nn.Candidates)
	}
	t.Logf("radii: %.4f exact (generic bound %.4f); nearest: %.5f", st.ExactFraction(), gen.ExactFraction(), nn.ExactFraction())
}

func TestPruneModes(t *testing.T) {
	s := randomL2(120, 10, 4, 3)
	labels, _ := labelsAndWeights(s.Len(), 1, true)
	setup, err := neighbors.Prepare(s.Len(), labels, nil, neighbors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	emit := func(*plugin.NeighborBatch) error { return nil }
	ctx := context.Background()
	// Gaussian sums fall back to the brute-force pass with a note, or fail with prune: on.
	g := plugin.NeighborRequest{GaussianWidths: []float64{0.1}}
	st, err := neighbors.Run(ctx, s.space(), setup, neighbors.Config{}, g, emit)
	if err != nil || st.Pruned || !strings.Contains(st.PruneNote, "Gaussian") {
		t.Fatalf("gaussian: %v, %+v", err, st)
	}
	if _, err := neighbors.Run(ctx, s.space(), setup, neighbors.Config{Prune: neighbors.PruneOn}, g, emit); err == nil || !strings.Contains(err.Error(), "Gaussian") {
		t.Fatalf("prune on with Gaussian sums: %v", err)
	}
	// A space without a lower bound.
	line := &lineSpace{x: make([]float64, s.Len())}
	st, err = neighbors.Run(ctx, line, setup, neighbors.Config{}, plugin.NeighborRequest{KNearest: 2}, emit)
	if err != nil || st.Pruned || !strings.Contains(st.PruneNote, "lower-bound") {
		t.Fatalf("no lower bound: %v %+v", err, st)
	}
	if _, err := neighbors.Run(ctx, s.space(), setup, neighbors.Config{Prune: "sometimes"}, g, emit); err == nil || !strings.Contains(err.Error(), "prune mode") {
		t.Fatalf("bad prune mode: %v", err)
	}
}

// badEmbedding returns a broken embedding.
type badEmbedding struct {
	*l2Space
	emb *plugin.Embedding
}

func (b badEmbedding) LowerBound(context.Context) (*plugin.Embedding, error) { return b.emb, nil }

func TestPruneBadEmbedding(t *testing.T) {
	s := randomL2(50, 6, 3, 1)
	good, _ := s.LowerBound(context.Background())
	labels, _ := labelsAndWeights(50, 1, true)
	setup, _ := neighbors.Prepare(50, labels, nil, neighbors.Config{})
	nanV := slices.Clone(good.Vectors)
	nanV[7] = math.NaN()
	negR := slices.Clone(good.Residuals)
	negR[4] = -1
	cases := []struct {
		emb  *plugin.Embedding
		want string
	}{
		{&plugin.Embedding{Dim: 3, Vectors: good.Vectors[:10], Residuals: good.Residuals}, "vector entries"},
		{&plugin.Embedding{Dim: 3, Vectors: good.Vectors, Residuals: good.Residuals[:3]}, "residuals for 50 jets"},
		{&plugin.Embedding{Dim: 0}, "dimension 0"},
		{&plugin.Embedding{Dim: 3, Vectors: nanV, Residuals: good.Residuals}, "coordinate 1 of jet 2 is NaN"},
		{&plugin.Embedding{Dim: 3, Vectors: good.Vectors, Residuals: negR}, "residual of jet 4 is -1"},
	}
	for _, tc := range cases {
		_, err := neighbors.Run(context.Background(), badEmbedding{s, tc.emb}, setup, neighbors.Config{}, plugin.NeighborRequest{KNearest: 1}, func(*plugin.NeighborBatch) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want error with %q, got %v", tc.want, err)
		}
	}
}

func TestSubsetNearestPruned(t *testing.T) {
	s := randomL2(600, 24, 8, 13)
	subsets := [][]int{{0, 1}, {5, 9, 2, 400, 7}}
	rng := rand.New(rand.NewPCG(4, 4))
	subsets = append(subsets, rng.Perm(600)[:300], rng.Perm(600))
	wd, wi, err := neighbors.SubsetNearest(context.Background(), s.space(), subsets, neighbors.Config{Prune: neighbors.PruneOff})
	if err != nil {
		t.Fatal(err)
	}
	gd, gi, err := neighbors.SubsetNearest(context.Background(), s.space(), subsets, neighbors.Config{Prune: neighbors.PruneOn, TileSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gd, wd) || !reflect.DeepEqual(gi, wi) {
		t.Fatal("pruned subset nearest neighbours differ from brute force")
	}
}

// TestPrunedErrors: cancellation, NaN distances and metric panics in the
// tile pass and in the nearest-neighbour sweep.
func TestPrunedErrors(t *testing.T) {
	mk := func() *l2Space {
		s := integerL2(120, 4, 2, 5) // many pairs on the radii: computed exactly
		return s
	}
	labels, _ := labelsAndWeights(120, 2, true)
	setup, _ := neighbors.Prepare(120, labels, nil, neighbors.Config{Mode: neighbors.LOO})
	cfg := neighbors.Config{Prune: neighbors.PruneOn}
	req := plugin.NeighborRequest{Radii: []float64{1, 2, 3}}
	emit := func(*plugin.NeighborBatch) error { return nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := neighbors.Run(ctx, mk().space(), setup, cfg, req, emit); err == nil {
		t.Error("cancelled run: no error")
	}
	if _, _, err := neighbors.Nearest(ctx, mk().space(), setup, cfg); err == nil {
		t.Error("cancelled nearest: no error")
	}
	// A NaN distance for a pair the bounds cannot decide: one exactly on a
	// radius.
	s := mk()
	for i := 1; i < 120 && s.bad[1] == 0; i++ {
		if d := s.d(0, i); d == 1 || d == 2 || d == 3 {
			s.bad = [2]int{0, i}
		}
	}
	if s.bad[1] == 0 {
		t.Fatal("no pair on a radius")
	}
	if _, err := neighbors.Run(context.Background(), s.space(), setup, cfg, req, emit); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN distance: %v", err)
	}
	s = mk()
	s.bad = [2]int{0, 0}
	s.panic = true
	if _, err := neighbors.Run(context.Background(), s.space(), setup, cfg, req, emit); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("panic in tiles: %v", err)
	}
	if _, _, err := neighbors.Nearest(context.Background(), s.space(), setup, cfg); err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("panic in the sweep: %v", err)
	}
}

// remoteL2 is an l2Space that says it is served by another process, so
// the sorted sweep batches the exact pairs of each block.
type remoteL2 struct{ *l2Space }

func (remoteL2) OutOfProcess() bool { return true }

func (r remoteL2) space() plugin.Space {
	if r.form.Orthogonal && !r.contract {
		return neighbors.WithEmbeddingForm(r, r.form)
	}
	return r
}

// TestSweepBatchedForRemoteSpaces: with the exact pairs of a block sent in
// one call (out-of-process spaces), the sweep's nearest neighbours and k
// nearest still equal brute force, ties included.
func TestSweepBatchedForRemoteSpaces(t *testing.T) {
	cases := []struct {
		name    string
		space   *l2Space
		integer bool
	}{
		{"monotone integer ties", integerL2(300, 6, 2, 10).monotone(), true},
		{"generic bound", func() *l2Space { s := randomL2(300, 20, 8, 8); s.form.Orthogonal = false; return s }(), false},
		{"zero residuals, integer", integerL2(300, 3, 3, 7), true},
	}
	for _, tc := range cases {
		labels, weights := labelsAndWeights(tc.space.Len(), 11, tc.integer)
		sp := remoteL2{tc.space}.space()
		if r, ok := sp.(plugin.OutOfProcess); !ok || !r.OutOfProcess() {
			t.Fatal("the wrapped space lost OutOfProcess")
		}
		for _, m := range []neighbors.Config{{Mode: neighbors.LOO}, {Mode: neighbors.KFold, Folds: 4}} {
			t.Run(tc.name+"/"+string(m.Mode), func(t *testing.T) {
				runBoth(t, sp, labels, weights, m, plugin.NeighborRequest{KNearest: 9})
				nearestBoth(t, sp, labels, m)
			})
		}
	}
}
