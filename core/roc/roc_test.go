package roc

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
)

// refCase is one hand case of reference/roc/cases.json.
type refCase struct {
	Name       string    `json:"name"`
	Y          []int8    `json:"y"`
	Score      []float64 `json:"score"`
	Weight     []float64 `json:"weight"`
	AUCSklearn *float64  `json:"auc_sklearn"`
	AUCMW      *float64  `json:"auc_mann_whitney"`
	SkError    *string   `json:"sklearn_error"`
	Rejection  *float64  `json:"bg_rejection_at_sig_eff_0.5"`
	PointAt    *refPoint `json:"roc_point_at_sig_eff_0.5"`
	Curve      refCurve  `json:"roc_curve"`
}

type refPoint struct {
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
	Threshold float64 `json:"threshold"`
}

type refCurve struct {
	FPR        []*float64 `json:"fpr"`
	TPR        []*float64 `json:"tpr"`
	Thresholds []float64  `json:"thresholds"`
}

func loadCases(t *testing.T) []refCase {
	var cs []refCase
	sharedtest.ReadJSON(t, "reference/roc/cases.json", &cs)
	if len(cs) != 14 {
		t.Fatalf("reference/roc/cases.json: %d cases, want 14", len(cs))
	}
	return cs
}

func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func near(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol
}

// TestReferenceCases checks every case of reference/roc/cases.json: AUC to
// 1e-12 (sklearn and Mann–Whitney), the full curve (exact point count,
// rates and thresholds to 1e-12; threshold 0 compared as +Inf), the
// rejection at 50% signal efficiency and its point, and the undefined
// one-class cases.
func TestReferenceCases(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			s, err := New(c.Y, c.Score, c.Weight)
			if err != nil {
				t.Fatal(err)
			}
			auc, err := s.AUC()
			if c.AUCSklearn == nil {
				if err == nil || !IsUndefined(err) || !math.IsNaN(auc) {
					t.Fatalf("AUC = %v, %v; want NaN and an UndefinedError (sklearn: %v)", auc, err, val(nil))
				}
				if _, err := s.At(0.5); !IsUndefined(err) {
					t.Errorf("At(0.5) error = %v, want UndefinedError", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if !near(auc, *c.AUCSklearn, 1e-12) || !near(auc, *c.AUCMW, 1e-12) {
					t.Errorf("AUC = %.17g, want %.17g (sklearn) / %.17g (Mann-Whitney)", auc, *c.AUCSklearn, *c.AUCMW)
				}
			}
			cv := s.Curve()
			if cv.Len() != len(c.Curve.Thresholds) {
				t.Fatalf("curve has %d points, want %d", cv.Len(), len(c.Curve.Thresholds))
			}
			for k := range cv.Thresholds {
				if !near(cv.FPR[k], val(c.Curve.FPR[k]), 1e-12) || !near(cv.TPR[k], val(c.Curve.TPR[k]), 1e-12) {
					t.Errorf("point %d = (%v, %v), want (%v, %v)", k, cv.FPR[k], cv.TPR[k], val(c.Curve.FPR[k]), val(c.Curve.TPR[k]))
				}
				if k == 0 {
					if !math.IsInf(cv.Thresholds[0], 1) {
						t.Errorf("threshold 0 = %v, want +Inf", cv.Thresholds[0])
					}
				} else if !near(cv.Thresholds[k], c.Curve.Thresholds[k], 1e-12) {
					t.Errorf("threshold %d = %v, want %v", k, cv.Thresholds[k], c.Curve.Thresholds[k])
				}
			}
			if c.PointAt == nil {
				return
			}
			for name, get := range map[string]func() (Point, error){
				"Curve.At":  func() (Point, error) { return cv.At(0.5) },
				"Sample.At": func() (Point, error) { return s.At(0.5) },
			} {
				p, err := get()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				wantRej := math.Inf(1)
				if c.Rejection != nil {
					wantRej = *c.Rejection
				}
				if !near(p.Rejection, wantRej, 1e-12) || !near(p.FPR, c.PointAt.FPR, 1e-12) ||
					!near(p.TPR, c.PointAt.TPR, 1e-12) || !near(p.Threshold, c.PointAt.Threshold, 1e-12) {
					t.Errorf("%s: point %+v, want rejection %v at %+v", name, p, wantRej, *c.PointAt)
				}
			}
		})
	}
}

// TestReferencePointFiles checks the roc_points_<name>.csv files (the
// same curves written as CSV, nan where sklearn returns NaN).
func TestReferencePointFiles(t *testing.T) {
	for _, c := range loadCases(t) {
		p := "reference/roc/roc_points_" + c.Name + ".csv"
		rows := sharedtest.ReadCSV(t, p)
		cv, err := ROC(c.Y, c.Score, c.Weight)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows)-1 != cv.Len() {
			t.Fatalf("%s: %d points, want %d", p, cv.Len(), len(rows)-1)
		}
		for k, r := range rows[1:] {
			f := func(s string) float64 {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				return x
			}
			if !near(cv.FPR[k], f(r[0]), 1e-12) || !near(cv.TPR[k], f(r[1]), 1e-12) || (k > 0 && !near(cv.Thresholds[k], f(r[2]), 1e-12)) {
				t.Errorf("%s line %d: got (%v, %v, %v), want %v", p, k+2, cv.FPR[k], cv.TPR[k], cv.Thresholds[k], r)
			}
		}
	}
}

