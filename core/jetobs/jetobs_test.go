package jetobs

import (
	"errors"
	"math"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

func relDiff(a, b float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300)
}

// TestAgainstFastJet compares with the FastJet + fjcontrib values of
// reference/substructure/fjcontrib_obs_small500{,_massless}.csv
// (tolerance 1e-6 relative, README "substructure/"; n_const exact).
func TestAgainstFastJet(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	for _, tc := range []struct {
		file    string
		massive bool
	}{
		{"reference/substructure/fjcontrib_obs_small500.csv", true},
		{"reference/substructure/fjcontrib_obs_small500_massless.csv", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rows := sharedtest.ReadCSVRows(t, tc.file)
			if len(rows) != jets.Len() {
				t.Fatalf("%d reference rows for %d jets", len(rows), jets.Len())
			}
			worst := map[string]float64{}
			for i, row := range rows {
				v := jets.Jet(i)
				if n := Multiplicity(v); n != int(row.Float(t, "n_const")) {
					t.Fatalf("jet %d: multiplicity %d, want %s", i, n, row["n_const"])
				}
				m, err := Mass(v, tc.massive)
				if err != nil {
					t.Fatal(err)
				}
				ptd, _ := PtD(v)
				y0, phi0, err := Axis(v, EScheme, tc.massive)
				if err != nil {
					t.Fatal(err)
				}
				w, _ := Width(v, y0, phi0)
				for _, c := range []struct {
					col string
					got float64
				}{{"mass", m}, {"pTD", ptd}, {"girth", w}, {"y", y0}, {"phi", phi0}} {
					d := relDiff(c.got, row.Float(t, c.col))
					worst[c.col] = math.Max(worst[c.col], d)
					if d > 1e-6 {
						t.Errorf("jet %d %s: got %.17g, want %s (rel %.2g)", i, c.col, c.got, row[c.col], d)
					}
				}
			}
			t.Logf("largest relative differences: %v", worst)
		})
	}
}

func TestHandJets(t *testing.T) {
	one := jetOf([]float64{536}, []float64{0.3}, []float64{1.2}, []int32{22})
	two := jetOf([]float64{60, 40}, []float64{0, 0.3}, []float64{0, 0}, []int32{211, 211})
	wrap := jetOf([]float64{60, 40}, []float64{0, 0}, []float64{0.1, 2*math.Pi - 0.2}, []int32{22, 22})
	tests := []struct {
		name          string
		v             jet.View
		ptd, width    float64 // width about the pt centroid
		ang05         float64 // λ_0.5 with R = 0.4 about the pt centroid
		masslessMass  float64
		wantMassAbove float64
	}{
		// One particle: width and angularity vanish, pT_D = 1, massless mass 0.
		{"one photon", one, 1, 0, 0, 0, -1},
		// Centroid at y = 0.12: width = 0.6*0.12 + 0.4*0.18.
		{"two", two, math.Sqrt(0.36 + 0.16), 0.6*0.12 + 0.4*0.18,
			0.6*math.Sqrt(0.12/0.4) + 0.4*math.Sqrt(0.18/0.4), 0, 0},
		// Same geometry, rotated across φ = 0 (phi stored as 2π - 0.2).
		{"wrapped", wrap, math.Sqrt(0.36 + 0.16), 0.6*0.12 + 0.4*0.18,
			0.6*math.Sqrt(0.12/0.4) + 0.4*math.Sqrt(0.18/0.4), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ptd, err := PtD(tc.v)
			if err != nil || math.Abs(ptd-tc.ptd) > 1e-15 {
				t.Errorf("PtD = %v, %v; want %v", ptd, err, tc.ptd)
			}
			y0, phi0, err := Axis(tc.v, PtCentroid, false)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := Width(tc.v, y0, phi0)
			if math.Abs(w-tc.width) > 1e-14 {
				t.Errorf("Width = %.17g, want %.17g", w, tc.width)
			}
			a, _ := Angularity(tc.v, y0, phi0, 0.5, 0.4)
			if math.Abs(a-tc.ang05) > 1e-14 {
				t.Errorf("Angularity(0.5) = %.17g, want %.17g", a, tc.ang05)
			}
			a1, _ := Angularity(tc.v, y0, phi0, 1, 0.4)
			if math.Abs(a1-w/0.4) > 1e-14 {
				t.Errorf("Angularity(1) = %v, want width/R = %v", a1, w/0.4)
			}
			if m, _ := Mass(tc.v, false); tc.name == "one photon" && m != 0 {
				t.Errorf("massless one-particle mass = %v, want 0", m)
			}
			for _, x := range []float64{ptd, w, a, a1} {
				if math.IsNaN(x) {
					t.Errorf("NaN result")
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	empty := (&jet.Jets{Offsets: []int{0, 0}, Label: []int8{0}, Weight: []float64{1}}).Jet(0)
	var ee *EmptyJetError
	if _, err := PtD(empty); !errors.As(err, &ee) {
		t.Errorf("PtD(empty) error = %v, want EmptyJetError", err)
	}
	if _, err := Mass(empty, false); !errors.As(err, &ee) {
		t.Errorf("Mass(empty) error = %v", err)
	}
	if _, _, err := Axis(empty, PtCentroid, false); !errors.As(err, &ee) {
		t.Errorf("Axis(empty) error = %v", err)
	}
	unk := jetOf([]float64{10, 20}, []float64{0, 0.1}, []float64{0, 0}, []int32{211, 0})
	pion := jetOf([]float64{100}, []float64{0.5}, []float64{1}, []int32{-211})
	if m, err := Mass(pion, true); err != nil || m != 0.13957 {
		t.Errorf("one-pion jet mass = %v, %v; want exactly the pion mass 0.13957", m, err)
	}
	var pe *UnknownPIDError
	if _, err := Mass(unk, true); !errors.As(err, &pe) || pe.Particle != 1 {
		t.Errorf("Mass(massive, pid 0) error = %v, want UnknownPIDError for particle 1", err)
	}
	if _, err := Mass(unk, false); err != nil {
		t.Errorf("massless mass with pid 0: %v", err)
	}
	if _, _, err := Axis(unk, "kt", false); err == nil {
		t.Error("unknown axis kind accepted")
	}
	for _, a := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		if _, err := Angularity(unk, 0, 0, a, 0.4); err == nil {
			t.Errorf("Angularity accepted a = %v", a)
		}
	}
	if _, err := Angularity(unk, 0, 0, 1, 0); err == nil {
		t.Error("Angularity accepted R = 0")
	}
}

func jetOf(pt, y, phi []float64, pid []int32) jet.View {
	var js jet.Jets
	js.Append(pt, y, phi, pid, jet.Quark, 1)
	return js.Jet(0)
}
