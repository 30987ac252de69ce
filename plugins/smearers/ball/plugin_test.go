package ball

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

func TestInfo(t *testing.T) {
	info, plan := smeartest.DefaultPlan(t, New())
	if info.Kind != plugin.KindSmearer || info.Name != "ball" || info.Version != "0.1.0" {
		t.Errorf("info %+v", info)
	}
	for _, p := range info.Params {
		if p.Doc == "" {
			t.Errorf("parameter %s has no doc", p.Name)
		}
	}
	// The default grid is numpy.geomspace(1e-3, 0.3, 25).
	if len(plan.Points) != 25 || plan.Points[0] != 1e-3 || plan.Points[24] != 0.3 || plan.Axis != "eps" {
		t.Errorf("default plan %+v", plan)
	}
}

var kfoldChecks = append(smeartest.ROCChecks,
	smeartest.Check{Col: "n_empty_balls", Get: smeartest.Empty, Tol: -1},
	smeartest.Check{Col: "mean_ball_count", Get: func(p neighbors.PointResult) float64 { return p.MeanCount }, Tol: 1e-12},
	smeartest.Check{Col: "n_full_balls", Get: func(p neighbors.PointResult) float64 { return float64(p.Full) }, Tol: -1},
)

// TestReferenceKFold runs the full path (matrix space → engine → ball →
// roc) in K-fold mode and checks reference/smearing/ball_kfold_auc.csv
// (AUC, rejection and its ROC point to 1e-12; empty and full balls and the
// mean count exactly), the three per-jet files (scores bit for bit, counts
// exactly) and summary.json["kfold"].
func TestReferenceKFold(t *testing.T) {
	eps, raw := smeartest.Axis(t, "ball_kfold_auc.csv")
	res := smeartest.Run(t, New(), map[string]any{"eps": raw}, neighbors.KFold)
	smeartest.CheckAUCFile(t, res, "ball_kfold_auc.csv", kfoldChecks)
	for _, f := range []struct {
		file string
		idx  int
	}{{"ball_kfold_scores_eps_0.010768.csv", 10}, {"ball_kfold_scores_eps_0.027860.csv", 14}, {"ball_kfold_scores_eps_0.072084.csv", 18}} {
		smeartest.CheckPerJet(t, res, f.file, eps[f.idx], 0, "n_s", "n_b")
	}
	sum := smeartest.Summary(t)["kfold"].(map[string]any)
	smeartest.CheckSummaryMap(t, res, "kfold.ball_auc", sum["ball_auc"], smeartest.AUC, 1e-12)
	smeartest.CheckSummaryMap(t, res, "kfold.ball_n_empty", sum["ball_n_empty"], smeartest.Empty, -1)
	smeartest.CheckSummaryMap(t, res, "kfold.ball_bg_rejection_at_sig_eff_0.5", sum["ball_bg_rejection_at_sig_eff_0.5"],
		func(p neighbors.PointResult) float64 { return p.Rejection }, 1e-12)
	peak := sum["ball_peak"].(map[string]any)
	b := res.Best()
	if res.Points[b] != peak["eps"].(float64) || b != int(peak["grid_index"].(float64)) ||
		math.Abs(res.PerPoint[b].AUC-peak["auc"].(float64)) > 1e-12 || res.PerPoint[b].Empty != int(peak["n_empty_balls"].(float64)) {
		t.Errorf("peak at %d (eps %v, AUC %v, %d empty), summary.json says %v", b, res.Points[b], res.PerPoint[b].AUC, res.PerPoint[b].Empty, peak)
	}
	// At eps = 0.3 every ball is full and P = N_s N_b / (2 N_s N_b) = 1/2 exactly.
	last := res.PerPoint[len(res.PerPoint)-1]
	if last.Full != 500 || last.AUC != 0.5 {
		t.Errorf("eps = 0.3: %d full balls, AUC %v; want 500 and exactly 0.5", last.Full, last.AUC)
	}
	// Bands bracket the AUC where the AUC is not degenerate.
	for _, p := range res.PerPoint {
		if p.AUC != 0.5 && !(p.AUCBand.Lo <= p.AUC && p.AUC <= p.AUCBand.Hi) {
			t.Errorf("eps %v: AUC %v outside its bootstrap band %+v", p.Value, p.AUC, p.AUCBand)
		}
	}
}

