package knn

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/neighbors/neighborstest"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

func TestInfo(t *testing.T) {
	_, plan := smeartest.DefaultPlan(t, New())
	if plan.Axis != "k" || plan.Needs.KNearest != 34 || len(plan.Points) != 8 {
		t.Errorf("default plan %+v", plan)
	}
}

var ks = []any{int64(1), int64(2), int64(3), int64(5), int64(8), int64(13), int64(21), int64(34)}

// moreThanK counts queries whose ball holds more than k jets (ties at r_k).
func moreThanK(p neighbors.PointResult, res *neighbors.Result, idx int) float64 {
	var n float64
	for q := range res.Labels {
		if res.Counts[q*len(res.Points)+idx] > p.Value {
			n++
		}
	}
	return n
}

// radii returns r_k of every query for every k (by the engine, as the
// plugin sees them), to compare median_radius and mean_radius.
func radii(t *testing.T, mode neighbors.Mode) [][]float64 {
	m, labels := neighborstest.Matrix(t)
	setup, err := neighbors.Prepare(m.Len(), labels, nil, neighbors.Config{Mode: mode})
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]float64, len(ks))
	_, err = neighbors.Run(context.Background(), m, setup, neighbors.Config{Mode: mode}, plugin.NeighborRequest{KNearest: 34}, func(b *plugin.NeighborBatch) error {
		for q := range b.Queries {
			for i, k := range ks {
				r, ok := Radius(b.KList[b.KOffsets[q]:b.KOffsets[q+1]], int(k.(int64)))
				if !ok {
					t.Fatalf("jet %d: no radius for k = %v", b.Queries[q], k)
				}
				out[i] = append(out[i], r)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func medianMean(x []float64) (float64, float64) {
	s := slices.Clone(x)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	n := len(s)
	return (s[(n-1)/2] + s[n/2]) / 2, sum / float64(n)
}

// TestReference checks knn_kfold_auc.csv, knn_auc.csv and
// knn_auc_keep_self_in_total.csv (AUC, rejection and its ROC point to
// 1e-12; jets with more than k in the ball exactly; median and mean radius
// to 1e-12), the per-jet files knn_kfold_scores_k_5.csv and
// knn_scores_k_5.csv (scores bit for bit, n_s + n_b exactly) and the
// summary.json maps.
func TestReference(t *testing.T) {
	sum := smeartest.Summary(t)
	for _, c := range []struct {
		mode         neighbors.Mode
		file, perJet string
		summary      map[string]any
		key          string
	}{
		{neighbors.KFold, "knn_kfold_auc.csv", "knn_kfold_scores_k_5.csv", sum["kfold"].(map[string]any), "knn_auc"},
		{neighbors.LOO, "knn_auc.csv", "knn_scores_k_5.csv", sum, "knn_auc"},
		{neighbors.LOOKeepSelf, "knn_auc_keep_self_in_total.csv", "", sum, "knn_auc_keep_self_in_total"},
	} {
		t.Run(string(c.mode), func(t *testing.T) {
			res := smeartest.Run(t, New(), map[string]any{"k": ks}, c.mode)
			rad := radii(t, c.mode)
			checks := append(smeartest.ROCChecks, smeartest.Check{Col: "n_jets_with_more_than_k", Tol: -1,
				Get: func(p neighbors.PointResult) float64 {
					return moreThanK(p, res, slices.Index(res.Points, p.Value))
				}},
				smeartest.Check{Col: "median_radius", Tol: 1e-12, Get: func(p neighbors.PointResult) float64 {
					med, _ := medianMean(rad[slices.Index(res.Points, p.Value)])
					return med
				}},
				smeartest.Check{Col: "mean_radius", Tol: 1e-12, Get: func(p neighbors.PointResult) float64 {
					_, mean := medianMean(rad[slices.Index(res.Points, p.Value)])
					return mean
				}},
			)
			smeartest.CheckAUCFile(t, res, c.file, checks)
			smeartest.CheckSummaryMap(t, res, c.key, c.summary[c.key], smeartest.AUC, 1e-12)
			if c.perJet != "" {
				smeartest.CheckPerJet(t, res, c.perJet, 5, 0, "n_s", "n_b")
				ref := neighborstest.CSV(t, smeartest.Dir+c.perJet)
				for q, r := range ref.Col(t, "radius") {
					if rad[3][q] != r {
						t.Fatalf("%s jet %d: radius %v, want %v", c.perJet, q, rad[3][q], r)
					}
				}
			}
		})
	}
}

// TestTiesAtTheRadius checks inclusive counting when several jets tie at
// the k-th distance.
func TestTiesAtTheRadius(t *testing.T) {
	params, _ := New().Info().Params.Resolve(map[string]any{"k": []any{1, 2, 4}})
	list := []plugin.Neighbor{{Index: 5, Distance: 0.1, Label: 1, Weight: 1}, {Index: 2, Distance: 0.2, Label: 0, Weight: 1},
		{Index: 7, Distance: 0.2, Label: 1, Weight: 1}, {Index: 9, Distance: 0.2, Label: 0, Weight: 1}}
	b := &plugin.NeighborBatch{Queries: []int32{0}, Label: []int8{1}, Weight: []float64{1}, NormS: []float64{10}, NormB: []float64{10},
		KOffsets: []int{0, 4}, KList: list}
	sb, err := New().Smear(context.Background(), params, b)
	if err != nil {
		t.Fatal(err)
	}
	// k=1: (1, 0) -> 1; k=2 and k=4: radius 0.2 holds all four, (2, 2) -> 1/2.
	want := []float64{1, 0.5, 0.5}
	wantCount := []float64{1, 4, 4}
	for p := range want {
		if sb.Scores[p] != want[p] || sb.Counts[p] != wantCount[p] {
			t.Errorf("point %d: score %v count %v, want %v %v", p, sb.Scores[p], sb.Counts[p], want[p], wantCount[p])
		}
	}
	big, _ := New().Info().Params.Resolve(map[string]any{"k": []any{5}})
	if _, err := New().Smear(context.Background(), big, b); err == nil || !strings.Contains(err.Error(), "only 4") {
		t.Errorf("k above the list: %v", err)
	}
	dup, _ := New().Info().Params.Resolve(map[string]any{"k": []any{3, 3}})
	if _, err := New().Plan(dup); err == nil {
		t.Error("duplicate k accepted")
	}
	if _, err := New().Info().Params.Resolve(map[string]any{"k": []any{0}}); err == nil {
		t.Error("k = 0 accepted")
	}
}
