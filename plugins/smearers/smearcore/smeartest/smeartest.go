// Package smeartest runs a smearer plugin over the shared reference matrix
// (reference/smearing/semd_matrix_500.npy) through the full host path —
// neighbors.MatrixSpace → neighbors engine → the plugin → roc — and
// compares the results with the reference files of
// reference/smearing/ (README-analysis.md "smearing/"). It is for tests.
package smeartest

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/neighbors/neighborstest"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// Dir is the reference folder, relative to the shared folder.
const Dir = "reference/smearing/"

// Run resolves raw against the plugin's spec and smears the 500 reference
// jets in the given mode (tiles of 64 jets, 50 bootstrap replicates).
func Run(t testing.TB, sm plugin.Smearer, raw map[string]any, mode neighbors.Mode) *neighbors.Result {
	t.Helper()
	m, labels := neighborstest.Matrix(t)
	params, err := sm.Info().Params.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg := neighbors.SmearConfig{
		Config:    neighbors.Config{Mode: mode, TileSize: 64},
		Bootstrap: roc.BootstrapConfig{N: 50, Confidence: 0.68, Seed: 1},
	}
	res, err := neighbors.Smear(context.Background(), m, labels, nil, cfg, sm, params)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// DefaultPlan checks that sm's Info passes Info.Check and returns it with
// the plan of sm's default parameters, failing the test on any error.
func DefaultPlan(t testing.TB, sm plugin.Smearer) (plugin.Info, plugin.SmearPlan) {
	t.Helper()
	info := sm.Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	params, err := info.Params.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := sm.Plan(params)
	if err != nil {
		t.Fatalf("default plan: %v", err)
	}
	return info, plan
}

// LineLOO smears eight jets on a line through the host — quarks at
// 0, 1, 2, 3 and gluons at 2.5, 3.5, 4.5, 5.5, distance |x_i - x_j| in a
// neighbors.MatrixSpace — with leave-one-out reference sets (biased, see
// neighbors.LOO; the default K-fold mode needs more jets) and no
// bootstrap, after resolving raw against sm's spec. It is the set-up of
// the smearer plugins' examples.
func LineLOO(sm plugin.Smearer, raw map[string]any) (*neighbors.Result, error) {
	x := []float64{0, 1, 2, 3, 2.5, 3.5, 4.5, 5.5}
	labels := []int8{1, 1, 1, 1, 0, 0, 0, 0}
	d := make([]float64, len(x)*len(x))
	for i := range x {
		for j := range x {
			d[i*len(x)+j] = math.Abs(x[i] - x[j])
		}
	}
	space, err := neighbors.MatrixSpace(len(x), d)
	if err != nil {
		return nil, err
	}
	params, err := sm.Info().Params.Resolve(raw)
	if err != nil {
		return nil, err
	}
	cfg := neighbors.SmearConfig{Config: neighbors.Config{Mode: neighbors.LOO}, Bootstrap: roc.BootstrapConfig{N: 0}}
	return neighbors.Smear(context.Background(), space, labels, nil, cfg, sm, params)
}

// Axis returns the first column (eps or k) of a reference AUC file, as
// floats (the exact grid to scan) and as raw values for parameters.
func Axis(t testing.TB, file string) ([]float64, []any) {
	t.Helper()
	tb := neighborstest.CSV(t, Dir+file)
	col := tb.Col(t, tb.Header[0])
	raw := make([]any, len(col))
	for i, x := range col {
		raw[i] = x
	}
	return col, raw
}

// Check compares one reference column with a per-point value; Tol < 0
// means exact equality (infinities must match).
type Check struct {
	Col string
	Get func(neighbors.PointResult) float64
	Tol float64
}

// ROCChecks are the columns every AUC file has: AUC, background
// rejection at 50% signal efficiency and its ROC point, all to 1e-12.
var ROCChecks = []Check{
	{"auc", func(p neighbors.PointResult) float64 { return p.AUC }, 1e-12},
	{"bg_rejection_at_sig_eff_0.5", func(p neighbors.PointResult) float64 { return p.Rejection }, 1e-12},
	{"fpr_at", func(p neighbors.PointResult) float64 { return p.FPRAt }, 1e-12},
	{"tpr_at", func(p neighbors.PointResult) float64 { return p.TPRAt }, 1e-12},
	{"threshold_at", func(p neighbors.PointResult) float64 { return p.ThresholdAt }, 1e-12},
}

func same(got, want, tol float64) bool {
	if math.IsInf(want, 0) || math.IsInf(got, 0) || tol < 0 {
		return got == want
	}
	return math.Abs(got-want) <= tol
}

// CheckAUCFile compares every row of a reference AUC file with the
// result: the axis values exactly, then every check.
func CheckAUCFile(t testing.TB, res *neighbors.Result, file string, checks []Check) {
	t.Helper()
	tb := neighborstest.CSV(t, Dir+file)
	if tb.Rows != len(res.PerPoint) {
		t.Fatalf("%s: %d rows, the result has %d points", file, tb.Rows, len(res.PerPoint))
	}
	axis := tb.Col(t, tb.Header[0])
	for p, pr := range res.PerPoint {
		if pr.Value != axis[p] {
			t.Fatalf("%s row %d: %s = %v, result has %v", file, p+1, tb.Header[0], axis[p], pr.Value)
		}
		for _, c := range checks {
			want := tb.Col(t, c.Col)[p]
			if got := c.Get(pr); !same(got, want, c.Tol) {
				t.Errorf("%s %s=%v: %s = %.17g, want %.17g", file, tb.Header[0], axis[p], c.Col, got, want)
			}
		}
	}
}

// CheckPerJet compares a per-jet reference file at the given axis value:
// labels, folds (when the file has them) and normalisers exactly, the
// score to scoreTol relative (0 = bit for bit), and the smearer's count
// with the sum of countCols exactly (countCols may be empty). It returns
// the number of jets compared.
func CheckPerJet(t testing.TB, res *neighbors.Result, file string, value float64, scoreTol float64, countCols ...string) int {
	t.Helper()
	tb := neighborstest.CSV(t, Dir+file)
	p := -1
	for i, x := range res.Points {
		if x == value {
			p = i
		}
	}
	if p < 0 {
		t.Fatalf("%s: the result has no point %v", file, value)
	}
	if tb.Rows != len(res.Labels) {
		t.Fatalf("%s: %d jets, the result has %d", file, tb.Rows, len(res.Labels))
	}
	hasFold := false
	for _, h := range tb.Header {
		hasFold = hasFold || h == "fold"
	}
	for k := 0; k < tb.Rows; k++ {
		jet := tb.Col(t, "jet")[k]
		if float64(res.Setup.Queries[k]) != jet || float64(res.Labels[k]) != tb.Col(t, "label")[k] {
			t.Fatalf("%s line %d: jet %v label %v, result has jet %d label %d", file, k+2, jet, tb.Col(t, "label")[k], res.Setup.Queries[k], res.Labels[k])
		}
		if hasFold && float64(res.Setup.QueryFold(k)) != tb.Col(t, "fold")[k] {
			t.Fatalf("%s jet %v: fold %d, want %v", file, jet, res.Setup.QueryFold(k), tb.Col(t, "fold")[k])
		}
		if res.Setup.NormS[k] != tb.Col(t, "N_s_ref")[k] || res.Setup.NormB[k] != tb.Col(t, "N_b_ref")[k] {
			t.Fatalf("%s jet %v: normalisers %v %v, want %v %v", file, jet, res.Setup.NormS[k], res.Setup.NormB[k], tb.Col(t, "N_s_ref")[k], tb.Col(t, "N_b_ref")[k])
		}
		got, want := res.Score(k, p), tb.Col(t, "score")[k]
		if scoreTol == 0 && got != want || scoreTol > 0 && math.Abs(got-want) > scoreTol*math.Abs(want) {
			t.Fatalf("%s jet %v: score %.17g, want %.17g", file, jet, got, want)
		}
		if len(countCols) > 0 {
			var c float64
			for _, name := range countCols {
				c += tb.Col(t, name)[k]
			}
			if got := res.Counts[k*len(res.Points)+p]; got != c {
				t.Fatalf("%s jet %v: count %v, want %v", file, jet, got, c)
			}
		}
	}
	return tb.Rows
}

// Summary returns reference/smearing/summary.json.
func Summary(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	sharedtest.ReadJSON(t, Dir+"summary.json", &m)
	return m
}

// CheckSummaryMap compares a summary.json object keyed by the axis value
// (Python repr of eps, or k) with a per-point value; null means +Inf.
// Every key must match a point and every point a key.
func CheckSummaryMap(t testing.TB, res *neighbors.Result, name string, obj any, get func(neighbors.PointResult) float64, tol float64) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("summary.json: %s is not an object", name)
	}
	if len(m) != len(res.PerPoint) {
		t.Fatalf("summary.json: %s has %d entries, the result %d points", name, len(m), len(res.PerPoint))
	}
	for key, v := range m {
		x, err := strconv.ParseFloat(key, 64)
		if err != nil {
			t.Fatalf("summary.json: %s key %q: %v", name, key, err)
		}
		want := math.Inf(1)
		if v != nil {
			want = v.(float64)
		}
		found := false
		for _, pr := range res.PerPoint {
			if pr.Value == x {
				found = true
				if got := get(pr); !same(got, want, tol) {
					t.Errorf("summary.json %s[%s] = %.17g, got %.17g", name, key, want, got)
				}
			}
		}
		if !found {
			t.Errorf("summary.json %s: key %s is not a point of the result", name, key)
		}
	}
}

// AUC returns the AUC of a per-point result.
func AUC(p neighbors.PointResult) float64 { return p.AUC }

// Empty returns the number of empty (information-free) scores.
func Empty(p neighbors.PointResult) float64 { return float64(p.Empty) }
