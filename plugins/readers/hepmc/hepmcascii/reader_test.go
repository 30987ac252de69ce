package hepmcascii

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	gohepmc "go-hep.org/x/hep/hepmc"

	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/readertest"
)

const refDir = "reference/clustering/hepmc/"

func readAll(t testing.TB, path string) (Format, []Event) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []Event
	for {
		var ev Event
		err := r.Next(&ev)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return r.Format(), out
}

type eventInfo struct {
	spid                    int64
	nRecord, nFinal, nVisib int
}

// readInfo reads events_info.csv
// (event,process,signal_process_id,out_parton_id,n_particles_record,n_final,n_visible_final).
func readInfo(t testing.TB) []eventInfo {
	rows := sharedtest.ReadCSV(t, refDir+"events_info.csv")
	var out []eventInfo
	for _, r := range rows[1:] {
		a := func(i int) int { v, _ := strconv.Atoi(r[i]); return v }
		out = append(out, eventInfo{spid: int64(a(2)), nRecord: a(4), nFinal: a(5), nVisib: a(6)})
	}
	return out
}

func visible(p Particle) bool {
	a := p.PID
	if a < 0 {
		a = -a
	}
	return p.Status == 1 && a != 12 && a != 14 && a != 16
}

// TestReferenceFiles reads the shared HepMC3 and HepMC2 files (written by
// HepMC3 3.1.2, see reference/README.md "clustering/ ... hepmc/") and
// checks the counts of events_info.csv: particles in the record, final and
// visible final particles, signal process ids; and that both formats give
// bit-identical final-state particles.
func TestReferenceFiles(t *testing.T) {
	info := readInfo(t)
	f3, ev3 := readAll(t, sharedtest.Path(t, refDir+"events.hepmc3"))
	f2, ev2 := readAll(t, sharedtest.Path(t, refDir+"events.hepmc2"))
	if f3 != HepMC3 || f2 != HepMC2 {
		t.Fatalf("formats detected: %v and %v", f3, f2)
	}
	for name, evs := range map[string][]Event{"hepmc3": ev3, "hepmc2": ev2} {
		if len(evs) != len(info) {
			t.Fatalf("%s: %d events, want %d", name, len(evs), len(info))
		}
		for i, ev := range evs {
			nf, nv := 0, 0
			for _, p := range ev.Particles {
				if p.Status == 1 {
					nf++
				}
				if visible(p) {
					nv++
				}
			}
			w := info[i]
			if ev.Number != int64(i) || ev.Index != i || len(ev.Particles) != w.nRecord || nf != w.nFinal || nv != w.nVisib ||
				!ev.HasSignalID || ev.SignalProcessID != w.spid || len(ev.Weights) != 1 || ev.Weights[0] != 1 || ev.MomentumUnit != "GEV" {
				t.Errorf("%s event %d: number %d, %d particles, %d final, %d visible, spid %d (%v), weights %v; want %d, %d, %d, %d",
					name, i, ev.Number, len(ev.Particles), nf, nv, ev.SignalProcessID, ev.HasSignalID, ev.Weights, w.nRecord, w.nFinal, w.nVisib, w.spid)
			}
		}
	}
	for i := range ev3 {
		var a, b []Particle
		for _, p := range ev3[i].Particles {
			if p.Status == 1 {
				a = append(a, p)
			}
		}
		for _, p := range ev2[i].Particles {
			if p.Status == 1 {
				b = append(b, p)
			}
		}
		if len(a) != len(b) {
			t.Fatalf("event %d: %d vs %d final particles", i, len(a), len(b))
		}
		for k := range a {
			x, y := a[k], b[k]
			if x.PID != y.PID || x.Px != y.Px || x.Py != y.Py || x.Pz != y.Pz || x.E != y.E || x.M != y.M {
				t.Fatalf("event %d final particle %d differs: hepmc3 %+v, hepmc2 %+v", i, k, x, y)
			}
		}
	}
}

