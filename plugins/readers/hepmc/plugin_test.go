package hepmc

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/hepmc/hepmcascii"
	"github.com/smearflow/smearflow/plugins/readers/readertest"
)

const refDir = "reference/clustering/hepmc/"

// read runs the plugin (seed 1, batches of 7) and concatenates the
// emitted batches (Meta included, see jet.Jets.Concat), checking that
// each validates.
func read(t testing.TB, params map[string]any) (*jet.Jets, error) {
	t.Helper()
	return readertest.Read(t, New(), params, 1, 7, readertest.Validates(t))
}

func mustRead(t testing.TB, params map[string]any) *jet.Jets {
	t.Helper()
	j, err := read(t, params)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestInfo(t *testing.T) {
	if info := readertest.CheckInfo(t, New(), "hepmc"); info.Doc == "" {
		t.Fatalf("bad info %+v", info)
	}
}

type refJet struct {
	event                  int
	px, py, pz, e, pt, rap float64
	phi                    float64
	n                      int
}

// readRefJets reads jets_antikt_R04_ptmin20.csv
// (event,jet,px,py,pz,E,pt,rapidity,phi,mass,n_constituents).
func readRefJets(t testing.TB) [][]refJet {
	rows := sharedtest.ReadCSV(t, refDir+"jets_antikt_R04_ptmin20.csv")
	out := make([][]refJet, 20)
	for _, r := range rows[1:] {
		g := func(i int) float64 { v, _ := strconv.ParseFloat(r[i], 64); return v }
		j := refJet{event: int(g(0)), px: g(2), py: g(3), pz: g(4), e: g(5), pt: g(6), rap: g(7), phi: g(8), n: int(g(10))}
		out[j.event] = append(out[j.event], j)
	}
	return out
}

func rel(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Abs(b)
}

// TestClusteringMatchesFastJet clusters the visible final state of the 20
// shared events, from both the HepMC3 and the HepMC2 file, and compares
// with FastJet 3.4.0 anti-kt R = 0.4, inclusive jets pt >= 20 GeV
// (reference/clustering/hepmc/jets_antikt_R04_ptmin20.csv, see
// reference/README.md): jet counts and n_constituents exact, four-momenta
// to 1e-12 relative.
func TestClusteringMatchesFastJet(t *testing.T) {
	ref := readRefJets(t)
	for _, name := range []string{"events.hepmc3", "events.hepmc2"} {
		t.Run(name, func(t *testing.T) {
			r, err := hepmcascii.Open(sharedtest.Path(t, refDir+name))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			ec, err := newEventClusterer(cluster.Definition{Algorithm: cluster.AntiKt, R: 0.4}, 20, []int32{12, 14, 16})
			if err != nil {
				t.Fatal(err)
			}
			var ev hepmcascii.Event
			total, worst, worstAngle := 0, 0.0, 0.0
			for i := 0; ; i++ {
				err := r.Next(&ev)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				js, err := ec.jets(&ev)
				if err != nil {
					t.Fatal(err)
				}
				if len(js) != len(ref[i]) {
					t.Fatalf("event %d: %d jets, FastJet %d", i, len(js), len(ref[i]))
				}
				for k, j := range js {
					w := ref[i][k]
					d := max(rel(j.Px, w.px), rel(j.Py, w.py), rel(j.Pz, w.pz), rel(j.E, w.e), rel(j.Pt(), w.pt))
					da := max(math.Abs(j.Rapidity()-w.rap), math.Abs(j.Phi()-w.phi))
					worst, worstAngle = max(worst, d), max(worstAngle, da)
					if len(j.Constituents) != w.n || d > 1e-12 || da > 1e-9 {
						t.Errorf("event %d jet %d: %d constituents, p = %v; FastJet %d, %+v", i, k, len(j.Constituents), j.FourVector, w.n, w)
					}
				}
				total += len(js)
			}
			if total != 61 {
				t.Errorf("%d jets, FastJet has 61", total)
			}
			t.Logf("%s: %d jets; max relative deviation of px, py, pz, E, pt: %.2g; max |dy|, |dphi|: %.2g", name, total, worst, worstAngle)
		})
	}
}

// TestPluginReference reads the shared files through the plugin (all jets,
// labels from the signal process id) and checks counts, labels, aux
// columns, constituent conventions, and that HepMC2, HepMC3 and gzip
// copies give identical jets.
func TestPluginReference(t *testing.T) {
	ref := readRefJets(t)
	p3, p2 := sharedtest.Path(t, refDir+"events.hepmc3"), sharedtest.Path(t, refDir+"events.hepmc2")
	j3 := mustRead(t, map[string]any{"path": p3, "jets": "all"})
	if j3.Len() != 61 {
		t.Fatalf("%d jets, want 61", j3.Len())
	}
	k := 0
	for ev := range 20 {
		for rank, w := range ref[ev] {
			v := j3.Jet(k)
			wantLabel := jet.Gluon
			if ev < 10 {
				wantLabel = jet.Quark
			}
			if int(j3.Aux[AuxEvent][k]) != ev || int(j3.Aux[AuxJetRank][k]) != rank || j3.Aux["source_index"][k] != float64(k) ||
				j3.Aux[AuxFileIndex][k] != 0 || len(v.Pt) != w.n || v.Label != wantLabel || v.Weight != 1 {
				t.Fatalf("jet %d: event %v rank %v source %v, %d constituents, label %d; want event %d rank %d, %d constituents, label %d",
					k, j3.Aux[AuxEvent][k], j3.Aux[AuxJetRank][k], j3.Aux["source_index"][k], len(v.Pt), v.Label, ev, rank, w.n, wantLabel)
			}
			// Constituents sorted by pt, phi within pi of the jet's phi; the
			// massless sum is close to the jet.
			sum := v.FourMomentum(false)
			for c := range v.Pt {
				if c > 0 && v.Pt[c] > v.Pt[c-1] {
					t.Fatalf("jet %d: constituents not sorted by pt", k)
				}
				if math.Abs(v.Phi[c]-w.phi) > math.Pi {
					t.Fatalf("jet %d: constituent phi %v not within pi of the jet phi %v", k, v.Phi[c], w.phi)
				}
			}
			if rel(sum.Pt(), w.pt) > 1e-3 {
				t.Errorf("jet %d: massless constituent sum pt %v, FastJet jet pt %v", k, sum.Pt(), w.pt)
			}
			k++
		}
	}

	dir := t.TempDir()
	var gz []string
	for _, src := range []string{p3, p2} {
		dst := filepath.Join(dir, filepath.Base(src)+".gz")
		readertest.GzipCopy(t, src, dst)
		gz = append(gz, dst)
	}
	for _, other := range []string{p2, gz[0], gz[1]} {
		j := mustRead(t, map[string]any{"path": other, "jets": "all"})
		if !sameJets(j, j3) {
			t.Errorf("%s gives different jets than %s", other, p3)
		}
	}
}

func sameJets(a, b *jet.Jets) bool {
	if a.Len() != b.Len() || len(a.Pt) != len(b.Pt) {
		return false
	}
	for i := range a.Pt {
		if a.Pt[i] != b.Pt[i] || a.Y[i] != b.Y[i] || a.Phi[i] != b.Phi[i] || a.PID[i] != b.PID[i] {
			return false
		}
	}
	for i := range a.Label {
		if a.Label[i] != b.Label[i] || a.Offsets[i+1] != b.Offsets[i+1] {
			return false
		}
	}
	return true
}

// TestLabelsAndSelection checks the label sources and that the shared
// selection applies after clustering.
func TestLabelsAndSelection(t *testing.T) {
	ref := readRefJets(t)
	p3, p2 := sharedtest.Path(t, refDir+"events.hepmc3"), sharedtest.Path(t, refDir+"events.hepmc2")
	count := func(j *jet.Jets) (q, g int) { return j.CountLabels() }
	tests := []struct {
		name   string
		params map[string]any
		q, g   int
		check  func(t *testing.T, j *jet.Jets)
	}{
		{"leading by process", map[string]any{"path": p3}, 10, 10, func(t *testing.T, j *jet.Jets) {
			for k := 0; k < j.Len(); k++ {
				if j.Aux[AuxJetRank][k] != 0 || int(j.Aux[AuxEvent][k]) != k {
					t.Fatalf("jet %d is not the leading jet of event %d", k, k)
				}
			}
		}},
		{"label quark", map[string]any{"path": p3, "label": "quark"}, 20, 0, nil},
		{"label gluon", map[string]any{"path": p3, "label": "gluon"}, 0, 20, nil},
		{"gluon_path", map[string]any{"path": p3, "gluon_path": p2}, 20, 20, func(t *testing.T, j *jet.Jets) {
			if j.Aux[AuxFileIndex][0] != 0 || j.Aux[AuxFileIndex][39] != 1 || j.Label[39] != jet.Gluon {
				t.Errorf("file index / labels wrong: %v %v", j.Aux[AuxFileIndex][0], j.Aux[AuxFileIndex][39])
			}
		}},
		{"glob", map[string]any{"path": filepath.Join(filepath.Dir(p3), "events.hepmc*"), "label": "gluon"}, 0, 40, nil},
		{"swapped processes", map[string]any{"path": p3, "quark_processes": []any{241}, "gluon_processes": []any{242}}, 10, 10, func(t *testing.T, j *jet.Jets) {
			if j.Label[0] != jet.Gluon {
				t.Error("event 0 (process 242) should be gluon")
			}
		}},
		{"skip other processes", map[string]any{"path": p3, "quark_processes": []any{242}, "gluon_processes": []any{}, "other_processes": "skip"}, 10, 0, nil},
		{"selection pt window", map[string]any{"path": p3, "pt_min": 510, "pt_max": 800}, 3, 5, func(t *testing.T, j *jet.Jets) {
			// FastJet leading-jet pts (jets_antikt_R04_ptmin20.csv) in [510, 800] GeV:
			// events 0, 2, 8, 10, 11, 14, 15, 17; none within 10 GeV of an edge.
			want := []float64{0, 2, 8, 10, 11, 14, 15, 17}
			if j.Len() != len(want) {
				t.Fatalf("%d jets in the window, want %d", j.Len(), len(want))
			}
			for k := range want {
				if j.Aux[AuxEvent][k] != want[k] {
					t.Errorf("jet %d from event %v, want %v", k, j.Aux[AuxEvent][k], want[k])
				}
				if pt := j.Jet(k).FourMomentum(false).Pt(); math.Abs(pt-ref[int(want[k])][0].pt) > 2 {
					t.Errorf("jet %d pt %v, FastJet %v", k, pt, ref[int(want[k])][0].pt)
				}
			}
		}},
		{"selection counts", map[string]any{"path": p3, "jets": "all", "quarks": 3, "gluons": 2}, 3, 2, nil},
		{"kt R=0.6", map[string]any{"path": p3, "algorithm": "kt", "radius": 0.6, "jet_pt_min": 50}, 10, 10, nil},
		{"event weight", map[string]any{"path": p3, "event_weight": true}, 10, 10, func(t *testing.T, j *jet.Jets) {
			if j.Weight[0] != 1 {
				t.Errorf("weight %v", j.Weight[0])
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := mustRead(t, tc.params)
			if q, g := count(j); tc.q >= 0 && (q != tc.q || g != tc.g) {
				t.Errorf("%d quark and %d gluon jets, want %d and %d", q, g, tc.q, tc.g)
			}
			if err := j.Validate(); err != nil {
				t.Error(err)
			}
			if tc.check != nil {
				tc.check(t, j)
			}
		})
	}
}

// TestBadInput checks that damaged input, missing files, bad parameters
// and an empty selection are errors naming the file and event.
func TestBadInput(t *testing.T) {
	p3 := sharedtest.Path(t, refDir+"events.hepmc3")
	p2 := sharedtest.Path(t, refDir+"events.hepmc2")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	d3, _ := os.ReadFile(p3)
	d2, _ := os.ReadFile(p2)
	cut := func(d []byte) []byte {
		c := d[:len(d)*3/4]
		return c[:bytes.LastIndexByte(c, '\n')+1]
	}
	trunc3 := write("trunc.hepmc3", cut(d3))
	trunc2 := write("trunc.hepmc2", cut(d2))
	gz := readertest.Gzip(cut(d3))
	truncgz := write("trunc.hepmc3.gz", gz)
	halfgz := write("half.hepmc3.gz", gz[:len(gz)/2])
	// Corrupt one particle line of event 3 (line 9200 is inside it) and put
	// a NaN momentum in event 5.
	lines := strings.Split(string(d3), "\n")
	corrupt := append([]string(nil), lines...)
	lineNo := 0
	for i := 9199; i < len(corrupt); i++ {
		if strings.HasPrefix(corrupt[i], "P ") {
			f := strings.Fields(corrupt[i])
			f[5] = "0.12.3"
			corrupt[i] = strings.Join(f, " ")
			lineNo = i + 1
			break
		}
	}
	bad := write("corrupt.hepmc3", []byte(strings.Join(corrupt, "\n")))
	nan := append([]string(nil), lines...)
	nanLine := 0
	ev := -1
	for i, l := range nan {
		if strings.HasPrefix(l, "E ") {
			ev++
		}
		if ev == 5 && strings.HasPrefix(l, "P ") && strings.HasSuffix(l, " 1") {
			f := strings.Fields(l)
			f[4] = "nan"
			nan[i] = strings.Join(f, " ")
			nanLine = i + 1
			break
		}
	}
	nanFile := write("nan.hepmc3", []byte(strings.Join(nan, "\n")))
	notHepMC := write("notes.txt", []byte("this is not a HepMC file\n"))

	tests := []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"truncated hepmc3", map[string]any{"path": trunc3}, []string{trunc3, "(event 14)", "truncated"}},
		{"truncated hepmc2", map[string]any{"path": trunc2}, []string{trunc2, "(event 14)", "truncated"}},
		{"truncated gzip", map[string]any{"path": truncgz}, []string{truncgz, "(event 14)", "truncated"}},
		{"cut gzip stream", map[string]any{"path": halfgz}, []string{halfgz, "(event ", "compressed stream ends early", "truncated"}},
		{"corrupted line", map[string]any{"path": bad}, []string{bad + ":" + strconv.Itoa(lineNo), "(event 3)", "0.12.3"}},
		{"NaN momentum", map[string]any{"path": nanFile}, []string{nanFile + ":" + strconv.Itoa(nanLine), "(event 5)", "non-finite"}},
		{"missing file", map[string]any{"path": filepath.Join(dir, "nope.hepmc")}, []string{"nope.hepmc", `"path"`}},
		{"missing gluon file", map[string]any{"path": p3, "gluon_path": filepath.Join(dir, "nope2.hepmc")}, []string{"nope2.hepmc", `"gluon_path"`}},
		{"glob matches nothing", map[string]any{"path": filepath.Join(dir, "*.none")}, []string{"matches no file"}},
		{"not hepmc", map[string]any{"path": notHepMC}, []string{notHepMC, "not a HepMC2 or HepMC3"}},
		{"empty selection", map[string]any{"path": p3, "pt_min": 5000}, []string{"kept no jets", "20 events read"}},
		{"unknown process", map[string]any{"path": p3, "quark_processes": []any{1}, "gluon_processes": []any{2}}, []string{p3 + ":5", "(event 0)", "signal process id 242"}},
		{"label conflict", map[string]any{"path": p3, "gluon_path": p2, "label": "gluon"}, []string{`"label"`, "gluon_path"}},
		{"overlapping processes", map[string]any{"path": p3, "quark_processes": []any{1}, "gluon_processes": []any{1}}, []string{"gluon_processes", "also in"}},
		{"bad algorithm", map[string]any{"path": p3, "algorithm": "siscone"}, []string{"algorithm"}},
		{"bad radius", map[string]any{"path": p3, "radius": 0}, []string{"radius"}},
		{"unknown parameter", map[string]any{"path": p3, "radious": 0.4}, []string{"radius"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := read(t, tc.params)
			readertest.CheckError(t, j, err, tc.want...)
		})
	}
}

