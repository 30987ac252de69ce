package neighbors_test

import (
	"context"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
)

const benchN = 4000

func benchLine() (*lineSpace, []int8) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := &lineSpace{x: make([]float64, benchN)}
	labels := make([]int8, benchN)
	for i := range s.x {
		s.x[i] = rng.Float64()
		labels[i] = int8(i % 2)
	}
	return s, labels
}

var benchRadii = plugin.Geomspace(1e-4, 0.3, 25)

// BenchmarkEngineTrivialMetric measures the engine's overhead: 10-fold
// pass over 4000 jets of a trivial metric (|x_i - x_j|) with 25 radii, the
// 34 nearest, or 25 Gaussian widths. pairs/s counts unordered pairs.
func BenchmarkEngineTrivialMetric(b *testing.B) {
	space, labels := benchLine()
	reqs := []struct {
		name string
		req  plugin.NeighborRequest
	}{
		{"radii25", plugin.NeighborRequest{Radii: benchRadii}},
		{"knn34", plugin.NeighborRequest{KNearest: 34}},
		{"gauss25", plugin.NeighborRequest{GaussianWidths: benchRadii}},
	}
	for _, r := range reqs {
		b.Run(r.name, func(b *testing.B) {
			cfg := neighbors.Config{}
			setup, err := neighbors.Prepare(benchN, labels, nil, cfg)
			if err != nil {
				b.Fatal(err)
			}
			var st *neighbors.Stats
			for b.Loop() {
				st, err = neighbors.Run(context.Background(), space, setup, cfg, r.req, func(*plugin.NeighborBatch) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Pairs)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
			b.ReportMetric(float64(st.BytesHeld), "bytes_held")
		})
	}
}

// BenchmarkBaselineSerialRadii is the baseline for radii25: one goroutine,
// a plain double loop over the same unordered pairs computing the same
// trivial distance and the same per-class histogram (no tiles, no fold
// test, no emission).
func BenchmarkBaselineSerialRadii(b *testing.B) {
	space, labels := benchLine()
	R := len(benchRadii)
	hist := make([]float64, benchN*2*R)
	for b.Loop() {
		clear(hist)
		for i := 0; i < benchN; i++ {
			for j := i + 1; j < benchN; j++ {
				d := space.d(i, j)
				if d > benchRadii[R-1] {
					continue
				}
				k := sort.SearchFloat64s(benchRadii, d)
				hist[(i*2+int(labels[j]))*R+k]++
				hist[(j*2+int(labels[i]))*R+k]++
			}
		}
	}
	b.ReportMetric(float64(benchN*(benchN-1)/2)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkEngineWorkers shows the scaling with workers (radii25).
func BenchmarkEngineWorkers(b *testing.B) {
	space, labels := benchLine()
	for _, w := range []int{1, 2} {
		b.Run(map[int]string{1: "1", 2: "2"}[w], func(b *testing.B) {
			cfg := neighbors.Config{Workers: w}
			setup, _ := neighbors.Prepare(benchN, labels, nil, cfg)
			var st *neighbors.Stats
			var err error
			for b.Loop() {
				st, err = neighbors.Run(context.Background(), space, setup, cfg, plugin.NeighborRequest{Radii: benchRadii}, func(*plugin.NeighborBatch) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Pairs)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
		})
	}
}

// BenchmarkPrunedRadii measures the pruned pass's own cost (bounds,
// decisions, commit) on a Euclidean space whose exact metric is cheap:
// 6000 points in 48 dimensions, a 24-dimensional orthogonal embedding, 30
// radii, leave-one-out; the brute-force pass over the same space is the
// baseline. pairs/s counts unordered pairs.
func BenchmarkPrunedRadii(b *testing.B) {
	s := randomL2(6000, 48, 24, 3).monotone()
	labels, _ := labelsAndWeights(s.Len(), 1, true)
	req := plugin.NeighborRequest{Radii: plugin.Geomspace(0.05, 3, 30)}
	for _, p := range []neighbors.Prune{neighbors.PruneOn, neighbors.PruneOff} {
		b.Run(string(p), func(b *testing.B) {
			cfg := neighbors.Config{Mode: neighbors.LOO, Prune: p}
			setup, err := neighbors.Prepare(s.Len(), labels, nil, cfg)
			if err != nil {
				b.Fatal(err)
			}
			var st *neighbors.Stats
			for b.Loop() {
				st, err = neighbors.Run(context.Background(), s.space(), setup, cfg, req, func(*plugin.NeighborBatch) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
			}
			n := int64(s.Len())
			b.ReportMetric(float64(n*(n-1)/2)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
			b.ReportMetric(st.ExactFraction(), "exact_frac")
		})
	}
}