// TestGoHEPCrossCheck decodes the HepMC2 file with go-hep's hepmc package
// (an independent implementation) and compares every particle.
func TestGoHEPCrossCheck(t *testing.T) {
	path := sharedtest.Path(t, refDir+"events.hepmc2")
	_, ours := readAll(t, path)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := gohepmc.NewDecoder(f)
	for i := range ours {
		var evt gohepmc.Event
		if err := dec.Decode(&evt); err != nil {
			t.Fatalf("go-hep event %d: %v", i, err)
		}
		if evt.EventNumber != int(ours[i].Number) || int64(evt.SignalProcessID) != ours[i].SignalProcessID {
			t.Errorf("event %d: go-hep number %d spid %d", i, evt.EventNumber, evt.SignalProcessID)
		}
		if len(evt.Particles) != len(ours[i].Particles) {
			t.Fatalf("event %d: go-hep has %d particles, we have %d", i, len(evt.Particles), len(ours[i].Particles))
		}
		for _, p := range ours[i].Particles {
			g, ok := evt.Particles[int(p.ID)]
			if !ok {
				t.Fatalf("event %d: go-hep has no particle with barcode %d", i, p.ID)
			}
			if g.PdgID != int64(p.PID) || g.Status != p.Status || g.Momentum.Px() != p.Px || g.Momentum.Py() != p.Py ||
				g.Momentum.Pz() != p.Pz || g.Momentum.E() != p.E || g.GeneratedMass != p.M {
				t.Fatalf("event %d barcode %d: go-hep %+v, ours %+v", i, p.ID, g, p)
			}
		}
	}
}

func TestGzip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"events.hepmc3", "events.hepmc2"} {
		src := sharedtest.Path(t, refDir+name)
		dst := filepath.Join(dir, name+".gz")
		readertest.GzipCopy(t, src, dst)
		_, plain := readAll(t, src)
		_, gz := readAll(t, dst)
		if len(plain) != len(gz) {
			t.Fatalf("%s: %d events plain, %d gzip", name, len(plain), len(gz))
		}
		for i := range plain {
			if len(plain[i].Particles) != len(gz[i].Particles) {
				t.Fatalf("%s event %d differs", name, i)
			}
			for k := range plain[i].Particles {
				if plain[i].Particles[k] != gz[i].Particles[k] {
					t.Fatalf("%s event %d particle %d differs", name, i, k)
				}
			}
		}
	}
}

const mini3 = `HepMC::Version 3.01.02
HepMC::Asciiv3-START_EVENT_LISTING
W Weight
T Pythia8\|8.311\|test
E 7 1 3
U GEV MM
W 2.5
A 0 signal_process_id 242
P 1 0 2212 0 0 7000 7000 0.938 4
V -1 0 [1]
P 2 -1 211 1 2 3 4.5 0.13957 1
P 3 -1 12 -1 -2 3 3.7 0 1
E 8 0 1
U MEV MM
W 1
A 0 signal_process_id 241
P 1 0 22 1000 0 0 1000 0 1
HepMC::Asciiv3-END_EVENT_LISTING
`

const mini2 = `HepMC::Version 2.06.09
HepMC::IO_GenEvent-START_EVENT_LISTING
E 7 0 1 0.1 0.01 242 0 1 1 0 0 1 2.5
N 1 "Weight"
U GEV MM
C 1 0.1
V -1 0 0 0 0 0 1 2 0
P 1 2212 0 0 7000 7000 0.938 4 0 0 -1 0
P 2 211 1 2 3 4.5 0.13957 1 0 0 0 2 1 101 2 0
P 3 12 -1 -2 3 3.7 0 1 0 0 0 0
E 8 0 1 0.1 0.01 241 0 1 0 0 1 5 0
U MEV MM
V -1 0 0 0 0 0 0 1 0
P 1 22 1000 0 0 1000 0 1 0 0 0 0
HepMC::IO_GenEvent-END_EVENT_LISTING

`

