package neighbors_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
)

// lineSpace is a trivial metric: jets are points on a line, d = |x_i - x_j|.
// With integer positions it produces many exactly tied distances.
type lineSpace struct {
	x     []float64
	calls atomic.Int64 // distances computed
	bad   [2]int       // a pair whose distance is reported as NaN (bad[0] != bad[1])
	fail  error        // returned by every call when set
	panic bool         // panic in every call
}

func (s *lineSpace) Len() int { return len(s.x) }

func (s *lineSpace) d(i, j int) float64 {
	if s.bad[0] != s.bad[1] && ((i == s.bad[0] && j == s.bad[1]) || (i == s.bad[1] && j == s.bad[0])) {
		return math.NaN()
	}
	return math.Abs(s.x[i] - s.x[j])
}

func (s *lineSpace) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if s.panic {
		panic("index out of range")
	}
	if s.fail != nil {
		return s.fail
	}
	w := cols.Len()
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			out[(i-rows.Lo)*w+j-cols.Lo] = s.d(i, j)
		}
	}
	s.calls.Add(int64(rows.Len() * w))
	return nil
}

func (s *lineSpace) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if s.panic {
		panic("index out of range")
	}
	if s.fail != nil {
		return s.fail
	}
	for k := range i {
		out[k] = s.d(int(i[k]), int(j[k]))
	}
	s.calls.Add(int64(len(i)))
	return nil
}

func (s *lineSpace) Close() error { return nil }

func randomLine(n int, seed uint64, integer bool) (*lineSpace, []int8, []float64) {
	rng := rand.New(rand.NewPCG(seed, 11))
	s := &lineSpace{x: make([]float64, n)}
	labels := make([]int8, n)
	weights := make([]float64, n)
	for i := range s.x {
		if integer {
			s.x[i] = float64(rng.IntN(40))
		} else {
			s.x[i] = rng.Float64()
		}
		labels[i] = int8(rng.IntN(2))
		weights[i] = 0.25 + rng.Float64()
	}
	return s, labels, weights
}

// refSet returns the reference jets of query k, by brute force.
func refSet(setup *neighbors.Setup, k int) []int {
	q := int(setup.Queries[k])
	var out []int
	if setup.Mode == neighbors.Reference {
		for _, j := range setup.Reference {
			out = append(out, int(j))
		}
		return out
	}
	for j := range setup.Labels() {
		if j == q || (setup.Fold != nil && setup.Fold[j] == setup.Fold[q]) {
			continue
		}
		out = append(out, j)
	}
	return out
}

