package jet

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func twoJets() *Jets {
	j := &Jets{}
	j.Append([]float64{3, 1}, []float64{0.1, 0.2}, []float64{0.3, 6.2}, []int32{211, 22}, Quark, 1)
	j.Append([]float64{5}, []float64{-0.5}, []float64{1}, nil, Gluon, 2)
	return j
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Jets)
		err    string
	}{
		{"ok", func(*Jets) {}, ""},
		{"nan pt", func(j *Jets) { j.Pt[1] = math.NaN() }, "jet 0, particle 1: pt is NaN"},
		{"inf y", func(j *Jets) { j.Y[2] = math.Inf(1) }, "jet 1, particle 0: rapidity is +Inf"},
		{"negative pt", func(j *Jets) { j.Pt[0] = -1 }, "jet 0, particle 0: pt -1 is not positive"},
		{"zero pt", func(j *Jets) { j.Pt[2] = 0 }, "jet 1, particle 0: pt 0 is not positive"},
		{"nan phi", func(j *Jets) { j.Phi[0] = math.NaN() }, "phi is NaN"},
		{"empty jet", func(j *Jets) { j.Offsets[1] = 0 }, "jet 0: jet has no particles"},
		{"label", func(j *Jets) { j.Label[1] = 2 }, "jet 1: label 2 is neither"},
		{"weight", func(j *Jets) { j.Weight[0] = math.NaN() }, "jet 0: weight NaN"},
		{"columns", func(j *Jets) { j.PID = j.PID[:1] }, "particle columns have different lengths"},
		{"labels", func(j *Jets) { j.Label = j.Label[:1] }, "2 jets but 1 labels"},
		{"aux", func(j *Jets) { j.Aux = map[string][]float64{"event": {1}} }, `aux column "event" has 1 entries for 2 jets`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := twoJets()
			tc.mutate(j)
			err := j.Validate()
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want %q", err, tc.err)
			}
		})
	}
}

func TestEnergyFlowRoundTrip(t *testing.T) {
	j := twoJets()
	j.Weight[1] = 1
	ef := j.ToEnergyFlow()
	if ef.N != 2 || ef.M != 2 || len(ef.X) != 16 {
		t.Fatalf("shape %d %d %d", ef.N, ef.M, len(ef.X))
	}
	if ef.X[4*3] != 0 { // padding row of jet 1
		t.Fatal("padding not zero")
	}
	back, err := FromEnergyFlow(ef)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, j) {
		t.Fatalf("round trip:\n%#v\n%#v", back, j)
	}
	ef.Y[0] = 0.5
	if _, err := FromEnergyFlow(ef); err == nil || !strings.Contains(err.Error(), "jet 0: label 0.5") {
		t.Fatalf("bad label: %v", err)
	}
}

func TestSubsetConcat(t *testing.T) {
	j := twoJets()
	j.Aux = map[string][]float64{"event": {7, 8}}
	s := j.Subset([]int{1, 0})
	if s.Len() != 2 || s.Jet(0).Pt[0] != 5 || s.Aux["event"][0] != 8 || s.Label[1] != Quark {
		t.Fatalf("subset %+v", s)
	}
	s.Concat(twoJets())
	if s.Len() != 4 || len(s.Aux["event"]) != 4 || !math.IsNaN(s.Aux["event"][3]) {
		t.Fatalf("concat %+v", s)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	q, g := s.CountLabels()
	if q != 2 || g != 2 {
		t.Fatal(q, g)
	}
}

func TestKinematics(t *testing.T) {
	if d := DeltaPhi(0.1, 2*math.Pi-0.1); math.Abs(d-0.2) > 1e-15 {
		t.Fatalf("wrap: %v", d)
	}
	if d := DeltaR(0, 3.1, 0, -3.1); math.Abs(d-(2*math.Pi-6.2)) > 1e-12 {
		t.Fatalf("deltaR across pi: %v", d)
	}
	v := FromPtYPhiM(100, 0.5, 1, 0.13957)
	if math.Abs(v.Pt()-100) > 1e-12 || math.Abs(v.Rapidity()-0.5) > 1e-14 || math.Abs(v.Phi()-1) > 1e-15 || math.Abs(v.M()-0.13957) > 1e-9 {
		t.Fatalf("four-vector %+v", v)
	}
	j := twoJets()
	y, phi := j.Jet(0).Centroid()
	// particle 1 sits at phi 6.2 = -0.083 relative to particle 0 at 0.3 after unwrapping.
	wantPhi := (3*0.3 + 1*(6.2-2*math.Pi)) / 4
	if math.Abs(y-0.125) > 1e-15 || math.Abs(phi-wantPhi) > 1e-15 {
		t.Fatalf("centroid %v %v want %v", y, phi, wantPhi)
	}
	if m, ok := Mass(-211); !ok || m != 0.13957 {
		t.Fatal("pion mass")
	}
}

func TestSortByPt(t *testing.T) {
	j := &Jets{}
	j.Append([]float64{1, 3, 2}, []float64{1, 3, 2}, []float64{1, 3, 2}, []int32{1, 3, 2}, Quark, 1)
	j.SortByPt()
	if !reflect.DeepEqual(j.Pt, []float64{3, 2, 1}) || !reflect.DeepEqual(j.PID, []int32{3, 2, 1}) {
		t.Fatal(j.Pt, j.PID)
	}
}
