package neighbors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"

	"github.com/smearflow/smearflow/core/plugin"
)

// Mode selects which jets form a query's reference set S(x). The query is
// never in its own reference set.
type Mode string

// Reference-set modes (the names of the smearer host parameter
// `reference`, plus Reference for an explicit test/reference split).
const (
	// KFold is stratified K-fold cross-smearing, the default: a jet's fold
	// is its position among the jets of its own class (input order,
	// optionally after a seeded shuffle) modulo K; jets of fold f are
	// scored against all jets of the other folds. The normalisers depend
	// on the fold only, never on the query's label: nothing leaks.
	KFold Mode = "kfold"
	// LOO is leave-one-out with the query removed from its own class
	// total (N_c of the query's class is one weight lower). Biased: the
	// normaliser depends on the query's label, which breaks ties in favour
	// of the true class.
	LOO Mode = "loo"
	// LOOKeepSelf is leave-one-out with the query kept in its class total
	// (N_s, N_b = totals of the whole set). Biased the other way: the AUC
	// is driven towards 0 at large radii.
	LOOKeepSelf Mode = "loo_keep_self"
	// Reference scores an explicit test set (Config.Queries) against an
	// explicit, disjoint reference set (Config.Reference).
	Reference Mode = "reference"
)

// Defaults of Config.
const (
	DefaultFolds          = 10
	DefaultTileSize       = 256
	DefaultBatchSize      = 4096
	DefaultMatrixMaxBytes = 512 << 20
)

// Config configures the reference sets and the pairwise pass. The zero
// value is the default: 10-fold cross-smearing, tiles of 256×256, one
// worker per CPU.
type Config struct {
	Mode         Mode   // "" = KFold
	Folds        int    // K of KFold; 0 = 10
	ShuffleFolds bool   // KFold: shuffle each class (seeded) before assigning folds
	Seed         uint64 // seed of the fold shuffle

	// Reference mode: the test jets (scored, in this order) and the
	// reference jets. Both are lists of distinct jet indices; they must
	// not overlap.
	Queries, Reference []int

	TileSize int // tile edge in jets; 0 = 256
	// Workers is the number of goroutines computing tiles; 0 =
	// GOMAXPROCS. A space served by another process (plugin.OutOfProcess)
	// gets twice as many, so that the cores stay busy while tiles wait
	// for the plugin's answers.
	Workers   int
	BatchSize int // queries per emitted NeighborBatch; 0 = 4096
	// MaxOutstanding bounds the tiles held at once (computing or waiting
	// for their turn to be folded into the summaries); 0 = 4×Workers+2.
	MaxOutstanding int
	// MatrixMaxBytes is the largest full matrix FullMatrix will build;
	// 0 = 512 MiB.
	MatrixMaxBytes int64
	// Prune selects the pruned exact pass ("" = PruneAuto: whenever the
	// space has a lower-bound embedding and the request allows it).
	Prune Prune
}

// tileWorkers is the number of goroutines computing tiles of space.
func (c Config) tileWorkers(space plugin.Space) int {
	if outOfProcess(space) {
		return 2 * c.Workers
	}
	return c.Workers
}

// outOfProcess reports whether space is served by another process.
func outOfProcess(space plugin.Space) bool {
	r, ok := space.(plugin.OutOfProcess)
	return ok && r.OutOfProcess()
}

