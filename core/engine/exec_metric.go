package engine

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// DistancesArtifact is the output of a metric step: a metric prepared over
// a jets artifact, with the full matrix when it was kept, and a seeded
// sample of pair distances per class combination for plots.
type DistancesArtifact struct {
	Jets    *JetsArtifact
	Metric  string // plugin name
	Version string
	Params  plugin.Params
	// Normalized reports distances in normalised-energy units, which
	// convert to GeV by multiplying with the mean jet pt (GeVScale).
	Normalized bool
	GeVScale   float64
	// Matrix is the N×N matrix (row-major) when kept, else nil.
	Matrix []float64
	// Pairs samples pair distances: columns distance, pair (qq, gg, qg).
	Pairs *table.Table
	// NN is every jet's leave-one-out nearest-neighbour distance when the
	// matrix was kept (nil otherwise).
	NN []float64

	metric  plugin.Metric
	threads int

	mu     sync.Mutex
	space  plugin.Space
	closed bool
}

// Type implements Artifact.
func (a *DistancesArtifact) Type() plugin.ArtifactType { return plugin.ArtifactDistances }

// Len is the number of jets.
func (a *DistancesArtifact) Len() int { return a.Jets.Jets.Len() }

// Space returns the metric space: the kept matrix when there is one, the
// prepared plugin otherwise (prepared on first use after a cache load).
func (a *DistancesArtifact) Space(ctx context.Context) (plugin.Space, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.space != nil {
		return a.space, nil
	}
	if a.Matrix != nil {
		s, err := neighbors.MatrixSpace(a.Len(), a.Matrix)
		if err != nil {
			return nil, err
		}
		a.space = s
		return s, nil
	}
	s, err := a.metric.Prepare(ctx, plugin.MetricRequest{Params: a.Params, Jets: a.Jets.Jets})
	if err != nil {
		return nil, fmt.Errorf("metric %s: %w", a.Metric, err)
	}
	if s.Len() != a.Len() {
		s.Close()
		return nil, fmt.Errorf("metric %s prepared %d jets, want %d", a.Metric, s.Len(), a.Len())
	}
	a.space = s
	return s, nil
}

// Close releases the prepared space (for external plugins, the session in
// the plugin process).
func (a *DistancesArtifact) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.space == nil || a.closed {
		return nil
	}
	a.closed = true
	return a.space.Close()
}

// MedianNN returns the median leave-one-out nearest-neighbour distance, or
// NaN when unknown.
func (a *DistancesArtifact) MedianNN() float64 {
	if len(a.NN) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), a.NN...)
	sort.Float64s(s)
	return median(s)
}

// Summary implements Artifact.
func (a *DistancesArtifact) Summary() map[string]any {
	out := map[string]any{"jets": a.Len(), "metric": a.Metric, "matrix_kept": a.Matrix != nil, "normalized": a.Normalized}
	if a.Normalized {
		out["gev_per_unit"] = a.GeVScale
	}
	if len(a.NN) > 0 {
		out["median_nn_distance"] = a.MedianNN()
	}
	byKind := a.pairsByKind()
	for _, k := range []string{"qq", "gg", "qg"} {
		if v := append([]float64(nil), byKind[k]...); len(v) > 0 {
			sort.Float64s(v)
			out["median_distance_"+k] = v[len(v)/2]
		}
	}
	return out
}

// pairsByKind splits the sampled pair distances by class combination
// ("qq", "gg", "qg").
func (a *DistancesArtifact) pairsByKind() map[string][]float64 {
	out := map[string][]float64{}
	if a.Pairs == nil {
		return out
	}
	d, _ := a.Pairs.Floats("distance")
	kind := a.Pairs.Col("pair").String
	for i, x := range d {
		out[kind[i]] = append(out[kind[i]], x)
	}
	return out
}

