package smearcore

import (
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
)

// TestRatioTiesExactly checks that equal ratios give bit-identical scores
// with the integer form, including above 2^53 (math/big path), while the
// literal float formula can split them.
func TestRatioTiesExactly(t *testing.T) {
	cases := []struct {
		name   string
		a, b   [4]float64 // ns, nb, Ns, Nb
		splits bool       // whether (ns/Ns)/(ns/Ns+nb/Nb) splits this tie
	}{
		{"1_1_vs_3_3", [4]float64{1, 1, 222, 227}, [4]float64{3, 3, 222, 227}, false},
		{"2_5_vs_4_10", [4]float64{2, 5, 223, 228}, [4]float64{4, 10, 223, 228}, false},
		{"huge", [4]float64{3e9, 7e9, 9e9, 5e9}, [4]float64{6e9, 14e9, 9e9, 5e9}, false},
	}
	for _, c := range cases {
		pa, ea := Ratio(c.a[0], c.a[1], c.a[2], c.a[3])
		pb, eb := Ratio(c.b[0], c.b[1], c.b[2], c.b[3])
		if pa != pb || ea || eb {
			t.Errorf("%s: %v != %v", c.name, pa, pb)
		}
		exact := bigRatio(c.a[0], c.a[1], c.a[2], c.a[3])
		if pa != exact {
			t.Errorf("%s: %v is not the correctly rounded %v", c.name, pa, exact)
		}
	}
	// The literal formula splits a tie on the reference sample
	// (README-analysis: up to 6.4e-5 in AUC); find one such pair to make
	// sure the integer form matters.
	found := false
	for ns := 1.0; ns < 30 && !found; ns++ {
		for nb := 1.0; nb < 30 && !found; nb++ {
			naive := func(k float64) float64 { return (k * ns / 222) / (k*ns/222 + k*nb/227) }
			for k := 2.0; k < 8; k++ {
				if naive(1) != naive(k) {
					p1, _ := Ratio(ns, nb, 222, 227)
					pk, _ := Ratio(k*ns, k*nb, 222, 227)
					if p1 != pk {
						t.Fatalf("integer form splits (%v,%v)×%v", ns, nb, k)
					}
					found = true
					break
				}
			}
		}
	}
	if !found {
		t.Error("no tie split by the naive formula found: the test lost its point")
	}
	if p, e := Ratio(0, 0, 10, 10); p != 0.5 || !e {
		t.Errorf("empty ball: %v %v", p, e)
	}
	if p, _ := Ratio(5, 0, 10, 10); p != 1 {
		t.Errorf("signal only: %v", p)
	}
	if p, _ := Ratio(0, 5, 10, 10); p != 0 {
		t.Errorf("background only: %v", p)
	}
	// Non-integer (Gaussian) form: w_s*N_b / (w_s*N_b + w_b*N_s), in that order.
	ws, wb, Ns, Nb := 27.597795420805255, 57.70244322133367, 222.0, 227.0
	if p, _ := Ratio(ws, wb, Ns, Nb); p != ws*Nb/(ws*Nb+wb*Ns) || math.Abs(p-0.328430781300419) > 1e-15 {
		t.Errorf("gaussian form: %v", p)
	}
}

func TestCheckBatchAndGrid(t *testing.T) {
	b := &plugin.NeighborBatch{Queries: []int32{4, 9}, Label: []int8{0, 1}, Weight: []float64{1, 1}, NormS: []float64{3, 0}, NormB: []float64{2, 2}}
	if err := CheckBatch(b); err == nil || !strings.Contains(err.Error(), "jet 9") {
		t.Errorf("zero N_s: %v", err)
	}
	b.NormS[1] = 1
	if err := CheckBatch(b); err != nil {
		t.Error(err)
	}
	b.NormB = b.NormB[:1]
	if err := CheckBatch(b); err == nil {
		t.Error("short normalisers accepted")
	}
	s, err := SortedUnique("eps", []float64{0.3, 0.1, 0.2}, 0, false)
	if err != nil || s[0] != 0.1 || s[2] != 0.3 {
		t.Errorf("SortedUnique = %v, %v", s, err)
	}
	idx, err := Index("eps", []float64{0.3, 0.1, 0.2}, s)
	if err != nil || idx[0] != 2 || idx[1] != 0 || idx[2] != 1 {
		t.Errorf("Index = %v, %v", idx, err)
	}
	for _, bad := range [][]float64{{0.1, 0.1}, {math.NaN()}, {-1}, {}} {
		if _, err := SortedUnique("eps", bad, 0, false); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := SortedUnique("eps", []float64{0}, 0, true); err == nil {
		t.Error("0 accepted where > 0 is required")
	}
	if _, err := Index("eps", []float64{0.5}, s); err == nil {
		t.Error("missing value accepted")
	}
}

// TestScoreSums checks the per-class-sum scoring: points mapped to their
// column of the sorted axis, P = s·N_b / (s·N_b + b·N_s), count s + b,
// empty where both sums are 0, and errors naming what is wrong.
func TestScoreSums(t *testing.T) {
	batch := func() *plugin.NeighborBatch {
		return &plugin.NeighborBatch{Queries: []int32{4, 9}, Label: []int8{0, 1}, Weight: []float64{1, 1}, NormS: []float64{2, 4}, NormB: []float64{2, 1}}
	}
	// Axis (0.1, 0.2); query-major sums.
	sums := Sums{Axis: []float64{0.1, 0.2}, S: []float64{0, 1, 1, 3}, B: []float64{0, 1, 2, 2}, AxisName: "radii", SumName: "counts"}
	out, err := ScoreSums(batch(), "eps", []float64{0.2, 0.1}, sums)
	if err != nil {
		t.Fatal(err)
	}
	// query 4: eps 0.2 -> (1, 1) -> 1/2, eps 0.1 -> (0, 0) empty;
	// query 9: eps 0.2 -> (3, 2): 3·1/(3·1 + 2·4) = 3/11, eps 0.1 -> (1, 2): 1/(1 + 8) = 1/9.
	wantScores := []float64{0.5, 0.5, 3.0 / 11, 1.0 / 9}
	wantEmpty := []bool{false, true, false, false}
	wantCounts := []float64{2, 0, 5, 3}
	for k := range wantScores {
		if out.Scores[k] != wantScores[k] || out.Empty[k] != wantEmpty[k] || out.Counts[k] != wantCounts[k] {
			t.Errorf("entry %d: score %v empty %v count %v, want %v %v %v", k, out.Scores[k], out.Empty[k], out.Counts[k], wantScores[k], wantEmpty[k], wantCounts[k])
		}
	}
	for _, tc := range []struct {
		name   string
		b      *plugin.NeighborBatch
		points []float64
		sums   Sums
		want   string
	}{
		{"short sums", batch(), []float64{0.1}, Sums{Axis: sums.Axis, S: sums.S[:3], B: sums.B, AxisName: "widths", SumName: "Gaussian sums"},
			"neighbour batch of 2 queries and 2 widths holds 3 and 4 Gaussian sums"},
		{"missing point", batch(), []float64{0.3}, sums, `parameter "eps": value 0.3 is missing`},
		{"bad batch", &plugin.NeighborBatch{Queries: []int32{1}}, []float64{0.1}, sums, "neighbour batch of 1 queries"},
	} {
		if _, err := ScoreSums(tc.b, "eps", tc.points, tc.sums); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