// TestAgainstBruteForce compares every summary with a direct computation
// on random line spaces (with heavily tied integer distances, and with
// non-integer weights), in every mode.
func TestAgainstBruteForce(t *testing.T) {
	for _, integer := range []bool{true, false} {
		space, labels, weights := randomLine(150, 5, integer)
		var qs, rs []int
		for i := 0; i < 150; i++ {
			if i%4 == 1 {
				qs = append(qs, i)
			}
			if j := 149 - i; j%2 == 0 {
				rs = append(rs, j) // descending, every other jet
			}
		}
		for _, cfg := range []neighbors.Config{
			{Mode: neighbors.KFold, Folds: 3},
			{Mode: neighbors.KFold, ShuffleFolds: true, Seed: 9},
			{Mode: neighbors.LOO},
			{Mode: neighbors.LOOKeepSelf},
			{Mode: neighbors.Reference, Queries: qs, Reference: rs},
		} {
			cfg.TileSize = 16
			name := string(cfg.Mode)
			if integer {
				name += "/ties"
			}
			t.Run(name, func(t *testing.T) {
				setup, err := neighbors.Prepare(space.Len(), labels, weights, cfg)
				if err != nil {
					t.Fatal(err)
				}
				radii := []float64{0, 1, 2.5, 7}
				widths := []float64{0.5, 3}
				if !integer {
					radii = []float64{0.001, 0.01, 0.1}
					widths = []float64{0.01, 0.2}
				}
				req := plugin.NeighborRequest{Radii: radii, KNearest: 4, GaussianWidths: widths, ListRadius: radii[1]}
				bs := collect(t, space, setup, cfg, req)
				nn, _, err := neighbors.Nearest(context.Background(), space, setup, cfg)
				if err != nil {
					t.Fatal(err)
				}
				k := 0
				for _, b := range bs {
					for bq := range b.Queries {
						q := int(setup.Queries[k])
						if int(b.Queries[bq]) != q || b.Label[bq] != labels[q] || b.Weight[bq] != weights[q] {
							t.Fatalf("query %d: batch says jet %d", k, b.Queries[bq])
						}
						refs := refSet(setup, k)
						var ns, nb float64
						for _, j := range refs {
							if labels[j] == 1 {
								ns += weights[j]
							} else {
								nb += weights[j]
							}
						}
						if cfg.Mode == neighbors.LOOKeepSelf {
							if labels[q] == 1 {
								ns += weights[q]
							} else {
								nb += weights[q]
							}
						}
						if math.Abs(b.NormS[bq]-ns) > 1e-12 || math.Abs(b.NormB[bq]-nb) > 1e-12 {
							t.Fatalf("query %d: normalisers %v %v, want %v %v", k, b.NormS[bq], b.NormB[bq], ns, nb)
						}
						// Counts within radii.
						for r, rad := range radii {
							var cs, cb float64
							for _, j := range refs {
								if space.d(q, j) <= rad {
									if labels[j] == 1 {
										cs += weights[j]
									} else {
										cb += weights[j]
									}
								}
							}
							gs, gb := b.CountS[bq*len(radii)+r], b.CountB[bq*len(radii)+r]
							if math.Abs(gs-cs) > 1e-12 || math.Abs(gb-cb) > 1e-12 {
								t.Fatalf("query %d radius %v: counts %v %v, want %v %v", k, rad, gs, gb, cs, cb)
							}
						}
						// Gaussian sums.
						for w, sg := range widths {
							var cs, cb float64
							for _, j := range refs {
								d := space.d(q, j)
								x := weights[j] * math.Exp(-d*d/(2*sg*sg))
								if labels[j] == 1 {
									cs += x
								} else {
									cb += x
								}
							}
							gs, gb := b.GaussS[bq*len(widths)+w], b.GaussB[bq*len(widths)+w]
							if math.Abs(gs-cs) > 1e-13*cs || math.Abs(gb-cb) > 1e-13*cb {
								t.Fatalf("query %d width %v: sums %v %v, want %v %v", k, sg, gs, gb, cs, cb)
							}
						}
						// k nearest plus ties.
						ds := make([]float64, 0, len(refs))
						for _, j := range refs {
							ds = append(ds, space.d(q, j))
						}
						slices.Sort(ds)
						kth := ds[3]
						var want []int
						for _, j := range refs {
							if space.d(q, j) <= kth {
								want = append(want, j)
							}
						}
						got := b.KList[b.KOffsets[bq]:b.KOffsets[bq+1]]
						if len(got) != len(want) {
							t.Fatalf("query %d: %d nearest with ties, want %d", k, len(got), len(want))
						}
						for i, x := range got {
							if i > 0 && (x.Distance < got[i-1].Distance || (x.Distance == got[i-1].Distance && x.Index < got[i-1].Index)) {
								t.Fatalf("query %d: k-nearest list not sorted by (distance, index)", k)
							}
							if x.Distance != space.d(q, int(x.Index)) || x.Distance > kth || x.Label != labels[x.Index] || x.Weight != weights[x.Index] {
								t.Fatalf("query %d: bad neighbour %+v", k, x)
							}
						}
						// List within ListRadius.
						var nl int
						for _, j := range refs {
							if space.d(q, j) <= req.ListRadius {
								nl++
							}
						}
						if l := b.List[b.ListOffsets[bq]:b.ListOffsets[bq+1]]; len(l) != nl {
							t.Fatalf("query %d: list holds %d jets, want %d", k, len(l), nl)
						}
						// Nearest per class.
						best := [3]float64{math.Inf(1), math.Inf(1), math.Inf(1)}
						bj := [3]int32{-1, -1, -1}
						for _, j := range refs {
							d := space.d(q, j)
							for _, c := range []int{0, 2 - int(labels[j])} {
								if d < best[c] || (d == best[c] && int32(j) < bj[c]) {
									best[c], bj[c] = d, int32(j)
								}
							}
						}
						if nn.Dist[k] != best[0] || nn.Index[k] != bj[0] || nn.DistS[k] != best[1] || nn.IndexS[k] != bj[1] || nn.DistB[k] != best[2] || nn.IndexB[k] != bj[2] {
							t.Fatalf("query %d: nearest %v/%d %v/%d %v/%d, want %v %v", k, nn.Dist[k], nn.Index[k], nn.DistS[k], nn.IndexS[k], nn.DistB[k], nn.IndexB[k], best, bj)
						}
						k++
					}
				}
				if k != len(setup.Queries) {
					t.Fatalf("%d queries emitted, want %d", k, len(setup.Queries))
				}
			})
		}
	}
}

