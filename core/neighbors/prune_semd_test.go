package neighbors_test

import (
	"context"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/plugins/metrics/semd"
	"github.com/smearflow/smearflow/plugins/readers/generator"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
)

// semdForm is what SEMD's bin-average embedding promises: an orthogonal
// projection of non-decreasing quantile functions.
var semdForm = neighbors.EmbeddingForm{Orthogonal: true, Monotone: true}

// TestPrunedSEMD runs the pruned pass on 1500 generator jets
// (SMEARFLOW_PRUNE_SEMD_N to change it) with the real SEMD
// metric and its lower-bound embedding (K = 256 bins: principal axes by
// subspace iteration plus the full-embedding checkpoint) and compares with
// the brute-force pass over the full matrix of the same metric: every
// count, score, AUC (with bootstrap bands), k-nearest list and
// nearest-neighbour distance and index must be bit-identical.
func TestPrunedSEMD(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 600
	}
	if v, err := strconv.Atoi(os.Getenv("SMEARFLOW_PRUNE_SEMD_N")); err == nil && v >= 4 {
		n = v // e.g. 4000 for a longer check
	}
	ctx := context.Background()
	cfg := generator.DefaultConfig()
	cfg.Quarks, cfg.Gluons = n/2, n-n/2
	js := &jet.Jets{}
	if err := generator.Generate(ctx, cfg, 7, 1000, func(b *jet.Jets) error { js.Concat(b); return nil }); err != nil {
		t.Fatal(err)
	}
	sp, err := semd.New().Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"bound_bins": int64(256)}, Jets: js})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	// Brute force: the full matrix (every pair computed once).
	mat, err := neighbors.FullMatrix(ctx, sp, neighbors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	brute, err := neighbors.MatrixSpace(n, mat)
	if err != nil {
		t.Fatal(err)
	}
	pruned := neighbors.WithEmbeddingForm(sp, semdForm)
	labels := js.Label

	sm := ball.New()
	params, err := sm.Info().Params.Resolve(map[string]any{"eps": map[string]any{"log": []any{1e-3, 0.3, 30}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []neighbors.Mode{neighbors.LOO, neighbors.KFold} {
		sc := neighbors.SmearConfig{Config: neighbors.Config{Mode: mode}, Bootstrap: roc.BootstrapConfig{N: 20, Confidence: 0.68, Seed: 3}}
		want, err := neighbors.Smear(ctx, brute, labels, nil, sc, sm, params)
		if err != nil {
			t.Fatal(err)
		}
		sc.Prune = neighbors.PruneOn
		got, err := neighbors.Smear(ctx, pruned, labels, nil, sc, sm, params)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Scores, want.Scores) || !reflect.DeepEqual(got.Counts, want.Counts) || !reflect.DeepEqual(got.Empty, want.Empty) {
			t.Fatalf("%s: pruned scores or counts differ from brute force", mode)
		}
		if !reflect.DeepEqual(got.PerPoint, want.PerPoint) {
			t.Fatalf("%s: per-point AUCs differ:\n got  %+v\n want %+v", mode, got.PerPoint, want.PerPoint)
		}
		st := got.Stats
		if !st.Pruned || !st.Monotone || st.ExactFraction() > 0.1 {
			t.Fatalf("%s: pruned %v monotone %v, %d of %d pairs exact", mode, st.Pruned, st.Monotone, st.Pairs, st.Candidates)
		}
		t.Logf("%s ball smearing, 30 radii: %d of %d pairs exact (%.2f%%), best AUC %.4f", mode, st.Pairs, st.Candidates, 100*st.ExactFraction(), got.PerPoint[got.Best()].AUC)
	}

	setup, err := neighbors.Prepare(n, labels, nil, neighbors.Config{Mode: neighbors.LOO})
	if err != nil {
		t.Fatal(err)
	}
	wantNN, _, err := neighbors.Nearest(ctx, brute, setup, neighbors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	// The declared form, and the generic contract.
	for _, space := range []plugin.Space{pruned, genericBound{sp}} {
		gotNN, st, err := neighbors.Nearest(ctx, space, setup, neighbors.Config{Prune: neighbors.PruneOn})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotNN, wantNN) {
			t.Fatalf("nearest neighbours differ from brute force (orthogonal %v)", st.Orthogonal)
		}
		t.Logf("nearest neighbours (orthogonal %v): %d of %d (query, reference) pairs exact", st.Orthogonal, st.Pairs, st.Candidates)
	}

	req := plugin.NeighborRequest{KNearest: 5, ListRadius: 0.02, Radii: plugin.Geomspace(0.005, 0.2, 7)}
	collectAll := func(space plugin.Space, p neighbors.Prune) []*plugin.NeighborBatch {
		var out []*plugin.NeighborBatch
		if _, err := neighbors.Run(ctx, space, setup, neighbors.Config{Prune: p}, req, func(b *plugin.NeighborBatch) error {
			out = append(out, b)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := collectAll(pruned, neighbors.PruneOn), collectAll(brute, neighbors.PruneOff); !reflect.DeepEqual(got, want) {
		t.Fatal("k nearest, lists or counts differ from brute force")
	}
	// k nearest alone go through the sorted sweep.
	req = plugin.NeighborRequest{KNearest: 40}
	if got, want := collectAll(pruned, neighbors.PruneOn), collectAll(brute, neighbors.PruneOff); !reflect.DeepEqual(got, want) {
		t.Fatal("the 40 nearest (sorted sweep) differ from brute force")
	}
}

// genericBound hides every promise of a space's embedding beyond the
// generic lower-bound contract.
type genericBound struct{ plugin.Space }

func (g genericBound) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	e, err := g.Space.(plugin.LowerBounder).LowerBound(ctx)
	if err != nil {
		return nil, err
	}
	return &plugin.Embedding{Dim: e.Dim, Vectors: e.Vectors, Residuals: e.Residuals}, nil
}