func (c Config) withDefaults() Config {
	if c.Mode == "" {
		c.Mode = KFold
	}
	if c.Folds == 0 {
		c.Folds = DefaultFolds
	}
	if c.TileSize == 0 {
		c.TileSize = DefaultTileSize
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.MaxOutstanding == 0 {
		c.MaxOutstanding = 4*c.Workers + 2
	}
	if c.MatrixMaxBytes == 0 {
		c.MatrixMaxBytes = DefaultMatrixMaxBytes
	}
	if c.Prune == "" {
		c.Prune = PruneAuto
	}
	return c
}

func (c Config) check() error {
	switch c.Mode {
	case KFold, LOO, LOOKeepSelf, Reference:
	default:
		return fmt.Errorf("neighbors: unknown reference mode %q (want kfold, loo, loo_keep_self or reference)", c.Mode)
	}
	if c.Mode == KFold && c.Folds < 2 {
		return fmt.Errorf("neighbors: folds = %d, want at least 2", c.Folds)
	}
	if c.Mode != Reference && (c.Queries != nil || c.Reference != nil) {
		return fmt.Errorf("neighbors: Queries and Reference are only used in reference mode, not %s", c.Mode)
	}
	switch {
	case c.TileSize < 1:
		return fmt.Errorf("neighbors: tile size %d, want at least 1", c.TileSize)
	case c.TileSize > 8192:
		return fmt.Errorf("neighbors: tile size %d is above 8192 (a tile buffer would exceed 512 MiB)", c.TileSize)
	case c.Workers < 1:
		return fmt.Errorf("neighbors: workers = %d, want at least 1", c.Workers)
	case c.BatchSize < 1:
		return fmt.Errorf("neighbors: batch size %d, want at least 1", c.BatchSize)
	case c.MaxOutstanding < 1:
		return fmt.Errorf("neighbors: max outstanding tiles %d, want at least 1", c.MaxOutstanding)
	case c.MatrixMaxBytes < 0:
		return fmt.Errorf("neighbors: matrix memory limit %d bytes is negative", c.MatrixMaxBytes)
	}
	switch c.Prune {
	case PruneAuto, PruneOff, PruneOn:
	default:
		return fmt.Errorf("neighbors: unknown prune mode %q (want auto, off or on)", c.Prune)
	}
	return nil
}

// ConfigFromHostParams reads the smearer host parameters (`reference`,
// `folds`, `shuffle_folds`; see plugin.KindSpecs[KindSmearer].HostParams)
// into a Config, with the workflow seed for the fold shuffle.
func ConfigFromHostParams(p plugin.Params, seed uint64) (Config, error) {
	var c Config
	if p.Has("reference") {
		c.Mode = Mode(p.String("reference"))
	}
	if p.Has("folds") {
		c.Folds = p.Int("folds")
	}
	if p.Has("shuffle_folds") {
		c.ShuffleFolds = p.Bool("shuffle_folds")
	}
	c.Seed = seed
	c = c.withDefaults()
	return c, c.check()
}

// Setup is what a Config means for given labels and weights: the query
// jets in order, the folds, and each query's normalisers.
type Setup struct {
	Mode Mode
	// Queries are the scored jets, in order (all jets except in
	// Reference mode).
	Queries []int32
	// Reference holds the reference jets in Reference mode (nil otherwise).
	Reference []int32
	// Fold is every jet's fold in KFold mode (nil otherwise).
	Fold []int32
	// K is the number of folds in KFold mode.
	K int
	// NormS, NormB: total signal and background weight of each query's
	// reference set (aligned with Queries).
	NormS, NormB []float64
	// TotalS, TotalB: signal and background weight of all jets.
	TotalS, TotalB float64
	// Integer: every weight is 1 (plugin.NeighborBatch.Integer).
	Integer bool

	labels  []int8
	weights []float64 // never nil
}

// Biased reports whether the mode is one of the biased leave-one-out
// variants, and why.
func (m Mode) Biased() (bool, string) {
	switch m {
	case LOO:
		return true, "leave-one-out with the query removed from its class total: the normaliser depends on the query's label, so ties are broken in favour of the true class (AUC biased upwards)"
	case LOOKeepSelf:
		return true, "leave-one-out with the query kept in its class total: the query's absence lowers its own class count, anti-correlating the score with the label at large radii (AUC biased downwards, towards 0)"
	}
	return false, ""
}

// Prepare validates labels and weights (nil = all 1) for a space of n jets
// and works out the reference sets of cfg: queries, folds, normalisers.
func Prepare(n int, labels []int8, weights []float64, cfg Config) (*Setup, error) {
	cfg = cfg.withDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if n <= 0 {
		return nil, fmt.Errorf("neighbors: the space holds no jets")
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("neighbors: %d jets is more than supported (%d)", n, math.MaxInt32)
	}
	if len(labels) != n {
		return nil, fmt.Errorf("neighbors: %d labels for a space of %d jets", len(labels), n)
	}
	if weights != nil && len(weights) != n {
		return nil, fmt.Errorf("neighbors: %d weights for a space of %d jets", len(weights), n)
	}
	s := &Setup{Mode: cfg.Mode, labels: labels, weights: weights, Integer: true}
	if s.weights == nil {
		s.weights = make([]float64, n)
		for i := range s.weights {
			s.weights[i] = 1
		}
	}
	for i := 0; i < n; i++ {
		if labels[i] != 0 && labels[i] != 1 {
			return nil, fmt.Errorf("neighbors: label of jet %d is %d (want 0 = background/gluon or 1 = signal/quark)", i, labels[i])
		}
		w := s.weights[i]
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return nil, fmt.Errorf("neighbors: weight of jet %d is %v (want finite and >= 0)", i, w)
		}
		if w != 1 {
			s.Integer = false
		}
		if labels[i] == 1 {
			s.TotalS += w
		} else {
			s.TotalB += w
		}
	}
	switch cfg.Mode {
	case KFold:
		s.K = cfg.Folds
		s.Fold = Folds(labels, cfg.Folds, cfg.ShuffleFolds, cfg.Seed)
		fs := make([]float64, s.K)
		fb := make([]float64, s.K)
		for f := 0; f < s.K; f++ {
			for j := 0; j < n; j++ { // in index order, like every other sum
				if int(s.Fold[j]) == f {
					continue
				}
				if labels[j] == 1 {
					fs[f] += s.weights[j]
				} else {
					fb[f] += s.weights[j]
				}
			}
		}
		s.Queries = iota32(n)
		s.NormS, s.NormB = make([]float64, n), make([]float64, n)
		for i := range s.Queries {
			s.NormS[i], s.NormB[i] = fs[s.Fold[i]], fb[s.Fold[i]]
		}
	case LOO, LOOKeepSelf:
		s.Queries = iota32(n)
		s.NormS, s.NormB = make([]float64, n), make([]float64, n)
		for i := range s.Queries {
			s.NormS[i], s.NormB[i] = s.TotalS, s.TotalB
			if cfg.Mode == LOO {
				if labels[i] == 1 {
					s.NormS[i] -= s.weights[i]
				} else {
					s.NormB[i] -= s.weights[i]
				}
			}
		}
	case Reference:
		var err error
		if s.Queries, err = indexList("Queries", cfg.Queries, n); err != nil {
			return nil, err
		}
		if s.Reference, err = indexList("Reference", cfg.Reference, n); err != nil {
			return nil, err
		}
		inRef := make([]bool, n)
		var ns, nb float64
		for _, j := range s.Reference {
			inRef[j] = true
			if labels[j] == 1 {
				ns += s.weights[j]
			} else {
				nb += s.weights[j]
			}
		}
		for k, q := range s.Queries {
			if inRef[q] {
				return nil, fmt.Errorf("neighbors: jet %d (query %d) is also in the reference set; test and reference sets must be disjoint", q, k)
			}
		}
		s.NormS, s.NormB = make([]float64, len(s.Queries)), make([]float64, len(s.Queries))
		for i := range s.Queries {
			s.NormS[i], s.NormB[i] = ns, nb
		}
	}
	return s, nil
}