// TestPairsComputedOnce checks that a symmetric pass computes every
// unordered pair exactly once, and reports progress up to the total.
func TestPairsComputedOnce(t *testing.T) {
	space, labels, _ := randomLine(301, 2, false)
	for _, ts := range []int{1, 10, 64, 301, 1000} {
		space.calls.Store(0)
		setup, err := neighbors.Prepare(space.Len(), labels, nil, neighbors.Config{Mode: neighbors.LOO})
		if err != nil {
			t.Fatal(err)
		}
		var last [2]int64
		ctx := plugin.WithProgress(context.Background(), func(done, total int64, msg string) { last = [2]int64{done, total} })
		st, err := neighbors.Run(ctx, space, setup, neighbors.Config{TileSize: ts}, plugin.NeighborRequest{KNearest: 1}, func(*plugin.NeighborBatch) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		want := int64(301 * 300 / 2)
		if got := space.calls.Load(); got != want || st.Pairs != want {
			t.Errorf("tile %d: %d distances computed (stats %d), want %d", ts, got, st.Pairs, want)
		}
		if last != [2]int64{want, want} {
			t.Errorf("tile %d: last progress report %v, want [%d %d]", ts, last, want, want)
		}
		if st.BytesHeld <= 0 || st.BytesHeld != st.SummaryBytes+st.TileBytes {
			t.Errorf("tile %d: bytes held %+v", ts, st)
		}
	}
}

// TestErrors checks that bad input and failures give clear errors, not
// panics or silent results.
func TestErrors(t *testing.T) {
	space, labels, weights := randomLine(50, 1, false)
	setup, err := neighbors.Prepare(50, labels, nil, neighbors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	noop := func(*plugin.NeighborBatch) error { return nil }
	run := func(s plugin.Space, req plugin.NeighborRequest, ctx context.Context) error {
		_, err := neighbors.Run(ctx, s, setup, neighbors.Config{TileSize: 8}, req, noop)
		return err
	}
	bg := context.Background()
	canceled, cancel := context.WithCancel(bg)
	cancel()
	bad := &lineSpace{x: space.x, bad: [2]int{3, 41}}
	failing := &lineSpace{x: space.x, fail: errors.New("disk on fire")}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"nan_distance", run(bad, plugin.NeighborRequest{KNearest: 1}, bg), "distance NaN between jets"},
		{"metric_error", run(failing, plugin.NeighborRequest{KNearest: 1}, bg), "disk on fire"},
		{"metric_panic", run(&lineSpace{x: space.x, panic: true}, plugin.NeighborRequest{KNearest: 1}, bg), "metric panicked"},
		{"canceled", run(space, plugin.NeighborRequest{KNearest: 1}, canceled), "context canceled"},
		{"unsorted_radii", run(space, plugin.NeighborRequest{Radii: []float64{0.2, 0.1}}, bg), "strictly increasing"},
		{"negative_k", run(space, plugin.NeighborRequest{KNearest: -1}, bg), "negative"},
		{"zero_width", run(space, plugin.NeighborRequest{GaussianWidths: []float64{0}}, bg), "Gaussian width"},
		{"emit_error", func() error {
			_, err := neighbors.Run(bg, space, setup, neighbors.Config{}, plugin.NeighborRequest{KNearest: 1}, func(*plugin.NeighborBatch) error { return errors.New("full disk") })
			return err
		}(), "full disk"},
		{"wrong_space", func() error {
			_, err := neighbors.Run(bg, &lineSpace{x: make([]float64, 7)}, setup, neighbors.Config{}, plugin.NeighborRequest{}, noop)
			return err
		}(), "prepared for 50 jets"},
	}
	prep := func(labels []int8, weights []float64, cfg neighbors.Config) error {
		_, err := neighbors.Prepare(50, labels, weights, cfg)
		return err
	}
	badLabels := slices.Clone(labels)
	badLabels[7] = 3
	badWeights := slices.Clone(weights)
	badWeights[9] = math.NaN()
	cases = append(cases, []struct {
		name string
		err  error
		want string
	}{
		{"bad_label", prep(badLabels, nil, neighbors.Config{}), "label of jet 7"},
		{"bad_weight", prep(labels, badWeights, neighbors.Config{}), "weight of jet 9"},
		{"short_labels", prep(labels[:10], nil, neighbors.Config{}), "10 labels"},
		{"one_fold", prep(labels, nil, neighbors.Config{Folds: 1}), "folds = 1"},
		{"bad_mode", prep(labels, nil, neighbors.Config{Mode: "lpo"}), "unknown reference mode"},
		{"overlap", prep(labels, nil, neighbors.Config{Mode: neighbors.Reference, Queries: []int{1, 2}, Reference: []int{2, 3}}), "must be disjoint"},
		{"duplicate", prep(labels, nil, neighbors.Config{Mode: neighbors.Reference, Queries: []int{1, 1}, Reference: []int{2}}), "appears twice"},
		{"out_of_range", prep(labels, nil, neighbors.Config{Mode: neighbors.Reference, Queries: []int{1}, Reference: []int{50}}), "outside"},
		{"empty_reference", prep(labels, nil, neighbors.Config{Mode: neighbors.Reference, Queries: []int{1}}), "Reference is empty"},
		{"queries_outside_reference_mode", prep(labels, nil, neighbors.Config{Mode: neighbors.LOO, Queries: []int{1}}), "only used in reference mode"},
	}...)
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

// TestFullMatrix checks the tiled full matrix against the direct one and
// the memory refusal.
func TestFullMatrix(t *testing.T) {
	space, _, _ := randomLine(97, 4, false)
	d, err := neighbors.FullMatrix(context.Background(), space, neighbors.Config{TileSize: 10, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 97; i++ {
		for j := 0; j < 97; j++ {
			if d[i*97+j] != space.d(i, j) {
				t.Fatalf("(%d, %d) = %v, want %v", i, j, d[i*97+j], space.d(i, j))
			}
		}
	}
	if _, err := neighbors.MatrixSpace(97, d); err != nil {
		t.Fatalf("the full matrix is not a valid matrix space: %v", err)
	}
	_, err = neighbors.FullMatrix(context.Background(), space, neighbors.Config{MatrixMaxBytes: 1000})
	if err == nil || !strings.Contains(err.Error(), "97 jets") {
		t.Errorf("over the memory limit: error %v", err)
	}
}

func TestMatrixSpaceValidation(t *testing.T) {
	cases := []struct {
		name string
		n    int
		d    []float64
		want string
	}{
		{"shape", 2, []float64{0, 1, 1}, "do not form"},
		{"asymmetric", 2, []float64{0, 1, 2, 0}, "not symmetric"},
		{"diagonal", 2, []float64{1, 1, 1, 0}, "diagonal"},
		{"nan", 2, []float64{0, math.NaN(), math.NaN(), 0}, "(0, 1)"},
		{"negative", 2, []float64{0, -1, -1, 0}, "non-negative"},
		{"empty", 0, nil, "positive"},
	}
	for _, c := range cases {
		if _, err := neighbors.MatrixSpace(c.n, c.d); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// remoteLine is a line space that says it is served by another process.
type remoteLine struct{ *lineSpace }

func (remoteLine) OutOfProcess() bool { return true }

// TestOutOfProcessWorkers: a space served by another process gets twice
// the tile workers (its calls wait rather than compute), with the same
// results.
func TestOutOfProcessWorkers(t *testing.T) {
	space, labels, _ := randomLine(120, 5, false)
	cfg := neighbors.Config{Mode: neighbors.LOO, TileSize: 16, Workers: 3}
	run := func(sp plugin.Space) (*neighbors.NN, *neighbors.Stats) {
		t.Helper()
		setup, err := neighbors.Prepare(sp.Len(), labels, nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		nn, st, err := neighbors.Nearest(context.Background(), sp, setup, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return nn, st
	}
	local, stl := run(space)
	remote, str := run(remoteLine{space})
	if stl.Workers != 3 || str.Workers != 6 {
		t.Errorf("tile workers: in process %d (want 3), out of process %d (want 6)", stl.Workers, str.Workers)
	}
	if !slices.Equal(local.Dist, remote.Dist) {
		t.Error("nearest-neighbour distances differ with more workers")
	}
}
