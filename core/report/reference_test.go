package report

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// readCSV reads a reference CSV into its header and float rows ("inf" is
// +Inf, as the references write it).
func readCSV(t *testing.T, rel string) (map[string]int, [][]float64) {
	t.Helper()
	recs := sharedtest.ReadCSV(t, rel)
	col := map[string]int{}
	for i, n := range recs[0] {
		col[n] = i
	}
	rows := make([][]float64, 0, len(recs)-1)
	for li, r := range recs[1:] {
		row := make([]float64, len(r))
		for i, s := range r {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s line %d: %v", rel, li+2, err)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	return col, rows
}

func relClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(math.Abs(a), math.Abs(b))
}

// TestLocalSlopesReference: the local slopes the report computes from the
// ladder medians (when the engine gives none) match
// reference/evt/scaling_fit.json to 1e-12 (README-analysis.md, evt
// tolerances: "Ladder medians, means, slopes and intercepts: 1e-12").
func TestLocalSlopesReference(t *testing.T) {
	col, rows := readCSV(t, "reference/evt/scaling_ladder.csv")
	var ref struct {
		Median struct {
			LocalSlopes []float64 `json:"local_slopes"`
			Pairs       [][2]int  `json:"local_slope_pairs"`
		} `json:"median"`
	}
	sharedtest.ReadJSON(t, "reference/evt/scaling_fit.json", &ref)
	var pts []LadderPoint
	for _, r := range rows {
		pts = append(pts, LadderPoint{N: int(r[col["N"]]), Median: r[col["median_nn"]], Mean: r[col["mean_nn"]]})
	}
	got, computed := localSlopes(pts, &Scaling{Points: pts})
	if !computed || len(got) != len(ref.Median.LocalSlopes) {
		t.Fatalf("computed %v: %d slopes, want %d", computed, len(got), len(ref.Median.LocalSlopes))
	}
	for i, l := range got {
		if l.N1 != ref.Median.Pairs[i][0] || l.N2 != ref.Median.Pairs[i][1] {
			t.Errorf("slope %d between %d and %d, want %v", i, l.N1, l.N2, ref.Median.Pairs[i])
		}
		if !relClose(l.Slope, ref.Median.LocalSlopes[i], 1e-12) {
			t.Errorf("slope %d = %.17g, want %.17g", i, l.Slope, ref.Median.LocalSlopes[i])
		}
	}
	// Given slopes are used as they are.
	given := []LocalSlope{{N1: 1, N2: 2, Slope: -9}}
	if got, computed := localSlopes(pts, &Scaling{Local: given}); computed || got[0].Slope != -9 {
		t.Error("given local slopes were not used")
	}
}

// TestQuantileReference: the report's quantiles (tables of the distance
// and extreme-value sections) use numpy's linear interpolation; the median
// and mean of the 500 nearest-neighbour distances match the nn_summary of
// reference/evt/nn_weibull_fit.json.
func TestQuantileReference(t *testing.T) {
	col, rows := readCSV(t, "reference/evt/nn_distances_500.csv")
	v := make([]float64, len(rows))
	for i, r := range rows {
		v[i] = r[col["nn_distance"]]
	}
	var ref struct {
		All struct {
			NN struct{ Min, Median, Mean, Max float64 } `json:"nn_summary"`
		} `json:"all_500"`
	}
	sharedtest.ReadJSON(t, "reference/evt/nn_weibull_fit.json", &ref)
	s, bad := finiteSorted(v)
	if bad != 0 {
		t.Fatalf("%d non-finite distances", bad)
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"min", quantile(s, 0), ref.All.NN.Min},
		{"median", quantile(s, 0.5), ref.All.NN.Median},
		{"max", quantile(s, 1), ref.All.NN.Max},
		{"mean", meanOf(s), ref.All.NN.Mean},
	} {
		if !relClose(tc.got, tc.want, 1e-14) {
			t.Errorf("%s = %.17g, want %.17g", tc.name, tc.got, tc.want)
		}
	}
}

