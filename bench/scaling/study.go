// Package scaling is the end-to-end scaling benchmark of smearflow's
// pruned exact neighbour pass: generator jets → SEMD → leave-one-out ball
// smearing on 30 radii → every jet's nearest-neighbour distance, with
// wall time, peak memory and the fraction of pairs computed exactly. See
// README.md and docs/performance.md.
package scaling

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/plugins/metrics/semd"
	"github.com/smearflow/smearflow/plugins/readers/generator"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
)

// Options configures one run of the study.
type Options struct {
	// N is the number of jets: N/2 quark and N - N/2 gluon jets from the
	// built-in generator with default settings (interleaved).
	N    int
	Seed int64 // generator seed (default 1)
	// BoundBins is SEMD's bound_bins, the dimension K of its lower-bound
	// embedding (default 1024).
	BoundBins int
	// Eps is the ball smearer's radius grid (default 30 log-spaced radii
	// from 1e-3 to 0.3, SEMD with normalised energies, β = 1).
	Eps []float64
	// Prune is neighbors.PruneOn (default) or neighbors.PruneOff (the
	// brute-force baseline).
	Prune neighbors.Prune
	// Form is the declared form of SEMD's embedding (nil: SEMDForm, i.e.
	// orthogonal and monotone; &neighbors.EmbeddingForm{} leaves the
	// generic bound |v_i − v_j| + r_i + r_j).
	Form *neighbors.EmbeddingForm
	// NBoot is the number of bootstrap replicates of the AUC bands (0:
	// none).
	NBoot int
	// SkipNearest leaves out the nearest-neighbour pass.
	SkipNearest bool
	Workers     int // 0 = GOMAXPROCS
	TileSize    int // 0 = the neighbors default
}

// Result holds the timings (wall clock) and statistics of one run.
type Result struct {
	N, K     int
	Prune    neighbors.Prune
	Generate time.Duration // generator
	Prepare  time.Duration // SEMD spectra
	Bound    time.Duration // SEMD lower-bound embedding (the pruning bounds are in Smear)
	Smear    time.Duration // LOO ball smearing: pairs, scores, AUC per point
	Nearest  time.Duration // nearest-neighbour pass
	Total    time.Duration
	// CPU time of the process (user + system, all threads) during the
	// smearing, the nearest-neighbour pass and the whole study.
	SmearCPU, NearestCPU, TotalCPU time.Duration
	SmearPass                      *neighbors.Stats
	NNPass                         *neighbors.Stats
	// AUC per radius and the nearest-neighbour distances (for checks).
	Eps, AUC []float64
	NN       []float64
	// MeanMultiplicity and SpectrumBytes describe the jets.
	MeanMultiplicity float64
	SpectrumBytes    int64
}

// Pairs is the number of unordered pairs of N jets.
func (r *Result) Pairs() int64 { return int64(r.N) * int64(r.N-1) / 2 }

// DefaultEps is the study's radius grid: 30 log-spaced radii in [1e-3, 0.3].
func DefaultEps() []float64 { return plugin.Geomspace(1e-3, 0.3, 30) }

// Jets generates the study's jets.
func Jets(ctx context.Context, n int, seed int64, workers int) (*jet.Jets, error) {
	cfg := generator.DefaultConfig()
	cfg.Quarks, cfg.Gluons = n/2, n-n/2
	cfg.Workers = workers
	js := &jet.Jets{}
	err := generator.Generate(ctx, cfg, seed, 10000, func(b *jet.Jets) error {
		js.Concat(b)
		return nil
	})
	return js, err
}

// SEMDForm is what SEMD's K-bin embedding promises beyond the generic
// lower-bound contract: bin averages are an orthogonal projection of the
// quantile functions, and quantile functions are non-decreasing, so their
// residuals are non-negatively correlated (see neighbors.EmbeddingForm).
var SEMDForm = neighbors.EmbeddingForm{Orthogonal: true, Monotone: true}

