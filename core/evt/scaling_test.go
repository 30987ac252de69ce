package evt

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
)

// ladderFromMatrix builds the ladder of reference/evt/scaling_ladder.csv:
// subsets are the first N jets, d_N(i) = min over j != i, j < N of D(i, j).
func ladderFromMatrix(t testing.TB, sizes []int) []LadderInput {
	d, rows, cols := sharedtest.ReadNPYMatrix(t, "reference/smearing/semd_matrix_500.npy")
	if rows != 500 || cols != 500 {
		t.Fatalf("matrix shape (%d, %d), want (500, 500)", rows, cols)
	}
	var in []LadderInput
	for _, n := range sizes {
		nn := make([]float64, n)
		for i := 0; i < n; i++ {
			m := math.Inf(1)
			for j := 0; j < n; j++ {
				if j != i {
					m = math.Min(m, d[i*cols+j])
				}
			}
			nn[i] = m
		}
		in = append(in, LadderInput{N: n, Distances: [][]float64{nn}})
	}
	return in
}

// TestScalingReference checks the ladder statistics and power-law fits
// against reference/evt/scaling_ladder.csv and scaling_fit.json (1e-12;
// Weibull shape and scale per N as MLEs, 1e-6 relative).
func TestScalingReference(t *testing.T) {
	_, lad := sharedtest.ReadCSVColumns(t, "reference/evt/scaling_ladder.csv")
	type plRef struct {
		Slope     float64   `json:"slope"`
		Intercept float64   `json:"intercept"`
		Dim       float64   `json:"implied_dimension_minus_1_over_slope"`
		Local     []float64 `json:"local_slopes"`
		Pairs     [][2]int  `json:"local_slope_pairs"`
	}
	var ref struct {
		N      []int `json:"N"`
		Median plRef `json:"median"`
		Mean   plRef `json:"mean"`
	}
	sharedtest.ReadJSON(t, "reference/evt/scaling_fit.json", &ref)
	s, err := FitScaling(context.Background(), ladderFromMatrix(t, ref.N), ScalingOptions{NBoot: 200, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	for i, p := range s.Points {
		if p.N != int(lad["N"][i]) {
			t.Fatalf("rung %d: N = %d, want %v", i, p.N, lad["N"][i])
		}
		for _, c := range []struct {
			what      string
			got, want float64
			tol       float64
		}{
			{"median", p.Median, lad["median_nn"][i], tol},
			{"mean", p.Mean, lad["mean_nn"][i], tol},
			{"weibull shape", p.Weibull.Dist.C, lad["weibull_shape_mle"][i], 1e-6},
			{"weibull scale", p.Weibull.Dist.Scale, lad["weibull_scale_mle"][i], 1e-6},
		} {
			if e := relErr(c.got, c.want); !(e <= c.tol) {
				t.Errorf("N=%d %s = %.17g, want %.17g (err %.2g > %.0g)", p.N, c.what, c.got, c.want, e, c.tol)
			} else {
				t.Logf("N=%d %s = %.12g err %.2g", p.N, c.what, c.got, e)
			}
		}
		if !(p.MedianBand.Lo <= p.Median && p.Median <= p.MedianBand.Hi) || !(p.MeanBand.Lo <= p.Mean && p.Mean <= p.MeanBand.Hi) {
			t.Errorf("N=%d: bands %v %v do not contain the statistics %v %v", p.N, p.MedianBand, p.MeanBand, p.Median, p.Mean)
		}
	}
	for _, c := range []struct {
		name string
		pl   PowerLaw
		r    plRef
	}{{"median", s.Median, ref.Median}, {"mean", s.Mean, ref.Mean}} {
		r := c.r
		check := func(what string, got, want float64) {
			if e := math.Abs(got - want); !(e <= tol*math.Max(1, math.Abs(want))) {
				t.Errorf("%s %s = %.17g, want %.17g (err %.2g)", c.name, what, got, want, e)
			} else {
				t.Logf("%s %s = %.12g err %.2g", c.name, what, got, e)
			}
		}
		check("slope", c.pl.Slope, r.Slope)
		check("intercept", c.pl.Intercept, r.Intercept)
		check("dimension", c.pl.Dimension, r.Dim)
		if len(c.pl.Local) != len(r.Local) {
			t.Fatalf("%s: %d local slopes, want %d", c.name, len(c.pl.Local), len(r.Local))
		}
		for i, l := range c.pl.Local {
			check("local slope", l.Slope, r.Local[i])
			if l.N1 != r.Pairs[i][0] || l.N2 != r.Pairs[i][1] {
				t.Errorf("%s local pair %d = (%d, %d), want %v", c.name, i, l.N1, l.N2, r.Pairs[i])
			}
		}
		if !(c.pl.SlopeErr > 0) || !(c.pl.SlopeBand.Lo < c.pl.Slope && c.pl.Slope < c.pl.SlopeBand.Hi) {
			t.Errorf("%s: slope %v with stderr %v, band %v", c.name, c.pl.Slope, c.pl.SlopeErr, c.pl.SlopeBand)
		}
		t.Logf("%s: slope %.6f ± %.6f (OLS), 68%% bootstrap band [%.4f, %.4f]", c.name, c.pl.Slope, c.pl.SlopeErr, c.pl.SlopeBand.Lo, c.pl.SlopeBand.Hi)
	}
}

// TestPowerLawExact checks FitPowerLaw on an exact power law and a
// hand-computed three-point case.
func TestPowerLawExact(t *testing.T) {
	n := []int{10, 20, 40, 80}
	stat := make([]float64, len(n))
	for i, v := range n {
		stat[i] = 3 * math.Pow(float64(v), -0.25)
	}
	pl, err := FitPowerLaw(n, stat)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(pl.Slope+0.25) > 1e-14 || math.Abs(pl.Intercept-math.Log(3)) > 1e-13 || math.Abs(pl.Dimension-4) > 1e-12 || pl.SlopeErr > 1e-13 {
		t.Errorf("exact power law: %+v", pl)
	}
	for _, l := range pl.Local {
		if math.Abs(l.Slope+0.25) > 1e-14 {
			t.Errorf("local slope %v", l)
		}
	}
	// ln N = 0, ln 2, ln 4 with ln stat = 0, 1, 0 (in units of ln 2):
	// slope 0, residuals (-1/3, 2/3, -1/3), SSR = 2/3, Sxx = 2 (ln 2)^2,
	// stderr = sqrt((2/3)/1/2)/(ln 2) * ln 2 ... computed below.
	l2 := math.Ln2
	pl, err = FitPowerLaw([]int{1, 2, 4}, []float64{1, math.Exp(l2), 1})
	if err != nil {
		t.Fatal(err)
	}
	ssr := 3 * (l2 * l2 / 9) * 2 // residuals (-1/3, 2/3, -1/3) ln 2: sum of squares = (6/9) ln2^2
	wantErr := math.Sqrt(ssr / 1 / (2 * l2 * l2))
	if math.Abs(pl.Slope) > 1e-15 || math.Abs(pl.SlopeErr-wantErr) > 1e-14 {
		t.Errorf("three-point fit: slope %v stderr %v, want 0 and %v", pl.Slope, pl.SlopeErr, wantErr)
	}
	two, _ := FitPowerLaw([]int{1, 2}, []float64{1, 2})
	if !math.IsNaN(two.SlopeErr) || math.Abs(two.Slope-1) > 1e-15 {
		t.Errorf("two points: %+v", two)
	}
}

// TestScalingBadInput is table-driven over malformed ladders.
func TestScalingBadInput(t *testing.T) {
	ok := []float64{0.1, 0.2, 0.3}
	for _, c := range []struct {
		name string
		in   []LadderInput
	}{
		{"one rung", []LadderInput{{N: 10, Distances: [][]float64{ok}}}},
		{"decreasing N", []LadderInput{{N: 20, Distances: [][]float64{ok}}, {N: 10, Distances: [][]float64{ok}}}},
		{"no repetitions", []LadderInput{{N: 10}, {N: 20, Distances: [][]float64{ok}}}},
		{"empty repetition", []LadderInput{{N: 10, Distances: [][]float64{{}}}, {N: 20, Distances: [][]float64{ok}}}},
		{"NaN distance", []LadderInput{{N: 10, Distances: [][]float64{{0.1, math.NaN()}}}, {N: 20, Distances: [][]float64{ok}}}},
		{"negative distance", []LadderInput{{N: 10, Distances: [][]float64{{0.1, -1}}}, {N: 20, Distances: [][]float64{ok}}}},
		{"zero median", []LadderInput{{N: 10, Distances: [][]float64{{0, 0, 1}}}, {N: 20, Distances: [][]float64{ok}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := FitScaling(context.Background(), c.in, ScalingOptions{})
			if !errors.Is(err, ErrInput) {
				t.Fatalf("got %v, want an ErrInput", err)
			}
			t.Log(err)
		})
	}
}

// TestScalingDeterministic checks that bands depend on the seed only, not
// on the number of workers, and that repetitions are pooled.
func TestScalingDeterministic(t *testing.T) {
	w := Dist{Family: WeibullMin, C: 4, Scale: 1}
	var in []LadderInput
	for i, n := range []int{50, 100, 200} {
		in = append(in, LadderInput{N: n, Distances: [][]float64{
			w.Sample(n, uint64(10*i+1)), w.Sample(n, uint64(10*i+2))}})
	}
	a, err := FitScaling(context.Background(), in, ScalingOptions{NBoot: 300, Seed: 5, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FitScaling(context.Background(), in, ScalingOptions{NBoot: 300, Seed: 5, Workers: 3})
	c, _ := FitScaling(context.Background(), in, ScalingOptions{NBoot: 300, Seed: 6, Workers: 3})
	if a.Median.SlopeBand != b.Median.SlopeBand || a.Points[1].MeanBand != b.Points[1].MeanBand {
		t.Errorf("worker count changed the bands: %v vs %v", a.Median.SlopeBand, b.Median.SlopeBand)
	}
	if a.Median.SlopeBand == c.Median.SlopeBand {
		t.Errorf("different seeds gave identical bands %v", a.Median.SlopeBand)
	}
	if a.Points[0].Count != 100 || a.Points[0].Reps != 2 {
		t.Errorf("pooling: count %d reps %d", a.Points[0].Count, a.Points[0].Reps)
	}
}