func (e *Engine) runMetric(ctx context.Context, n *node, m plugin.Metric, jets *JetsArtifact) (_ *DistancesArtifact, err error) {
	a := newDistances(n, m, jets, e.opts.Threads)
	space, err := a.Space(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.Close() // the plugin's session must not outlive a failed step
		}
	}()
	nj := a.Len()
	need := int64(nj) * int64(nj) * 8
	limit := int64(n.step.HostParams.Int("matrix_max_mb")) << 20
	_, pruned := space.(plugin.LowerBounder)
	pruned = pruned && n.info.Has(plugin.CapLowerBound)
	keep := false
	switch n.step.HostParams.String("matrix") {
	case "always":
		if need > limit {
			return nil, fmt.Errorf("matrix: always, but the %d×%d matrix needs %d MiB, above matrix_max_mb = %d", nj, nj, need>>20, limit>>20)
		}
		keep = true
	case "auto":
		// A metric with a lower-bound embedding is faster through the
		// pruned pass of each consumer than through a full matrix.
		keep = need <= limit && (n.step.Export || !pruned)
	}
	if n.step.Export && !keep {
		return nil, fmt.Errorf("export of distances.npy needs the full matrix, but %d jets need %d MiB, above matrix_max_mb = %d (raise it, or drop export)", nj, need>>20, limit>>20)
	}
	if keep {
		mat, err := neighbors.FullMatrix(ctx, space, neighbors.Config{Workers: e.opts.Threads, MatrixMaxBytes: limit})
		if err != nil {
			return nil, err
		}
		a.Matrix = mat
		a.NN = nnFromMatrix(mat, nj)
	} else if pruned && nj > 1 {
		nn, err := e.nearest(ctx, a, "loo", 0)
		if err != nil {
			return nil, err
		}
		a.NN = make([]float64, nj)
		for k, q := range nn.Queries {
			a.NN[q] = nn.Dist[k]
		}
	}
	a.Pairs, err = samplePairs(ctx, space, jets.Jets, n.step.HostParams.Int("pair_sample"), n.step.Seed)
	if err != nil {
		return nil, err
	}
	if keep {
		// Downstream steps use the matrix; release the plugin's session.
		a.Close()
		a.mu.Lock()
		a.space, a.closed = nil, false
		a.mu.Unlock()
	}
	return a, nil
}

func newDistances(n *node, m plugin.Metric, jets *JetsArtifact, threads int) *DistancesArtifact {
	a := &DistancesArtifact{Jets: jets, Metric: n.step.PluginName, Version: n.info.Version, Params: n.step.Params, metric: m, threads: threads}
	if n.step.Params.Has("normalize") {
		if v, ok := n.step.Params["normalize"].(bool); ok && v {
			a.Normalized = true
			a.GeVScale = meanJetPt(jets.Jets)
		}
	}
	return a
}

func nnFromMatrix(mat []float64, n int) []float64 {
	if n < 2 {
		return nil
	}
	nn := make([]float64, n)
	for i := 0; i < n; i++ {
		best := math.Inf(1)
		row := mat[i*n : (i+1)*n]
		for j, d := range row {
			if j != i && d < best {
				best = d
			}
		}
		nn[i] = best
	}
	return nn
}

// samplePairs draws up to k random pairs (seeded) per class combination
// and evaluates them in one batch.
func samplePairs(ctx context.Context, space plugin.Space, js *jet.Jets, k int, seed int64) (*table.Table, error) {
	var q, g []int32
	for i, l := range js.Label {
		if l == jet.Quark {
			q = append(q, int32(i))
		} else {
			g = append(g, int32(i))
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7061697273))
	var ii, jj []int32
	var kind []string
	draw := func(a, b []int32, name string) {
		if len(a) == 0 || len(b) == 0 || (len(a) < 2 && name != "qg") {
			return
		}
		total := int64(len(a)) * int64(len(b))
		if name != "qg" {
			total = int64(len(a)) * int64(len(a)-1) / 2
		}
		m := int64(k)
		if m > total {
			m = total
		}
		for c := int64(0); c < m; c++ {
			x := a[rng.IntN(len(a))]
			y := b[rng.IntN(len(b))]
			for x == y {
				y = b[rng.IntN(len(b))]
			}
			ii, jj, kind = append(ii, x), append(jj, y), append(kind, name)
		}
	}
	draw(q, q, "qq")
	draw(g, g, "gg")
	draw(q, g, "qg")
	d := make([]float64, len(ii))
	if len(ii) > 0 {
		if err := space.Pairs(ctx, ii, jj, d); err != nil {
			return nil, err
		}
	}
	for i, x := range d {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return nil, fmt.Errorf("metric returned distance %v for jets %d and %d", x, ii[i], jj[i])
		}
	}
	return table.New().AddFloat("distance", d).AddString("pair", kind), nil
}

