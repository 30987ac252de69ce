package root

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"go-hep.org/x/hep/groot"
	"go-hep.org/x/hep/groot/rtree"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/readertest"
)

// layout says how writeJets stores a batch.
type layout struct {
	tree     string
	f32      bool   // float32 leaves (else float64)
	eta      bool   // store pseudorapidity in "eta" instead of rapidity in "y"
	noPID    bool   // no pid branch
	vector   bool   // std::vector branches instead of x[n] with a count leaf
	label    string // label leaf type: "int32" (default), "bool", "float64"
	badLabel bool   // write label 2 for the last jet
	extra    string // name of an extra tree written to the same file
	shortPhi bool   // drop the last phi of the last jet
}

// writeJets writes js to a ROOT file with groot, one entry per jet.
func writeJets(t testing.TB, path string, js *jet.Jets, l layout) {
	t.Helper()
	f, err := groot.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		n                  int32
		pt64, y64, phi64   []float64
		pt32, y32, phi32   []float32
		pid                []int32
		lab32              int32
		labB               bool
		lab64, w           float64
		yname              = "y"
		count              = "n"
		pv, yv, phv, pidv  any
		labv               any
		scalarTreeBranches []rtree.WriteVar
	)
	if l.eta {
		yname = "eta"
	}
	if l.vector {
		count = ""
	}
	if l.f32 {
		pv, yv, phv = &pt32, &y32, &phi32
	} else {
		pv, yv, phv = &pt64, &y64, &phi64
	}
	pidv = &pid
	switch l.label {
	case "bool":
		labv = &labB
	case "float64":
		labv = &lab64
	default:
		labv = &lab32
	}
	wv := []rtree.WriteVar{}
	if !l.vector {
		wv = append(wv, rtree.WriteVar{Name: "n", Value: &n})
	}
	wv = append(wv,
		rtree.WriteVar{Name: "pt", Value: pv, Count: count},
		rtree.WriteVar{Name: yname, Value: yv, Count: count},
		rtree.WriteVar{Name: "phi", Value: phv, Count: count},
	)
	if !l.noPID {
		wv = append(wv, rtree.WriteVar{Name: "pid", Value: pidv, Count: count})
	}
	wv = append(wv, rtree.WriteVar{Name: "label", Value: labv}, rtree.WriteVar{Name: "weight", Value: &w})
	name := l.tree
	if name == "" {
		name = "jets"
	}
	tw, err := rtree.NewWriter(f, name, wv)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < js.Len(); i++ {
		v := js.Jet(i)
		n = int32(len(v.Pt))
		ys := v.Y
		if l.eta {
			ys = make([]float64, len(v.Y))
			for k := range ys {
				m, _ := jet.Mass(v.PID[k])
				if l.noPID {
					m = 0
				}
				mt := math.Sqrt(v.Pt[k]*v.Pt[k] + m*m)
				ys[k] = math.Asinh(mt * math.Sinh(v.Y[k]) / v.Pt[k])
			}
		}
		phis := v.Phi
		if l.shortPhi && i == js.Len()-1 {
			phis = phis[:len(phis)-1]
		}
		if l.f32 {
			pt32, y32, phi32 = to32(v.Pt), to32(ys), to32(phis)
		} else {
			pt64, y64, phi64 = append([]float64(nil), v.Pt...), append([]float64(nil), ys...), append([]float64(nil), phis...)
		}
		pid = append(pid[:0], v.PID...)
		lab32, labB, lab64 = int32(v.Label), v.Label == 1, float64(v.Label)
		if l.badLabel && i == js.Len()-1 {
			lab32, lab64 = 2, 2
		}
		w = v.Weight
		if _, err := tw.Write(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if l.extra != "" {
		var x float64
		scalarTreeBranches = []rtree.WriteVar{{Name: "x", Value: &x}}
		ew, err := rtree.NewWriter(f, l.extra, scalarTreeBranches)
		if err != nil {
			t.Fatal(err)
		}
		ew.Write()
		ew.Close()
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func to32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// read runs the plugin (seed 3, batches of 64) and concatenates the
// emitted batches, checking that each validates.
func read(t testing.TB, params map[string]any) (*jet.Jets, error) {
	t.Helper()
	return readertest.Read(t, New(), params, 3, 64, readertest.Validates(t))
}

func TestInfo(t *testing.T) {
	readertest.CheckInfo(t, New(), "root")
}

// TestRoundTrip writes the 500 small-sample jets (data/pythia8-qg-small,
// via sharedtest) in several layouts and reads them back.
func TestRoundTrip(t *testing.T) {
	small := sharedtest.SmallSample(t)
	dir := t.TempDir()
	tests := []struct {
		name   string
		l      layout
		params map[string]any
		tol    float64 // on rapidity
	}{
		{"float64 x[n]", layout{}, map[string]any{"y_branch": "y", "pid_branch": "pid"}, 0},
		{"float32 x[n]", layout{f32: true}, map[string]any{"y_branch": "y", "pid_branch": "pid"}, 0},
		{"std::vector float64", layout{vector: true}, map[string]any{"y_branch": "y", "pid_branch": "pid"}, 0},
		{"std::vector float32", layout{vector: true, f32: true}, map[string]any{"y_branch": "y", "pid_branch": "pid"}, 0},
		{"eta with pid masses", layout{eta: true}, map[string]any{"eta_branch": "eta", "pid_branch": "pid"}, 1e-12},
		{"eta massless, no pid", layout{eta: true, noPID: true}, map[string]any{"eta_branch": "eta"}, 1e-12},
		{"bool labels, named tree", layout{label: "bool", tree: "qg", extra: "other"}, map[string]any{"y_branch": "y", "pid_branch": "pid", "tree": "qg"}, 0},
		{"float labels", layout{label: "float64"}, map[string]any{"y_branch": "y", "pid_branch": "pid", "weight_branch": "weight"}, 0},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "rt"+string(rune('a'+i))+".root")
			writeJets(t, path, small, tc.l)
			tc.params["path"] = path
			got, err := read(t, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != small.Len() || got.NumParticles() != small.NumParticles() {
				t.Fatalf("%d jets, %d particles; want %d, %d", got.Len(), got.NumParticles(), small.Len(), small.NumParticles())
			}
			worst := 0.0
			for i := range small.Pt {
				wantPt, wantPhi := small.Pt[i], small.Phi[i]
				if tc.l.f32 {
					wantPt, wantPhi = float64(float32(wantPt)), float64(float32(wantPhi))
				}
				wantY := small.Y[i]
				if tc.l.f32 {
					wantY = float64(float32(wantY))
				}
				dy := math.Abs(got.Y[i] - wantY)
				worst = max(worst, dy)
				wantPID := small.PID[i]
				if tc.l.noPID {
					wantPID = 0
				}
				if got.Pt[i] != wantPt || got.Phi[i] != wantPhi || dy > tc.tol || got.PID[i] != wantPID {
					t.Fatalf("particle %d: (%v, %v, %v, %d), want (%v, %v, %v, %d)", i, got.Pt[i], got.Y[i], got.Phi[i], got.PID[i], wantPt, wantY, wantPhi, wantPID)
				}
			}
			for i := 0; i < small.Len(); i++ {
				if got.Label[i] != small.Label[i] || got.Offsets[i+1] != small.Offsets[i+1] || got.Aux[AuxEntry][i] != float64(i) || got.Aux["source_index"][i] != float64(i) {
					t.Fatalf("jet %d: label %d, offset %d, entry %v", i, got.Label[i], got.Offsets[i+1], got.Aux[AuxEntry][i])
				}
			}
			if tc.tol > 0 {
				t.Logf("max |y - y_true| after the eta conversion: %.2g", worst)
			}
		})
	}
}

func TestEtaToRapidity(t *testing.T) {
	tests := []struct{ pt, y, m float64 }{{1, 0.5, 0.13957}, {0.2, -3, 0.938272}, {500, 2, 0}, {0.05, 4, 0.493677}}
	for _, tc := range tests {
		v := jet.FromPtYPhiM(tc.pt, tc.y, 0, tc.m)
		eta := math.Asinh(v.Pz / tc.pt)
		if y := EtaToRapidity(tc.pt, eta, tc.m); math.Abs(y-tc.y) > 1e-13 {
			t.Errorf("pt %v m %v: y %v, want %v", tc.pt, tc.m, y, tc.y)
		}
		if tc.m > 0 && math.Abs(eta) <= math.Abs(tc.y) {
			t.Errorf("|eta| %v should exceed |y| %v for a massive particle", eta, tc.y)
		}
	}
}

// TestSelectionAndGlob reads two files through a glob with fixed labels
// and the shared selection.
func TestSelectionAndGlob(t *testing.T) {
	small := sharedtest.SmallSample(t)
	dir := t.TempDir()
	a, b := small.Subset(seq(0, 200)), small.Subset(seq(200, 500))
	writeJets(t, filepath.Join(dir, "a.root"), a, layout{})
	writeJets(t, filepath.Join(dir, "b.root"), b, layout{})
	glob := filepath.Join(dir, "*.root")
	tests := []struct {
		name   string
		params map[string]any
		n      int
		check  func(t *testing.T, j *jet.Jets)
	}{
		{"both files", map[string]any{"y_branch": "y"}, 500, func(t *testing.T, j *jet.Jets) {
			if j.Aux[AuxFileIndex][199] != 0 || j.Aux[AuxFileIndex][200] != 1 || j.Aux[AuxEntry][200] != 0 || j.Aux["source_index"][200] != 200 {
				t.Errorf("aux at the file boundary: %v %v %v", j.Aux[AuxFileIndex][200], j.Aux[AuxEntry][200], j.Aux["source_index"][200])
			}
		}},
		{"label gluon", map[string]any{"y_branch": "y", "label": "gluon", "label_branch": ""}, 500, func(t *testing.T, j *jet.Jets) {
			if q, _ := j.CountLabels(); q != 0 {
				t.Errorf("%d quark jets", q)
			}
		}},
		{"max_jets stops early", map[string]any{"y_branch": "y", "max_jets": 10}, 10, nil},
		{"counts", map[string]any{"y_branch": "y", "quarks": 7, "gluons": 5}, 12, nil},
		{"random sample", map[string]any{"y_branch": "y", "max_jets": 30, "sample": "random"}, 30, nil},
		{"pt window", map[string]any{"y_branch": "y", "pt_min": 520, "pt_max": 530}, -1, func(t *testing.T, j *jet.Jets) {
			for k := 0; k < j.Len(); k++ {
				if pt := j.Jet(k).FourMomentum(false).Pt(); pt < 520 || pt > 530 {
					t.Errorf("jet %d pt %v", k, pt)
				}
			}
		}},
		{"unsorted", map[string]any{"y_branch": "y", "sort_constituents": false}, 500, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.params["path"] = glob
			j, err := read(t, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			if tc.n >= 0 && j.Len() != tc.n {
				t.Errorf("%d jets, want %d", j.Len(), tc.n)
			}
			if j.Len() == 0 {
				t.Error("no jets")
			}
			if tc.check != nil {
				tc.check(t, j)
			}
		})
	}
}

func seq(a, b int) []int {
	out := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
}

// TestBadInput checks the errors for missing trees and branches, wrong
// types, inconsistent entries and empty selections.
func TestBadInput(t *testing.T) {
	small := sharedtest.SmallSample(t).Subset(seq(0, 20))
	dir := t.TempDir()
	good := filepath.Join(dir, "good.root")
	writeJets(t, good, small, layout{})
	two := filepath.Join(dir, "two.root")
	writeJets(t, two, small, layout{extra: "other"})
	badLabel := filepath.Join(dir, "badlabel.root")
	writeJets(t, badLabel, small, layout{badLabel: true})
	short := filepath.Join(dir, "short.root")
	writeJets(t, short, small, layout{shortPhi: true, vector: true})
	odd := small.Clone()
	odd.PID[0] = 3122 // Lambda: no tabulated mass
	oddFile := filepath.Join(dir, "lambda.root")
	writeJets(t, oddFile, odd, layout{eta: true})
	nan := small.Clone()
	nan.Pt[30] = math.NaN()
	nanFile := filepath.Join(dir, "nan.root")
	writeJets(t, nanFile, nan, layout{})

	tests := []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"missing tree", map[string]any{"path": good, "y_branch": "y", "tree": "events"}, []string{good, `no tree "events"`, "jets (TTree)"}},
		{"two trees", map[string]any{"path": two, "y_branch": "y"}, []string{two, "2 trees", "jets", "other", "tree"}},
		{"missing branch", map[string]any{"path": good, "y_branch": "rapidity"}, []string{good, `no branch "rapidity"`, "y_branch", "branches: label, n, phi, pid, pt, weight, y"}},
		{"scalar as jagged", map[string]any{"path": good, "y_branch": "y", "pt_branch": "weight"}, []string{`"weight"`, "pt_branch", "jagged"}},
		{"jagged as label", map[string]any{"path": good, "y_branch": "y", "label_branch": "pt"}, []string{`"pt"`, "label_branch", "scalar"}},
		{"no rapidity branch", map[string]any{"path": good}, []string{"y_branch", "eta_branch"}},
		{"both rapidities", map[string]any{"path": good, "y_branch": "y", "eta_branch": "eta"}, []string{"only one"}},
		{"bad label", map[string]any{"path": badLabel, "y_branch": "y"}, []string{badLabel, "entry 19", "label 2"}},
		{"jagged lengths differ", map[string]any{"path": short, "y_branch": "y"}, []string{short, "entry 19", "differ in length"}},
		{"unknown mass", map[string]any{"path": oddFile, "eta_branch": "eta", "pid_branch": "pid"}, []string{oddFile, "entry 0", "pid 3122"}},
		{"NaN pt", map[string]any{"path": nanFile, "y_branch": "y"}, []string{nanFile, "NaN"}},
		{"missing file", map[string]any{"path": filepath.Join(dir, "nope.root"), "y_branch": "y"}, []string{"nope.root", `"path"`}},
		{"not a root file", map[string]any{"path": filepath.Join(sharedtest.Path(t, "reference/clustering/hepmc"), "events.hepmc3"), "y_branch": "y"}, []string{"events.hepmc3"}},
		{"empty selection", map[string]any{"path": good, "y_branch": "y", "pt_min": 9000}, []string{"kept no jets"}},
		{"no label branch", map[string]any{"path": good, "y_branch": "y", "label_branch": ""}, []string{"label_branch"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := read(t, tc.params)
			readertest.CheckError(t, j, err, tc.want...)
		})
	}
	// The unknown mass may be taken massless on request.
	j, err := read(t, map[string]any{"path": oddFile, "eta_branch": "eta", "pid_branch": "pid", "unknown_mass": "massless"})
	if err != nil || j.Len() != 20 {
		t.Fatalf("unknown_mass massless: %v", err)
	}
}