func readString(s string) ([]Event, error) {
	r, err := NewReader(strings.NewReader(s), "test.hepmc")
	if err != nil {
		return nil, err
	}
	var out []Event
	for {
		var ev Event
		err := r.Next(&ev)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestMiniFiles(t *testing.T) {
	for name, s := range map[string]string{"hepmc3": mini3, "hepmc2": mini2} {
		evs, err := readString(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(evs) != 2 {
			t.Fatalf("%s: %d events", name, len(evs))
		}
		e0, e1 := evs[0], evs[1]
		if e0.Number != 7 || e0.SignalProcessID != 242 || e0.Weights[0] != 2.5 || len(e0.Particles) != 3 || e0.Line != 5 && name == "hepmc3" {
			t.Errorf("%s event 0: %+v", name, e0)
		}
		p := e0.Particles[1]
		if p.PID != 211 || p.Px != 1 || p.Py != 2 || p.Pz != 3 || p.E != 4.5 || p.M != 0.13957 || p.Status != 1 {
			t.Errorf("%s particle: %+v", name, p)
		}
		// MEV converted to GeV.
		if q := e1.Particles[0]; e1.Number != 8 || e1.SignalProcessID != 241 || q.Px != 1 || q.E != 1 || e1.MomentumUnit != "MEV" {
			t.Errorf("%s event 1: %+v", name, e1)
		}
	}
}

// TestBadInput checks that damaged input gives an *Error naming the file,
// line and event, never a panic or a silently shorter event list.
func TestBadInput(t *testing.T) {
	rep := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			panic("test setup: " + old)
		}
		return strings.Replace(s, old, new, 1)
	}
	tests := []struct {
		name, in string
		want     []string // substrings of the error
		trunc    bool
	}{
		{"v3 no footer", strings.TrimSuffix(mini3, "HepMC::Asciiv3-END_EVENT_LISTING\n"), []string{"test.hepmc:", "event 8", "file ends inside"}, true},
		{"v3 cut mid event", mini3[:strings.Index(mini3, "P 3 -1")], []string{"event 7", "2 of 3", "file ends inside"}, true},
		{"v3 cut mid line", mini3[:strings.Index(mini3, "P 3 -1")+9], []string{"test.hepmc:12", "event 7", "malformed", "4 fields, want 10"}, false},
		{"v3 missing particle", rep(mini3, "P 3 -1 12 -1 -2 3 3.7 0 1\n", ""), []string{"test.hepmc:5", "event 7", "announces 3 particles, 2"}, false},
		{"v3 NaN momentum", rep(mini3, "P 2 -1 211 1 2", "P 2 -1 211 nan 2"), []string{"test.hepmc:11", "event 7", "non-finite"}, false},
		{"v3 Inf energy", rep(mini3, "3 4.5 0.13957", "3 inf 0.13957"), []string{":11", "non-finite"}, false},
		{"v3 bad number", rep(mini3, "P 2 -1 211 1 2", "P 2 -1 211 1x 2"), []string{":11", "field 5 (px)", `"1x"`}, false},
		{"v3 extra field", rep(mini3, "0.13957 1\n", "0.13957 1 7\n"), []string{":11", "11 fields, want 10"}, false},
		{"v3 duplicate id", rep(mini3, "P 3 -1 12", "P 2 -1 12"), []string{":12", "appears twice"}, false},
		{"v3 id out of range", rep(mini3, "P 3 -1 12", "P 9 -1 12"), []string{":12", "outside [1, 3]"}, false},
		{"v3 garbage line", rep(mini3, "U GEV MM\nW 2.5", "U GEV MM\n%%garbage\nW 2.5"), []string{":7", "unknown record"}, false},
		{"v3 bad unit", rep(mini3, "U GEV MM", "U KEV MM"), []string{":6", "momentum unit"}, false},
		{"v3 bad process id", rep(mini3, "signal_process_id 242", "signal_process_id x"), []string{":8", "signal_process_id"}, false},
		{"v3 particle outside event", rep(mini3, "E 7 1 3", "P 0 0 0 0 0 0 0 0 0\nE 7 1 3"), []string{":5", "outside an event"}, false},
		{"v2 no footer", strings.TrimSuffix(mini2, "HepMC::IO_GenEvent-END_EVENT_LISTING\n\n"), []string{"event 8", "file ends inside"}, true},
		{"v2 cut mid event", mini2[:strings.Index(mini2, "P 3 12")], []string{"event 7", "1 particle records missing"}, true},
		{"v2 missing particle", rep(mini2, "P 3 12 -1 -2 3 3.7 0 1 0 0 0 0\n", ""), []string{":3", "event 7", "incomplete"}, false},
		{"v2 NaN", rep(mini2, "P 2 211 1 2 3 4.5", "P 2 211 1 NaN 3 4.5"), []string{":9", "event 7", "non-finite"}, false},
		{"v2 flow count", rep(mini2, "0 2 1 101 2 0", "0 3 1 101 2 0"), []string{":9", "fields, want 19"}, false},
		{"v2 short E", rep(mini2, "E 8 0 1 0.1 0.01 241 0 1 0 0 1 5 0", "E 8 0 1"), []string{":11", "event 8", "alpha_qcd (field 5) is missing"}, false},
		{"v2 extra vertex", rep(mini2, "P 1 22 1000 0 0 1000 0 1 0 0 0 0\n", "P 1 22 1000 0 0 1000 0 1 0 0 0 0\nV -2 0 0 0 0 0 0 0 0\n"), []string{":15", "more vertex records"}, false},
		{"v2 particle without vertex", rep(mini2, "P 3 12 -1 -2 3 3.7 0 1 0 0 0 0\n", "P 3 12 -1 -2 3 3.7 0 1 0 0 0 0\nP 4 12 -1 -2 3 3.7 0 1 0 0 0 0\n"), []string{":11", "not announced"}, false},
		{"v2 text after footer", mini2 + "junk\n", []string{"after the end"}, false},
		{"not hepmc", "hello\nworld\n", []string{"not a HepMC2 or HepMC3"}, false},
		{"empty", "", []string{"no HepMC event listing header"}, true},
		{"unsupported", "HepMC::IO_Ascii-START_EVENT_LISTING\n", []string{"unsupported HepMC listing"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := readString(tc.in)
			if err == nil {
				t.Fatalf("no error; %d events read", len(evs))
			}
			var he *Error
			if !errors.As(err, &he) {
				t.Fatalf("error %v is %T, not *Error", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if errors.Is(err, ErrTruncated) != tc.trunc {
				t.Errorf("errors.Is(err, ErrTruncated) = %v, want %v (%v)", !tc.trunc, tc.trunc, err)
			}
		})
	}
}

// TestTruncatedReference cuts the shared files in the middle of an event:
// reading must fail naming the event, after the complete events before it.
func TestTruncatedReference(t *testing.T) {
	for _, name := range []string{"events.hepmc3", "events.hepmc2"} {
		data, err := os.ReadFile(sharedtest.Path(t, refDir+name))
		if err != nil {
			t.Fatal(err)
		}
		cut := data[:len(data)/2]
		cut = cut[:bytes.LastIndexByte(cut, '\n')+1]
		evs, err := readString(string(cut))
		if err == nil || !errors.Is(err, ErrTruncated) || !strings.Contains(err.Error(), "event "+strconv.Itoa(len(evs))) {
			t.Fatalf("%s: after %d events: %v", name, len(evs), err)
		}
		t.Logf("%s cut at %d bytes: %d events, then: %v", name, len(cut), len(evs), err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.hepmc"))
	if err == nil || !strings.Contains(err.Error(), "nope.hepmc") {
		t.Fatalf("got %v", err)
	}
}

func TestFinite(t *testing.T) {
	if finite(math.NaN()) || finite(math.Inf(-1)) || !finite(1) {
		t.Fatal("finite")
	}
}

func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"events.hepmc3", "events.hepmc2"} {
		path := sharedtest.Path(b, refDir+name)
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var ev Event
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(data), name)
				if err != nil {
					b.Fatal(err)
				}
				for {
					if err := r.Next(&ev); err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		if name == "events.hepmc2" {
			b.Run(name+"/gohep", func(b *testing.B) {
				b.SetBytes(int64(len(data)))
				for b.Loop() {
					dec := gohepmc.NewDecoder(bytes.NewReader(data))
					for range 20 {
						var evt gohepmc.Event
						if err := dec.Decode(&evt); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