// TestMultiplicityAUC checks reference/smearing/multiplicity_auc.csv: the
// constituent multiplicity of jets_500.csv (and minus it) used as a score.
func TestMultiplicityAUC(t *testing.T) {
	rows := sharedtest.ReadCSV(t, "reference/smearing/jets_500.csv")
	var labels []int8
	var mult, neg []float64
	for _, r := range rows[1:] {
		l, _ := strconv.Atoi(r[1])
		m, _ := strconv.ParseFloat(r[2], 64)
		labels = append(labels, int8(l))
		mult = append(mult, m)
		neg = append(neg, -m)
	}
	ref := sharedtest.ReadCSV(t, "reference/smearing/multiplicity_auc.csv")
	for _, r := range ref[1:] {
		scores := mult
		if r[0] == "minus_multiplicity" {
			scores = neg
		}
		s, err := New(labels, scores, nil)
		if err != nil {
			t.Fatal(err)
		}
		auc, _ := s.AUC()
		p, err := s.At(0.5)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, 5)
		for k := range want {
			want[k], _ = strconv.ParseFloat(r[k+1], 64)
		}
		got := []float64{auc, p.Rejection, p.FPR, p.TPR, p.Threshold}
		for k := range want {
			if !near(got[k], want[k], 1e-12) {
				t.Errorf("%s: column %s = %.17g, want %.17g", r[0], ref[0][k+1], got[k], want[k])
			}
		}
	}
}

// bruteAUC is the O(n^2) Mann–Whitney sum.
func bruteAUC(y []int8, s, w []float64) float64 {
	var num, ws, wb float64
	for i := range y {
		if y[i] == 1 {
			ws += w[i]
		} else {
			wb += w[i]
		}
	}
	for i := range y {
		if y[i] != 1 {
			continue
		}
		for j := range y {
			if y[j] != 0 {
				continue
			}
			switch {
			case s[i] > s[j]:
				num += w[i] * w[j]
			case s[i] == s[j]:
				num += 0.5 * w[i] * w[j]
			}
		}
	}
	return num / (ws * wb)
}

// trapezoid integrates TPR over FPR.
func trapezoid(c *Curve) float64 {
	var a float64
	for k := 1; k < c.Len(); k++ {
		a += (c.FPR[k] - c.FPR[k-1]) * (c.TPR[k] + c.TPR[k-1]) / 2
	}
	return a
}

// TestAUCAgainstBruteForce compares the sorted O(n log n) AUC with the
// pairwise sum and with the trapezoid under the curve on random samples
// with heavy ties and random (including zero) weights.
func TestAUCAgainstBruteForce(t *testing.T) {
	cases := []struct {
		name     string
		n, level int
		weighted bool
	}{
		{"continuous", 300, 0, false},
		{"few_levels", 300, 4, false},
		{"few_levels_weighted", 300, 4, true},
		{"many_ties_weighted", 1000, 20, true},
		{"tiny", 3, 2, true},
	}
	for ci, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ci), 7))
			y := make([]int8, c.n)
			s := make([]float64, c.n)
			w := make([]float64, c.n)
			for i := range y {
				y[i] = int8(i % 2)
				if c.level > 0 {
					s[i] = float64(rng.IntN(c.level)) / float64(c.level)
				} else {
					s[i] = rng.Float64()
				}
				w[i] = 1
				if c.weighted {
					w[i] = float64(rng.IntN(4)) * rng.Float64()
				}
			}
			var wts []float64
			if c.weighted {
				wts = w
			}
			smp, err := New(y, s, wts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := smp.AUC()
			if err != nil {
				t.Fatal(err)
			}
			if want := bruteAUC(y, s, w); math.Abs(got-want) > 1e-12 {
				t.Errorf("AUC = %.17g, brute force %.17g", got, want)
			}
			if tr := trapezoid(smp.Curve()); math.Abs(got-tr) > 1e-12 {
				t.Errorf("AUC = %.17g, trapezoid %.17g", got, tr)
			}
		})
	}
}

// TestBadInput checks that bad input gives errors naming the sample.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		y    []int8
		s, w []float64
	}{
		{"label_2", []int8{0, 2}, []float64{1, 2}, nil},
		{"nan_score", []int8{0, 1}, []float64{math.NaN(), 2}, nil},
		{"negative_weight", []int8{0, 1}, []float64{1, 2}, []float64{1, -1}},
		{"inf_weight", []int8{0, 1}, []float64{1, 2}, []float64{math.Inf(1), 1}},
		{"short_scores", []int8{0, 1}, []float64{1}, nil},
		{"short_weights", []int8{0, 1}, []float64{1, 2}, []float64{1}},
	}
	for _, c := range cases {
		if _, err := New(c.y, c.s, c.w); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	// All weights zero in one class: undefined, not a number.
	a, err := AUC([]int8{0, 1, 1}, []float64{1, 2, 3}, []float64{0, 1, 1})
	if !IsUndefined(err) || !math.IsNaN(a) {
		t.Errorf("zero background weight: AUC = %v, err = %v", a, err)
	}
	if _, err := AUC(nil, nil, nil); !IsUndefined(err) {
		t.Errorf("empty sample: err = %v, want UndefinedError", err)
	}
}