// BenchmarkRead reads 20000 jets (the small sample repeated) from a
// float32 file; the baseline row reads the same branches with rtree alone.
func BenchmarkRead(b *testing.B) {
	small := sharedtest.SmallSample(b)
	big := &jet.Jets{}
	for range 40 {
		big.Concat(small)
	}
	path := filepath.Join(b.TempDir(), "bench.root")
	writeJets(b, path, big, layout{f32: true})
	p, err := Spec().Resolve(map[string]any{"path": path, "y_branch": "y", "pid_branch": "pid"})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("plugin", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := New().Read(context.Background(), plugin.ReadRequest{Params: p}, func(j *jet.Jets) error { n += j.Len(); return nil }); err != nil || n != big.Len() {
				b.Fatal(err, n)
			}
		}
		b.ReportMetric(float64(big.Len()*b.N)/b.Elapsed().Seconds(), "jets/s")
	})
	b.Run("rtree-baseline", func(b *testing.B) {
		for b.Loop() {
			f, err := groot.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			o, _ := f.Get("jets")
			var pt, y, phi []float32
			var pid []int32
			var lab int32
			r, err := rtree.NewReader(o.(rtree.Tree), []rtree.ReadVar{{Name: "pt", Value: &pt}, {Name: "y", Value: &y}, {Name: "phi", Value: &phi}, {Name: "pid", Value: &pid}, {Name: "label", Value: &lab}})
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			r.Read(func(rtree.RCtx) error { n += len(pt); return nil })
			r.Close()
			f.Close()
		}
		b.ReportMetric(float64(big.Len()*b.N)/b.Elapsed().Seconds(), "jets/s")
	})
}
