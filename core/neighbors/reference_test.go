package neighbors_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/neighbors/neighborstest"
	"github.com/smearflow/smearflow/core/plugin"
)

// collect runs the engine and concatenates the batches.
func collect(t *testing.T, space plugin.Space, setup *neighbors.Setup, cfg neighbors.Config, req plugin.NeighborRequest) []*plugin.NeighborBatch {
	t.Helper()
	var out []*plugin.NeighborBatch
	_, err := neighbors.Run(context.Background(), space, setup, cfg, req, func(b *plugin.NeighborBatch) error {
		out = append(out, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// perQuery flattens batches to per-query rows of a radius-indexed field.
type flat struct {
	q              []int32
	normS, normB   []float64
	countS, countB [][]float64
	gaussS, gaussB [][]float64
	klist          [][]plugin.Neighbor
}

func flatten(bs []*plugin.NeighborBatch) flat {
	var f flat
	for _, b := range bs {
		R, W := len(b.Radii), len(b.GaussianWidths)
		for k := range b.Queries {
			f.q = append(f.q, b.Queries[k])
			f.normS, f.normB = append(f.normS, b.NormS[k]), append(f.normB, b.NormB[k])
			if R > 0 {
				f.countS = append(f.countS, b.CountS[k*R:(k+1)*R])
				f.countB = append(f.countB, b.CountB[k*R:(k+1)*R])
			}
			if W > 0 {
				f.gaussS = append(f.gaussS, b.GaussS[k*W:(k+1)*W])
				f.gaussB = append(f.gaussB, b.GaussB[k*W:(k+1)*W])
			}
			if b.KOffsets != nil {
				f.klist = append(f.klist, b.KList[b.KOffsets[k]:b.KOffsets[k+1]])
			}
		}
	}
	return f
}

// TestKFoldFolds checks folds, fold sizes and normalisers against
// reference/smearing/kfold_folds.csv and the fold column of the per-jet
// files.
func TestKFoldFolds(t *testing.T) {
	m, labels := neighborstest.Matrix(t)
	setup, err := neighbors.Prepare(m.Len(), labels, nil, neighbors.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ref := neighborstest.CSV(t, "reference/smearing/kfold_folds.csv")
	nq := make([]float64, 10)
	ng := make([]float64, 10)
	for i, f := range setup.Fold {
		if labels[i] == 1 {
			nq[f]++
		} else {
			ng[f]++
		}
	}
	for f := 0; f < 10; f++ {
		if nq[f] != ref.Col(t, "n_quark_in_fold")[f] || ng[f] != ref.Col(t, "n_gluon_in_fold")[f] {
			t.Errorf("fold %d holds %v quarks and %v gluons, want %v and %v", f, nq[f], ng[f], ref.Col(t, "n_quark_in_fold")[f], ref.Col(t, "n_gluon_in_fold")[f])
		}
	}
	perJet := neighborstest.CSV(t, "reference/smearing/ball_kfold_scores_eps_0.027860.csv")
	for i := range setup.Queries {
		f := setup.Fold[i]
		if float64(f) != perJet.Col(t, "fold")[i] {
			t.Fatalf("jet %d: fold %d, want %v", i, f, perJet.Col(t, "fold")[i])
		}
		if setup.NormS[i] != ref.Col(t, "N_s_ref")[f] || setup.NormB[i] != ref.Col(t, "N_b_ref")[f] ||
			setup.NormS[i] != perJet.Col(t, "N_s_ref")[i] || setup.NormB[i] != perJet.Col(t, "N_b_ref")[i] {
			t.Fatalf("jet %d: normalisers %v, %v; want %v, %v", i, setup.NormS[i], setup.NormB[i], perJet.Col(t, "N_s_ref")[i], perJet.Col(t, "N_b_ref")[i])
		}
	}
	if !setup.Integer {
		t.Error("unit weights not flagged Integer")
	}
}

var perJetBall = []struct {
	file string
	eps  float64
}{
	{"ball_kfold_scores_eps_0.010768.csv", 0.010767970476385221},
	{"ball_kfold_scores_eps_0.027860.csv", 0.027860403281929246},
	{"ball_kfold_scores_eps_0.072084.csv", 0.07208434242404264},
	{"ball_scores_eps_0.010768.csv", 0.010767970476385221},
	{"ball_scores_eps_0.027860.csv", 0.027860403281929246},
	{"ball_scores_eps_0.072084.csv", 0.07208434242404264},
}

func modeOf(file string) neighbors.Mode {
	if len(file) > 0 && (contains(file, "kfold")) {
		return neighbors.KFold
	}
	return neighbors.LOO
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestReferenceCounts checks the engine's per-class counts within each
// radius (inclusive), normalisers, kNN radii and counts, and Gaussian sums
// against every per-jet file of reference/smearing/ (both modes): counts
// and radii exactly, Gaussian sums to 1e-12 relative.
func TestReferenceCounts(t *testing.T) {
	m, labels := neighborstest.Matrix(t)
	radii := []float64{perJetBall[0].eps, perJetBall[1].eps, perJetBall[2].eps}
	width := 0.027860403281929246
	for _, mode := range []neighbors.Mode{neighbors.KFold, neighbors.LOO} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := neighbors.Config{Mode: mode, TileSize: 64}
			setup, err := neighbors.Prepare(m.Len(), labels, nil, cfg)
			if err != nil {
				t.Fatal(err)
			}
			req := plugin.NeighborRequest{Radii: radii, KNearest: 5, GaussianWidths: []float64{width}}
			f := flatten(collect(t, m, setup, cfg, req))
			if len(f.q) != 500 {
				t.Fatalf("%d queries emitted", len(f.q))
			}
			for r, pj := range perJetBall {
				if modeOf(pj.file) != mode {
					continue
				}
				ref := neighborstest.CSV(t, "reference/smearing/"+pj.file)
				for i := 0; i < 500; i++ {
					if int(f.q[i]) != i {
						t.Fatalf("query %d is jet %d", i, f.q[i])
					}
					if f.countS[i][r%3] != ref.Col(t, "n_s")[i] || f.countB[i][r%3] != ref.Col(t, "n_b")[i] ||
						f.normS[i] != ref.Col(t, "N_s_ref")[i] || f.normB[i] != ref.Col(t, "N_b_ref")[i] {
						t.Fatalf("%s jet %d: n_s %v n_b %v N_s %v N_b %v; want %v %v %v %v", pj.file, i,
							f.countS[i][r%3], f.countB[i][r%3], f.normS[i], f.normB[i],
							ref.Col(t, "n_s")[i], ref.Col(t, "n_b")[i], ref.Col(t, "N_s_ref")[i], ref.Col(t, "N_b_ref")[i])
					}
				}
			}
			knnFile := "knn_scores_k_5.csv"
			gFile := "gaussian_scores_eps_0.027860.csv"
			if mode == neighbors.KFold {
				knnFile, gFile = "knn_kfold_scores_k_5.csv", "gaussian_kfold_scores_eps_0.027860.csv"
			}
			kref := neighborstest.CSV(t, "reference/smearing/"+knnFile)
			gref := neighborstest.CSV(t, "reference/smearing/"+gFile)
			for i := 0; i < 500; i++ {
				l := f.klist[i]
				if len(l) != 5 {
					t.Fatalf("%s jet %d: %d nearest (ties included), want 5", knnFile, i, len(l))
				}
				var ns, nb float64
				for _, x := range l {
					if x.Label == 1 {
						ns++
					} else {
						nb++
					}
				}
				if l[4].Distance != kref.Col(t, "radius")[i] || ns != kref.Col(t, "n_s")[i] || nb != kref.Col(t, "n_b")[i] {
					t.Fatalf("%s jet %d: radius %v n_s %v n_b %v; want %v %v %v", knnFile, i, l[4].Distance, ns, nb,
						kref.Col(t, "radius")[i], kref.Col(t, "n_s")[i], kref.Col(t, "n_b")[i])
				}
				for _, c := range []struct {
					got, want float64
					name      string
				}{{f.gaussS[i][0], gref.Col(t, "w_s")[i], "w_s"}, {f.gaussB[i][0], gref.Col(t, "w_b")[i], "w_b"}} {
					if math.Abs(c.got-c.want) > 1e-12*math.Abs(c.want) {
						t.Fatalf("%s jet %d: %s = %.17g, want %.17g", gFile, i, c.name, c.got, c.want)
					}
				}
			}
		})
	}
}

// TestReferenceNearest checks leave-one-out nearest neighbours against
// reference/evt/nn_distances_500.csv (distances and indices exactly).
func TestReferenceNearest(t *testing.T) {
	m, labels := neighborstest.Matrix(t)
	setup, err := neighbors.Prepare(m.Len(), labels, nil, neighbors.Config{Mode: neighbors.LOO})
	if err != nil {
		t.Fatal(err)
	}
	nn, _, err := neighbors.Nearest(context.Background(), m, setup, neighbors.Config{TileSize: 37})
	if err != nil {
		t.Fatal(err)
	}
	ref := neighborstest.CSV(t, "reference/evt/nn_distances_500.csv")
	for i := 0; i < 500; i++ {
		if nn.Dist[i] != ref.Col(t, "nn_distance")[i] || float64(nn.Index[i]) != ref.Col(t, "nn_jet")[i] {
			t.Fatalf("jet %d: nearest %d at %v, want %v at %v", i, nn.Index[i], nn.Dist[i], ref.Col(t, "nn_jet")[i], ref.Col(t, "nn_distance")[i])
		}
		// The per-class nearest is the overall one for the neighbour's class.
		lab := ref.Col(t, "nn_label")[i]
		d, j := nn.DistB[i], nn.IndexB[i]
		if lab == 1 {
			d, j = nn.DistS[i], nn.IndexS[i]
		}
		if d != nn.Dist[i] || j != nn.Index[i] {
			t.Fatalf("jet %d: per-class nearest (%v, %d) disagrees with overall (%v, %d)", i, d, j, nn.Dist[i], nn.Index[i])
		}
		if math.Min(nn.DistS[i], nn.DistB[i]) != nn.Dist[i] {
			t.Fatalf("jet %d: min of per-class nearest %v, %v is not %v", i, nn.DistS[i], nn.DistB[i], nn.Dist[i])
		}
	}
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TestReferenceLadder checks SubsetNearest against
// reference/evt/scaling_ladder.csv: for the prefixes N = 50..400, the
// median and mean of the leave-one-out nearest-neighbour distances inside
// each subset (1e-12).
func TestReferenceLadder(t *testing.T) {
	m, _ := neighborstest.Matrix(t)
	ref := neighborstest.CSV(t, "reference/evt/scaling_ladder.csv")
	var subsets [][]int
	for _, n := range ref.Col(t, "N") {
		sub := make([]int, int(n))
		for i := range sub {
			sub[i] = i
		}
		subsets = append(subsets, sub)
	}
	dist, _, err := neighbors.SubsetNearest(context.Background(), m, subsets, neighbors.Config{TileSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	for k, d := range dist {
		var sum float64
		for _, x := range d {
			sum += x
		}
		med, mean := median(d), sum/float64(len(d))
		if math.Abs(med-ref.Col(t, "median_nn")[k]) > 1e-12 || math.Abs(mean-ref.Col(t, "mean_nn")[k]) > 1e-12 {
			t.Errorf("N=%d: median %v mean %v, want %v %v", len(d), med, mean, ref.Col(t, "median_nn")[k], ref.Col(t, "mean_nn")[k])
		}
	}
}

// TestTileAndWorkerInvariance runs the same request with several tile
// sizes and worker counts, in every mode, and requires identical batches
// (bit for bit, including the Gaussian sums).
func TestTileAndWorkerInvariance(t *testing.T) {
	m, labels := neighborstest.Matrix(t)
	req := plugin.NeighborRequest{
		Radii:          []float64{0.01, 0.02, 0.05},
		KNearest:       7,
		GaussianWidths: []float64{0.003, 0.03, 0.3},
		ListRadius:     0.015,
	}
	var queries, refs []int
	for i := 0; i < 500; i++ {
		if j := 499 - i; j%3 == 0 {
			queries = append(queries, j) // scattered, descending: exercises Pairs
		}
		if i%3 != 0 {
			refs = append(refs, i)
		}
	}
	modes := []neighbors.Config{
		{Mode: neighbors.KFold},
		{Mode: neighbors.KFold, Folds: 4, ShuffleFolds: true, Seed: 3},
		{Mode: neighbors.LOO},
		{Mode: neighbors.LOOKeepSelf},
		{Mode: neighbors.Reference, Queries: queries, Reference: refs},
	}
	for _, base := range modes {
		t.Run(string(base.Mode), func(t *testing.T) {
			setup, err := neighbors.Prepare(m.Len(), labels, nil, base)
			if err != nil {
				t.Fatal(err)
			}
			var want []*plugin.NeighborBatch
			for _, v := range []struct{ tile, workers, batch int }{{500, 1, 1000}, {1, 2, 77}, {7, 3, 500}, {64, 2, 1}, {129, 4, 64}} {
				cfg := base
				cfg.TileSize, cfg.Workers, cfg.BatchSize = v.tile, v.workers, v.batch
				got := flatten(collect(t, m, setup, cfg, req))
				if want == nil {
					want = collect(t, m, setup, cfg, req)
					continue
				}
				w := flatten(want)
				if fmt.Sprint(got) != fmt.Sprint(w) {
					t.Fatalf("tile %d, %d workers: results differ from tile 500, 1 worker", v.tile, v.workers)
				}
				for i := range w.gaussS {
					for k := range w.gaussS[i] {
						if got.gaussS[i][k] != w.gaussS[i][k] || got.gaussB[i][k] != w.gaussB[i][k] {
							t.Fatalf("tile %d: Gaussian sum of query %d differs in the last bits", v.tile, i)
						}
					}
				}
			}
		})
	}
}
