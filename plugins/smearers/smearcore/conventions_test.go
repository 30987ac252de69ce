package smearcore_test

import (
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/neighbors/neighborstest"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
	"github.com/smearflow/smearflow/plugins/smearers/gaussian"
	"github.com/smearflow/smearflow/plugins/smearers/knn"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

// TestConventionComparison checks the three project modes of
// reference/smearing/loo_convention_comparison.csv for every smearer and
// parameter (columns auc_loo_query_leaves_class_total,
// auc_loo_keep_self_in_total and auc_kfold, 1e-12). The leave-pair-out
// column is a diagnostic of the reference, not a project mode, and is not
// recomputed.
func TestConventionComparison(t *testing.T) {
	tb := neighborstest.CSV(t, smeartest.Dir+"loo_convention_comparison.csv")
	rows := readRows(t)
	smearers := map[string]plugin.Smearer{"ball": ball.New(), "gaussian": gaussian.New(), "knn": knn.New()}
	cols := map[neighbors.Mode]string{
		neighbors.LOO:         "auc_loo_query_leaves_class_total",
		neighbors.LOOKeepSelf: "auc_loo_keep_self_in_total",
		neighbors.KFold:       "auc_kfold",
	}
	checked := 0
	for name, sm := range smearers {
		var raw []any
		var idx []int
		for r, s := range rows {
			if s != name {
				continue
			}
			idx = append(idx, r)
			x := tb.Col(t, "param")[r]
			if name == "knn" {
				raw = append(raw, int64(x))
			} else {
				raw = append(raw, x)
			}
		}
		key := "eps"
		if name == "knn" {
			key = "k"
		}
		for mode, col := range cols {
			res := smeartest.Run(t, sm, map[string]any{key: raw}, mode)
			for p, r := range idx {
				want := tb.Col(t, col)[r]
				if got := res.PerPoint[p].AUC; got-want > 1e-12 || want-got > 1e-12 {
					t.Errorf("%s %s=%v %s: AUC %.17g, want %.17g", name, key, tb.Col(t, "param")[r], col, got, want)
				}
				checked++
			}
		}
	}
	if checked != 3*tb.Rows {
		t.Errorf("checked %d values, want %d", checked, 3*tb.Rows)
	}
}