type distancesMeta struct {
	Normalized bool
	GeVScale   float64
	HasMatrix  bool
	NN         []float64
}

// writeMatrix writes the kept matrix as an N×N float64 .npy file.
func (a *DistancesArtifact) writeMatrix(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		return npy.WriteMatrix(w, a.Matrix, a.Len(), a.Len())
	})
}

func (a *DistancesArtifact) save(dir string) error {
	if a.Matrix != nil {
		if err := a.writeMatrix(filepath.Join(dir, "distances.npy")); err != nil {
			return err
		}
	}
	if err := writeCSV(filepath.Join(dir, "pairs.csv"), a.Pairs); err != nil {
		return err
	}
	return saveGob(dir, "meta.gob", distancesMeta{Normalized: a.Normalized, GeVScale: a.GeVScale, HasMatrix: a.Matrix != nil, NN: a.NN})
}

func loadDistances(n *node, dir string, jets *JetsArtifact, threads int) (*DistancesArtifact, error) {
	m, ok := n.step.Plugin.(plugin.Metric)
	if !ok {
		return nil, fmt.Errorf("plugin %s is not a metric", n.step.PluginName)
	}
	a := newDistances(n, m, jets, threads)
	var meta distancesMeta
	if err := loadGob(dir, "meta.gob", &meta); err != nil {
		return nil, err
	}
	a.NN = meta.NN
	if meta.HasMatrix {
		arr, err := npy.Open(filepath.Join(dir, "distances.npy"))
		if err != nil {
			return nil, err
		}
		defer arr.Close()
		mat, err := arr.ReadAllFloat64()
		if err != nil {
			return nil, err
		}
		if len(mat) != a.Len()*a.Len() {
			return nil, fmt.Errorf("cached matrix has %d values for %d jets", len(mat), a.Len())
		}
		a.Matrix = mat
	}
	f, err := os.Open(filepath.Join(dir, "pairs.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if a.Pairs, err = table.ReadCSV(f); err != nil {
		return nil, err
	}
	if a.Pairs.Rows() == 0 {
		a.Pairs = table.New().AddFloat("distance", nil).AddString("pair", nil)
	}
	return a, nil
}

func (a *DistancesArtifact) export(dir string) ([]string, error) {
	if a.Matrix == nil {
		return nil, fmt.Errorf("the distance matrix was not kept (set matrix: always)")
	}
	if err := a.writeMatrix(filepath.Join(dir, "distances.npy")); err != nil {
		return nil, err
	}
	if err := writeCSV(filepath.Join(dir, "pair_distances.csv"), a.Pairs); err != nil {
		return nil, err
	}
	files := []string{"distances.npy", "pair_distances.csv"}
	if len(a.NN) > 0 {
		t := table.New().AddFloat("jet", seq(len(a.NN))).AddFloat("label", labelsF(a.Jets.Jets)).AddFloat("nn_distance", a.NN)
		if err := writeCSV(filepath.Join(dir, "nn_distances.csv"), t); err != nil {
			return nil, err
		}
		files = append(files, "nn_distances.csv")
	}
	return files, nil
}

func seq(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}

func labelsF(js *jet.Jets) []float64 {
	out := make([]float64, js.Len())
	for i, l := range js.Label {
		out[i] = float64(l)
	}
	return out
}