// Space generates n jets and prepares their SEMD space with bound_bins =
// k, declared with SEMDForm, with its lower-bound embedding computed. It
// returns the space and the labels.
func Space(ctx context.Context, n, k int, seed int64) (plugin.Space, []int8, error) {
	js, err := Jets(ctx, n, seed, 0)
	if err != nil {
		return nil, nil, err
	}
	sp, err := semd.New().Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"bound_bins": int64(k)}, Jets: js})
	if err != nil {
		return nil, nil, err
	}
	if _, err := sp.(plugin.LowerBounder).LowerBound(ctx); err != nil {
		sp.Close()
		return nil, nil, err
	}
	return neighbors.WithEmbeddingForm(sp, SEMDForm), js.Label, nil
}

// Run runs the study.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.N < 2 {
		return nil, fmt.Errorf("scaling: N = %d, want at least 2 jets", o.N)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.BoundBins == 0 {
		o.BoundBins = 1024
	}
	if o.Eps == nil {
		o.Eps = DefaultEps()
	}
	if o.Prune == "" {
		o.Prune = neighbors.PruneOn
	}
	res := &Result{N: o.N, K: o.BoundBins, Prune: o.Prune, Eps: o.Eps}
	start, cpu0 := time.Now(), CPUTime()
	t := time.Now()
	js, err := Jets(ctx, o.N, o.Seed, o.Workers)
	if err != nil {
		return nil, err
	}
	res.Generate = time.Since(t)
	var m, spec int64
	for i := 0; i < js.Len(); i++ {
		k := int64(js.Multiplicity(i))
		m += k
		spec += (k*(k-1)/2 + 2) * 16
	}
	res.MeanMultiplicity, res.SpectrumBytes = float64(m)/float64(js.Len()), spec

	t = time.Now()
	sp, err := semd.New().Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"bound_bins": int64(o.BoundBins)}, Jets: js})
	if err != nil {
		return nil, err
	}
	defer sp.Close()
	res.Prepare = time.Since(t)
	t = time.Now()
	if _, err := sp.(plugin.LowerBounder).LowerBound(ctx); err != nil {
		return nil, err
	}
	res.Bound = time.Since(t)
	form := SEMDForm
	if o.Form != nil {
		form = *o.Form
	}
	space := neighbors.WithEmbeddingForm(sp, form)
	labels := js.Label

	t = time.Now()
	c := CPUTime()
	sm := ball.New()
	params, err := sm.Info().Params.Resolve(map[string]any{"eps": o.Eps})
	if err != nil {
		return nil, err
	}
	cfg := neighbors.SmearConfig{
		Config:    neighbors.Config{Mode: neighbors.LOO, Prune: o.Prune, Workers: o.Workers, TileSize: o.TileSize},
		Bootstrap: roc.BootstrapConfig{N: o.NBoot, Confidence: 0.68, Seed: uint64(o.Seed)},
	}
	sr, err := neighbors.Smear(ctx, space, labels, nil, cfg, sm, params)
	if err != nil {
		return nil, err
	}
	res.Smear, res.SmearCPU = time.Since(t), CPUTime()-c
	res.SmearPass = sr.Stats
	for _, p := range sr.PerPoint {
		res.AUC = append(res.AUC, p.AUC)
	}

	if !o.SkipNearest {
		t, c = time.Now(), CPUTime()
		setup, err := neighbors.Prepare(space.Len(), labels, nil, cfg.Config)
		if err != nil {
			return nil, err
		}
		nn, st, err := neighbors.Nearest(ctx, space, setup, cfg.Config)
		if err != nil {
			return nil, err
		}
		res.Nearest, res.NearestCPU = time.Since(t), CPUTime()-c
		res.NNPass = st
		res.NN = nn.Dist
	}
	res.Total, res.TotalCPU = time.Since(start), CPUTime()-cpu0
	return res, nil
}

// CPUTime returns the CPU time (user + system) used by the process so far.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS returns the process's peak resident set size in bytes (VmHWM of
// /proc/self/status), or -1 when unknown.
func PeakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// ResetPeakRSS returns freed memory to the OS and resets the kernel's
// peak-RSS counter (writing 5 to /proc/self/clear_refs), so that the next
// PeakRSS measures what follows. It reports whether the reset worked.
func ResetPeakRSS() bool {
	runtime.GC()
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}