// TestReferenceLOO checks both leave-one-out conventions:
// ball_loo_auc.csv (+ _keep_self_in_total), the three loo per-jet files,
// the top-level summary.json keys and loo_convention_comparison.csv.
func TestReferenceLOO(t *testing.T) {
	eps, raw := smeartest.Axis(t, "ball_loo_auc.csv")
	looChecks := append(smeartest.ROCChecks,
		smeartest.Check{Col: "n_empty_balls", Get: smeartest.Empty, Tol: -1},
		smeartest.Check{Col: "mean_ball_count", Get: func(p neighbors.PointResult) float64 { return p.MeanCount }, Tol: 1e-12},
	)
	sum := smeartest.Summary(t)
	for _, c := range []struct {
		mode   neighbors.Mode
		suffix string
	}{{neighbors.LOO, ""}, {neighbors.LOOKeepSelf, "_keep_self_in_total"}} {
		res := smeartest.Run(t, New(), map[string]any{"eps": raw}, c.mode)
		if !res.Biased || res.BiasNote == "" {
			t.Errorf("%s: not labelled biased", c.mode)
		}
		smeartest.CheckAUCFile(t, res, "ball_loo_auc"+c.suffix+".csv", looChecks)
		smeartest.CheckSummaryMap(t, res, "ball_auc"+c.suffix, sum["ball_auc"+c.suffix], smeartest.AUC, 1e-12)
		if c.mode == neighbors.LOO {
			for _, f := range []struct {
				file string
				idx  int
			}{{"ball_scores_eps_0.010768.csv", 10}, {"ball_scores_eps_0.027860.csv", 14}, {"ball_scores_eps_0.072084.csv", 18}} {
				smeartest.CheckPerJet(t, res, f.file, eps[f.idx], 0, "n_s", "n_b")
			}
		} else if res.PerPoint[len(eps)-1].AUC != 0 {
			t.Errorf("keep-self at eps = 0.3: AUC %v, want exactly 0 (the documented bias)", res.PerPoint[len(eps)-1].AUC)
		}
	}
}

func TestSmearErrors(t *testing.T) {
	params, _ := New().Info().Params.Resolve(map[string]any{"eps": []any{0.1, 0.2}})
	ok := &plugin.NeighborBatch{Queries: []int32{3}, Label: []int8{1}, Weight: []float64{1}, NormS: []float64{4}, NormB: []float64{5},
		Radii: []float64{0.1, 0.2}, CountS: []float64{1, 2}, CountB: []float64{0, 3}}
	sb, err := New().Smear(context.Background(), params, ok)
	if err != nil {
		t.Fatal(err)
	}
	if sb.Scores[0] != 1 || sb.Scores[1] != 2.0*5/(2*5+3*4) || sb.Counts[1] != 5 || sb.Empty[0] {
		t.Errorf("scores %+v", sb)
	}
	cases := []struct {
		name string
		mod  func(b *plugin.NeighborBatch)
		want string
	}{
		{"missing_radius", func(b *plugin.NeighborBatch) { b.Radii = []float64{0.1, 0.3} }, "missing"},
		{"short_counts", func(b *plugin.NeighborBatch) { b.CountS = b.CountS[:1] }, "counts"},
		{"no_signal", func(b *plugin.NeighborBatch) { b.NormS = []float64{0} }, "jet 3"},
	}
	for _, c := range cases {
		b := *ok
		c.mod(&b)
		if _, err := New().Smear(context.Background(), params, &b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := New().Info().Params.Resolve(map[string]any{"eps": []any{-0.1}}); err == nil {
		t.Error("negative eps accepted")
	}
	dup, _ := New().Info().Params.Resolve(map[string]any{"eps": []any{0.1, 0.1}})
	if _, err := New().Plan(dup); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate eps: %v", err)
	}
}
