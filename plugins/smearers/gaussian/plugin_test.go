package gaussian

import (
	"context"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

func TestInfo(t *testing.T) {
	info, plan := smeartest.DefaultPlan(t, New())
	if info.Kind != plugin.KindSmearer || info.Name != "gaussian" || info.Version != "0.1.0" {
		t.Errorf("info %+v", info)
	}
	if len(plan.Points) != 25 || len(plan.Needs.GaussianWidths) != 25 {
		t.Errorf("default plan %+v", plan)
	}
}

// TestReferenceKFold checks gaussian_kfold_auc.csv (AUC, rejection and its
// ROC point to 1e-12 with the product form of P; zero-weight queries and
// scores exactly 1 and 0 exactly), the per-jet file (sums through the
// count w_s + w_b and scores to 1e-12 relative) and summary.json.
func TestReferenceKFold(t *testing.T) {
	eps, raw := smeartest.Axis(t, "gaussian_kfold_auc.csv")
	res := smeartest.Run(t, New(), map[string]any{"eps": raw}, neighbors.KFold)
	checks := append(smeartest.ROCChecks,
		smeartest.Check{Col: "n_zero_weight", Get: smeartest.Empty, Tol: -1},
		smeartest.Check{Col: "n_score_exactly_1", Get: func(p neighbors.PointResult) float64 { return float64(p.ScoreOne) }, Tol: -1},
		smeartest.Check{Col: "n_score_exactly_0", Get: func(p neighbors.PointResult) float64 { return float64(p.ScoreZero) }, Tol: -1},
	)
	smeartest.CheckAUCFile(t, res, "gaussian_kfold_auc.csv", checks)
	n := smeartest.CheckPerJet(t, res, "gaussian_kfold_scores_eps_0.027860.csv", eps[14], 1e-12)
	checkSums(t, res, "gaussian_kfold_scores_eps_0.027860.csv", eps[14], n)
	sum := smeartest.Summary(t)["kfold"].(map[string]any)
	smeartest.CheckSummaryMap(t, res, "kfold.gaussian_auc", sum["gaussian_auc"], smeartest.AUC, 1e-12)
	smeartest.CheckSummaryMap(t, res, "kfold.gaussian_n_zero_weight", sum["gaussian_n_zero_weight"], smeartest.Empty, -1)
	peak := sum["gaussian_peak"].(map[string]any)
	if b := res.Best(); res.Points[b] != peak["eps"].(float64) || b != int(peak["grid_index"].(float64)) {
		t.Errorf("peak at grid index %d (eps %v), summary.json says %v", b, res.Points[b], peak)
	}
}

// checkSums compares w_s + w_b (the plugin's count) with the file, 1e-12
// relative.
func checkSums(t *testing.T, res *neighbors.Result, file string, eps float64, n int) {
	t.Helper()
	tb := smeartestCSV(t, file)
	p := 0
	for i, x := range res.Points {
		if x == eps {
			p = i
		}
	}
	for k := 0; k < n; k++ {
		want := tb["w_s"][k] + tb["w_b"][k]
		if got := res.Counts[k*len(res.Points)+p]; got < want*(1-1e-12) || got > want*(1+1e-12) {
			t.Fatalf("%s jet %d: w_s + w_b = %.17g, want %.17g", file, k, got, want)
		}
	}
}

// TestReferenceLOO checks gaussian_auc.csv (+ _keep_self_in_total), the
// loo per-jet file and the top-level summary.json keys. The reference
// evaluates P literally for loo; the product form gives the same AUC
// there (summary.json: gaussian_auc_formula_sensitivity = 0).
func TestReferenceLOO(t *testing.T) {
	eps, raw := smeartest.Axis(t, "gaussian_auc.csv")
	sum := smeartest.Summary(t)
	checks := append(smeartest.ROCChecks, smeartest.Check{Col: "n_zero_weight", Get: smeartest.Empty, Tol: -1})
	for _, c := range []struct {
		mode   neighbors.Mode
		suffix string
	}{{neighbors.LOO, ""}, {neighbors.LOOKeepSelf, "_keep_self_in_total"}} {
		res := smeartest.Run(t, New(), map[string]any{"eps": raw}, c.mode)
		smeartest.CheckAUCFile(t, res, "gaussian_auc"+c.suffix+".csv", checks)
		smeartest.CheckSummaryMap(t, res, "gaussian_auc"+c.suffix, sum["gaussian_auc"+c.suffix], smeartest.AUC, 1e-12)
		if c.mode == neighbors.LOO {
			n := smeartest.CheckPerJet(t, res, "gaussian_scores_eps_0.027860.csv", eps[14], 1e-12)
			checkSums(t, res, "gaussian_scores_eps_0.027860.csv", eps[14], n)
		}
	}
}

func TestSmearErrors(t *testing.T) {
	params, _ := New().Info().Params.Resolve(map[string]any{"eps": []any{0.1}})
	b := &plugin.NeighborBatch{Queries: []int32{2}, Label: []int8{1}, Weight: []float64{1}, NormS: []float64{4}, NormB: []float64{5},
		GaussianWidths: []float64{0.1}, GaussS: []float64{0}, GaussB: []float64{0}}
	sb, err := New().Smear(context.Background(), params, b)
	if err != nil || sb.Scores[0] != 0.5 || !sb.Empty[0] {
		t.Errorf("zero sums: %+v, %v", sb, err)
	}
	b.GaussB = nil
	if _, err := New().Smear(context.Background(), params, b); err == nil || !strings.Contains(err.Error(), "Gaussian sums") {
		t.Errorf("missing sums: %v", err)
	}
	zero, _ := New().Info().Params.Resolve(map[string]any{"eps": []any{0.0}})
	if _, err := New().Plan(zero); err == nil {
		t.Error("width 0 accepted")
	}
}
