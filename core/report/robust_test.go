package report

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	nan = math.NaN()
	inf = math.Inf(1)
)

// TestNaNInfDoNotCrash feeds NaN, ±Inf and non-positive values on log
// axes into every plot; Write must succeed, skip those points and say so.
func TestNaNInfDoNotCrash(t *testing.T) {
	run := &Run{
		Provenance: Provenance{Workflow: "nan", Steps: []Step{{Name: "s", Params: map[string]any{"x": inf, "v": []float64{nan, 1}}}}},
		Distances: []Distances{
			{Step: "d", Metric: "m", Unit: UnitGeV, QQ: []float64{1, 2, nan, inf, 0, -1, 100, 300}, GG: []float64{nan, nan}, QG: nil, XScale: ScaleLog},
			{Step: "allbad", QQ: []float64{nan}, GG: []float64{inf}, QG: []float64{-inf}},
			{Step: "constant", QQ: []float64{0.5, 0.5}, GG: []float64{0.5}, QG: []float64{0.5}},
		},
		Smearing: []Smearing{
			{Step: "sm", Smearer: "ball", Input: "d", Axis: "eps", Queries: 10, GeVScale: 500, NNScale: inf, Points: []SmearPoint{
				{X: 0.01, AUC: nan, AUCLo: nan, AUCHi: nan, Rejection: inf, RejectionLo: nan, RejectionHi: inf},
				{X: 0.1, AUC: 0.7, AUCLo: 0.6, AUCHi: inf, Rejection: 3, RejectionLo: 0, RejectionHi: 4, Empty: 1},
				{X: nan, AUC: 0.6, Rejection: nan},
				{X: 1, AUC: inf, Rejection: -1},
			}, ROCs: []ROC{{Label: "r", SignalEff: []float64{0, nan, 0.5, 1}, BackgroundEff: []float64{0, 0.1, inf, 1}, AUC: nan}}},
			{Step: "allinf", Smearer: "ball", Input: "d", Axis: "eps", Points: []SmearPoint{{X: 0.1, AUC: nan, Rejection: inf}, {X: 0.2, AUC: nan, Rejection: inf}}},
			{Step: "nanx", Smearer: "ball", Axis: "eps", Points: []SmearPoint{{X: nan, AUC: 0.6, Rejection: inf}, {X: 0.2, AUC: 0.7, Rejection: inf}}},
			{Step: "single", Smearer: "gaussian", Input: "d", Axis: "eps", Points: []SmearPoint{{X: 0.1, AUC: 0.6, AUCLo: nan, AUCHi: nan, Rejection: 3}}},
			{Step: "k@x=1", Smearer: "knn", Input: "d", Axis: "k", Points: []SmearPoint{{X: 1, AUC: nan, Radius: nan}, {X: 2, AUC: 0.6, Radius: 0.1}}},
			{Step: "empty", Smearer: "ball", Axis: "eps"},
		},
		Extremes: []Extremes{
			{Step: "e", Values: []float64{nan, inf, 1, 2, 3}, Fits: []Fit{
				{Family: "f", AIC: nan, Eval: []float64{1, 2, nan}, PDF: []float64{inf, 0.5, 0.1}, Probabilities: []float64{0.5, nan, 2}, Quantiles: []float64{2, 1, nan}},
			}, Scaling: &Scaling{Median: PowerLaw{Slope: nan, Intercept: nan}, Points: []LadderPoint{
				{N: 10, Median: nan, Mean: inf, WeibullShape: nan, MedianLo: nan, MedianHi: nan},
				{N: 20, Median: 0.1, Mean: 0.2, MedianLo: nan, MedianHi: nan, MeanLo: nan, MeanHi: nan},
				{N: 0, Median: -1},
			}}},
			{Step: "zeroN", Values: []float64{1, 2}, Scaling: &Scaling{Median: PowerLaw{Slope: -0.1, Intercept: -3}, Points: []LadderPoint{
				{N: 0, Median: 0.2, Mean: 0.2, WeibullShape: 2}, {N: 10, Median: 0.1, Mean: 0.1, WeibullShape: 2}, {N: 20, Median: 0.09, Mean: 0.1, WeibullShape: 2.1},
			}}},
			{Step: "nothing", Values: nil, Scaling: &Scaling{}},
		},
		Taggers: []Tagger{{Step: "t", Variants: []TaggerVariant{{Name: "v", AUC: []float64{nan}, ROC: &ROC{SignalEff: []float64{nan}, BackgroundEff: []float64{nan}}, Training: []TrainingCurve{{Epoch: []float64{1, 2}, TrainLoss: []float64{nan, inf}}}}}}},
		Relevance: []Relevance{{Step: "r", Features: []FeatureRelevance{{Name: "a", MeanAbs: nan}, {Name: "b", MeanAbs: inf}, {Name: "c", MeanAbs: 1}},
			MeanAbsOutput: 0, MeanAbsResidual: 0, MeanLost: nan, FullAUC: nan, Reduced: []ReducedPoint{{Kept: 1, AUC: nan}, {Kept: 2, AUC: 0.7, AUCLo: nan, AUCHi: nan}}}},
	}
	dir := t.TempDir()
	names, err := Write(dir, run)
	if err != nil {
		t.Fatalf("Write with NaN/Inf input: %v", err)
	}
	if len(names) < 3 {
		t.Fatalf("only %v written", names)
	}
	// No NaN or infinite coordinate reaches an SVG file.
	for _, n := range names {
		if !strings.HasSuffix(n, ".svg") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("NaN")) || bytes.Contains(b, []byte("Inf")) {
			t.Errorf("%s contains NaN or Inf", n)
		}
	}
	doc, _ := parseReport(t, dir)
	txt := textOf(doc)
	for _, want := range []string{
		"not drawn (NaN, infinite, or not positive", // dropped points are reported
		"drawn as upward arrows",                    // infinite rejection
		"no drawable distances: histogram skipped",  // an all-NaN section
		"nothing to plot",                           // a section without points
		"n/a", "∞",                                  // NaN and Inf in tables
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// TestBadInput checks that inconsistent input is an error naming the
// section, never a panic.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		run  *Run
		want string
	}{
		{"nil run", nil, "nil run"},
		{"roc lengths", &Run{Smearing: []Smearing{{Step: "s1", Axis: "eps", Points: []SmearPoint{{X: 1, AUC: 0.6}}, ROCs: []ROC{{Label: "r1", SignalEff: []float64{0, 1}, BackgroundEff: []float64{0}}}}}}, `smearing "s1": ROC "r1": 2 signal efficiencies but 1 background`},
		{"empty axis", &Run{Smearing: []Smearing{{Step: "s2"}}}, `smearing "s2": axis is empty`},
		{"fit pdf", &Run{Extremes: []Extremes{{Step: "e1", Values: []float64{1}, Fits: []Fit{{Family: "gev", Eval: []float64{1, 2}, PDF: []float64{1}}}}}}, `extremes "e1": fit gev has 2 eval points but 1 pdf values`},
		{"fit quantiles", &Run{Extremes: []Extremes{{Step: "e2", Fits: []Fit{{Family: "gumbel", Probabilities: []float64{0.5}}}}}}, `extremes "e2": fit gumbel has 1 probabilities but 0 quantiles`},
		{"table row", &Run{Tables: []Table{{Title: "t1", Columns: []string{"a", "b"}, Rows: [][]string{{"1", "2"}, {"3"}}}}}, `table 1 "t1": row 2 has 1 cells, want 2`},
		{"x scale", &Run{Distances: []Distances{{Step: "d1", XScale: "loglog"}}}, `distances "d1": x_scale "loglog"`},
		{"bins", &Run{Distances: []Distances{{Step: "d2", Bins: -3}}}, `distances "d2": bins = -3`},
		{"training", &Run{Taggers: []Tagger{{Step: "t1", Variants: []TaggerVariant{{Name: "v", Training: []TrainingCurve{{Seed: 4, Epoch: []float64{1, 2}, TrainLoss: []float64{1}}}}}}}}, `tagger "t1": variant v, seed 4`},
		{"top n", &Run{Relevance: []Relevance{{Step: "r1", TopN: -1}}}, `relevance "r1": top_n = -1`},
		{"tagger roc", &Run{Taggers: []Tagger{{Step: "t2", Variants: []TaggerVariant{{Name: "v", ROC: &ROC{SignalEff: []float64{1}}}}}}}, `tagger "t2": ROC "v"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := Write(dir, tc.run)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if _, statErr := os.Stat(filepath.Join(dir, "report.html")); statErr == nil {
				t.Error("report.html written despite the error")
			}
		})
	}
	if _, err := Write("", &Run{}); err == nil {
		t.Error("empty folder accepted")
	}
}

func TestEmptyRun(t *testing.T) {
	dir := t.TempDir()
	names, err := Write(dir, &Run{})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 1 || names[0] != "report.html" {
		t.Errorf("names = %v, want only report.html", names)
	}
	doc, _ := parseReport(t, dir)
	if sectionByTitle(doc, "Provenance") == nil {
		t.Error("empty run has no provenance section")
	}
	if sectionByTitle(doc, "Comparisons") != nil {
		t.Error("empty run shows a comparison section")
	}
}