func TestCancel(t *testing.T) {
	p, err := Spec().Resolve(map[string]any{"path": sharedtest.Path(t, refDir+"events.hepmc3")})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = New().Read(ctx, plugin.ReadRequest{Params: p}, func(*jet.Jets) error { return nil })
	if err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// BenchmarkRead reads and clusters the 20 shared events (all inclusive
// jets), for both formats; the parse-only rows give the share of parsing.
func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"events.hepmc3", "events.hepmc2"} {
		path := sharedtest.Path(b, refDir+name)
		st, _ := os.Stat(path)
		p, err := Spec().Resolve(map[string]any{"path": path, "jets": "all"})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/read+cluster", func(b *testing.B) {
			b.SetBytes(st.Size())
			for b.Loop() {
				n := 0
				err := New().Read(context.Background(), plugin.ReadRequest{Params: p}, func(j *jet.Jets) error { n += j.Len(); return nil })
				if err != nil || n != 61 {
					b.Fatal(err, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Seconds())/float64(b.N)/20*1e3, "ms/event")
		})
		b.Run(name+"/parse-only", func(b *testing.B) {
			b.SetBytes(st.Size())
			var ev hepmcascii.Event
			for b.Loop() {
				r, err := hepmcascii.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				for r.Next(&ev) == nil {
				}
				r.Close()
			}
		})
	}
}