// referenceRun builds a report input from the reference files of the
// 500-jet sample: pair distances from the SEMD matrix, the K-fold ball,
// gaussian and kNN AUC tables, ROC curves from the per-jet ball scores,
// the leave-one-out ball table, the Weibull fit of the nearest-neighbour
// distances and the scaling ladder.
func referenceRun(t *testing.T) *Run {
	t.Helper()
	data, shape, err := npy.ReadFile(sharedtest.Path(t, "reference/smearing/semd_matrix_500.npy"))
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 || shape[0] != 500 || shape[1] != 500 {
		t.Fatalf("matrix shape %v", shape)
	}
	ncol, nrows := readCSV(t, "reference/evt/nn_distances_500.csv")
	label := make([]int8, len(nrows))
	nn := make([]float64, len(nrows))
	for i, r := range nrows {
		label[i], nn[i] = int8(r[ncol["label"]]), r[ncol["nn_distance"]]
	}
	d := Distances{Step: "distances", Metric: "semd", Unit: UnitNormalized}
	for i := 0; i < 500; i++ {
		for j := i + 1; j < 500; j++ {
			x := data[i*500+j]
			switch {
			case label[i] == 1 && label[j] == 1:
				d.QQ = append(d.QQ, x)
			case label[i] == 0 && label[j] == 0:
				d.GG = append(d.GG, x)
			default:
				d.QG = append(d.QG, x)
			}
		}
	}
	s, _ := finiteSorted(nn)
	nnScale := quantile(s, 0.5)
	const meanPt = 525.0 // GeV, a representative scale for the example (the sample has pT in [500, 550])

	smear := func(step, smearer, file, axis, mode string) Smearing {
		col, rows := readCSV(t, "reference/smearing/"+file)
		sm := Smearing{Step: step, Smearer: smearer, Input: "distances", Metric: "semd", MetricUnit: UnitNormalized, Axis: axis, Mode: mode,
			Queries: 500, Signal: 247, Background: 253, GeVScale: meanPt, NNScale: nnScale}
		for _, r := range rows {
			p := SmearPoint{X: r[0], AUC: r[col["auc"]], AUCLo: nan, AUCHi: nan, Rejection: r[col["bg_rejection_at_sig_eff_0.5"]], RejectionLo: nan, RejectionHi: nan}
			if c, ok := col["n_empty_balls"]; ok {
				p.Empty = r[c]
			}
			if c, ok := col["median_radius"]; ok {
				p.Radius = r[c]
			}
			sm.Points = append(sm.Points, p)
		}
		return sm
	}
	ball := smear("ball", "ball", "ball_kfold_auc.csv", "eps", "kfold")
	for _, f := range []string{"0.010768", "0.027860", "0.072084"} {
		col, rows := readCSV(t, "reference/smearing/ball_kfold_scores_eps_"+f+".csv")
		lab := make([]int8, len(rows))
		sc := make([]float64, len(rows))
		for i, r := range rows {
			lab[i], sc[i] = int8(r[col["label"]]), r[col["score"]]
		}
		c, err := roc.ROC(lab, sc, nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := roc.AUC(lab, sc, nil)
		if err != nil {
			t.Fatal(err)
		}
		ball.ROCs = append(ball.ROCs, ROC{Label: "ε = " + f, SignalEff: c.TPR, BackgroundEff: c.FPR, AUC: a})
	}
	loo := smear("ball_loo", "ball", "ball_loo_auc.csv", "eps", "loo")
	loo.Input = "distances_loo" // keep it out of the K-fold overlay

	// Weibull fit of the nearest-neighbour distances.
	var wf struct {
		All struct {
			MLE    struct{ C, Scale float64 } `json:"mle"`
			SE     struct{ C, Scale float64 } `json:"stderr_observed_information"`
			LogLik float64                    `json:"loglik_at_mle"`
			AIC    float64                    `json:"aic"`
			KS     float64                    `json:"ks_statistic"`
			KSP    float64                    `json:"ks_pvalue_naive"`
			AD     float64                    `json:"anderson_darling_A2"`
		} `json:"all_500"`
	}
	sharedtest.ReadJSON(t, "reference/evt/nn_weibull_fit.json", &wf)
	k, lam := wf.All.MLE.C, wf.All.MLE.Scale
	fit := Fit{Family: "weibull_min", N: 500, LogLik: wf.All.LogLik, AIC: wf.All.AIC, KS: wf.All.KS, KSPValue: nan, AD: wf.All.AD, ADPValue: nan, Converged: true,
		Message: "KS p (naive, not bootstrapped) = " + strconv.FormatFloat(wf.All.KSP, 'g', 3, 64),
		Params:  []Param{{Name: "c", Value: k, StdErr: wf.All.SE.C}, {Name: "loc", Value: 0, Fixed: true}, {Name: "scale", Value: lam, StdErr: wf.All.SE.Scale}}}
	for i := 0; i <= 200; i++ {
		x := 0.04 * float64(i) / 200
		fit.Eval, fit.PDF = append(fit.Eval, x), append(fit.PDF, weibullPDF(x, k, lam))
	}
	for i := 1; i < 100; i++ {
		p := float64(i) / 100
		fit.Probabilities, fit.Quantiles = append(fit.Probabilities, p), append(fit.Quantiles, weibullQ(p, k, lam))
	}
	lcol, lrows := readCSV(t, "reference/evt/scaling_ladder.csv")
	var sf struct {
		Median struct{ Slope, Intercept float64 }
		Mean   struct{ Slope, Intercept float64 }
	}
	sharedtest.ReadJSON(t, "reference/evt/scaling_fit.json", &sf)
	sc := &Scaling{Median: PowerLaw{Slope: sf.Median.Slope, SlopeErr: nan, Intercept: sf.Median.Intercept}, Mean: PowerLaw{Slope: sf.Mean.Slope, SlopeErr: nan, Intercept: sf.Mean.Intercept}}
	for _, r := range lrows {
		sc.Points = append(sc.Points, LadderPoint{N: int(r[lcol["N"]]), Median: r[lcol["median_nn"]], Mean: r[lcol["mean_nn"]],
			MedianLo: nan, MedianHi: nan, MeanLo: nan, MeanHi: nan, WeibullShape: r[lcol["weibull_shape_mle"]]})
	}
	return &Run{
		Title: "smearflow reference example: 500 Pythia 8 jets",
		Notes: []string{"Built from the files of ../shared/reference (no bootstrap bands there)."},
		Provenance: Provenance{Workflow: "reference-example", File: "reference/README-analysis.md", Seed: 1,
			Steps: []Step{{Name: "distances", Kind: "metric", Plugin: "semd", Version: "0.1.0", Origin: "builtin", Params: map[string]any{"beta": 1.0, "normalize": true}}}},
		Distances: []Distances{d},
		Smearing:  []Smearing{ball, smear("gaussian", "gaussian", "gaussian_kfold_auc.csv", "eps", "kfold"), smear("knn", "knn", "knn_kfold_auc.csv", "k", "kfold"), loo},
		Extremes:  []Extremes{{Step: "nearest", Sample: "nearest-neighbour SEMD distance", Unit: UnitNormalized, Values: nn, Fits: []Fit{fit}, Scaling: sc}},
	}
}

// TestReferenceReport renders the reference example (kept in
// $REPORT_EXAMPLE_DIR when set) and checks that the key reference numbers
// reach the page: the ball's peak AUC 0.750060 at eps = 0.021967 and the
// gaussian's 0.760686 at 0.013657 (README-analysis.md, K-fold).
func TestReferenceReport(t *testing.T) {
	run := referenceRun(t)
	dir := os.Getenv("REPORT_EXAMPLE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if _, err := Write(dir, run); err != nil {
		t.Fatal(err)
	}
	doc, _ := parseReport(t, dir)
	cmp := textOf(sectionByTitle(doc, "Comparisons"))
	for _, want := range []string{"0.7501", "0.02197", "0.7607", "0.01366", "median distance to the k-th neighbour"} {
		if !strings.Contains(cmp, want) {
			t.Errorf("comparison section lacks %q", want)
		}
	}
	if txt := textOf(sectionByTitle(doc, "Smearing: ball_loo (biased: leave-one-out)")); !strings.Contains(txt, "leave-one-out") {
		t.Error("leave-one-out section is not flagged")
	}
	if txt := textOf(sectionByTitle(doc, "Extreme values: nearest")); !strings.Contains(txt, "2.33874") || !strings.Contains(txt, "-0.06955") {
		t.Error("extreme-value section lacks the Weibull shape 2.33874 or the local slope -0.06955")
	}
}