// Labels returns the labels Prepare was given.
func (s *Setup) Labels() []int8 { return s.labels }

// Weights returns the per-jet weights (all 1 when nil was given).
func (s *Setup) Weights() []float64 { return s.weights }

// QueryFold returns the fold of query k, or -1 outside KFold mode.
func (s *Setup) QueryFold(k int) int {
	if s.Fold == nil {
		return -1
	}
	return int(s.Fold[s.Queries[k]])
}

func iota32(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	return out
}

func indexList(name string, idx []int, n int) ([]int32, error) {
	if len(idx) == 0 {
		return nil, fmt.Errorf("neighbors: reference mode: %s is empty", name)
	}
	seen := make(map[int]int, len(idx))
	out := make([]int32, len(idx))
	for k, i := range idx {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("neighbors: reference mode: %s[%d] = %d is outside 0..%d", name, k, i, n-1)
		}
		if prev, dup := seen[i]; dup {
			return nil, fmt.Errorf("neighbors: reference mode: jet %d appears twice in %s (positions %d and %d)", i, name, prev, k)
		}
		seen[i] = k
		out[k] = int32(i)
	}
	return out, nil
}

// Folds assigns stratified folds: a jet's fold is its 0-based position
// among the jets of its own class, in input order, modulo k. With shuffle,
// each class's jets are first permuted with rand.NewPCG(seed, 0x5f01d5)
// (signal jets first, then background, one generator).
func Folds(labels []int8, k int, shuffle bool, seed uint64) []int32 {
	fold := make([]int32, len(labels))
	var rng *rand.Rand
	if shuffle {
		rng = rand.New(rand.NewPCG(seed, 0x5f01d5))
	}
	for _, cls := range []int8{1, 0} {
		var members []int32
		for i, l := range labels {
			if l == cls {
				members = append(members, int32(i))
			}
		}
		if rng != nil {
			rng.Shuffle(len(members), func(a, b int) { members[a], members[b] = members[b], members[a] })
		}
		for p, i := range members {
			fold[i] = int32(p % k)
		}
	}
	return fold
}

// String describes the setup in one line.
func (s *Setup) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d queries", s.Mode, len(s.Queries))
	if s.Mode == KFold {
		fmt.Fprintf(&b, ", K = %d", s.K)
	}
	if s.Mode == Reference {
		fmt.Fprintf(&b, ", %d reference jets", len(s.Reference))
	}
	return b.String()
}
