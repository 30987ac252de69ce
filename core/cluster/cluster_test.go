package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// readDat reads FastJet's example event file: "px py pz E" per line, "#END"
// closes an event, other lines starting with "#" are comments.
func readDat(t testing.TB, path string) [][]jet.FourVector {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events [][]jet.FourVector
	var cur []jet.FourVector
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" {
			continue
		}
		if strings.HasPrefix(s, "#END") {
			events = append(events, cur)
			cur = nil
			continue
		}
		if strings.HasPrefix(s, "#") {
			continue
		}
		fs := strings.Fields(s)
		if len(fs) != 4 {
			t.Fatalf("%s:%d: want 4 fields, got %q", path, line, s)
		}
		var v [4]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(fs[i], 64); err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
		}
		cur = append(cur, jet.FourVector{Px: v[0], Py: v[1], Pz: v[2], E: v[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return events
}

// refJet is one row of a FastJet reference jets CSV
// (event,jet,px,py,pz,E,pt,rapidity,phi,mass,n_constituents).
type refJet struct {
	event, rank                       int
	px, py, pz, e, pt, rap, phi, mass float64
	n                                 int
}

func readRefJets(t testing.TB, rel string) map[int][]refJet {
	t.Helper()
	rows := sharedtest.ReadCSV(t, rel)[1:]
	out := map[int][]refJet{}
	for _, r := range rows {
		f := func(i int) float64 {
			v, err := strconv.ParseFloat(r[i], 64)
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			return v
		}
		j := refJet{event: int(f(0)), rank: int(f(1)), px: f(2), py: f(3), pz: f(4), e: f(5),
			pt: f(6), rap: f(7), phi: f(8), mass: f(9), n: int(f(10))}
		out[j.event] = append(out[j.event], j)
	}
	return out
}

func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300)
}

// Agreement is the worst deviation of clustered jets from reference jets.
type agreement struct {
	p4, pt, rap, phi float64 // max relative deviation (rap, phi absolute)
	jets             int
}

// compareJets checks jets against FastJet reference jets: count and
// n_constituents exact, four-momenta to tol4 relative, pt to 1e-9 relative,
// rapidity and phi to 1e-9 absolute.
func compareJets(t *testing.T, what string, got []Jet, want []refJet, tol4 float64, agg *agreement) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d jets, FastJet has %d", what, len(got), len(want))
		return
	}
	for k, w := range want {
		g := got[k]
		if len(g.Constituents) != w.n {
			t.Errorf("%s jet %d: %d constituents, FastJet has %d", what, k, len(g.Constituents), w.n)
		}
		d4 := max(relDiff(g.Px, w.px), relDiff(g.Py, w.py), relDiff(g.Pz, w.pz), relDiff(g.E, w.e))
		dpt := relDiff(g.Pt(), w.pt)
		drap := math.Abs(g.Rapidity() - w.rap)
		dphi := math.Abs(g.Phi() - w.phi)
		agg.p4, agg.pt = max(agg.p4, d4), max(agg.pt, dpt)
		agg.rap, agg.phi = max(agg.rap, drap), max(agg.phi, dphi)
		agg.jets++
		if d4 > tol4 || dpt > 1e-9 || drap > 1e-9 || dphi > 1e-9 {
			t.Errorf("%s jet %d: got (%v %v %v %v) pt %v y %v phi %v, FastJet (%v %v %v %v) pt %v y %v phi %v",
				what, k, g.Px, g.Py, g.Pz, g.E, g.Pt(), g.Rapidity(), g.Phi(), w.px, w.py, w.pz, w.e, w.pt, w.rap, w.phi)
		}
		if m := g.M(); relDiff(m, w.mass) > 1e-9 {
			t.Errorf("%s jet %d: mass %v, FastJet %v", what, k, m, w.mass)
		}
	}
}

// TestFastJetReference clusters the 10 events of FastJet 3.4.0's example
// file and compares with FastJet 3.4.0 (reference/clustering/, see
// reference/README.md "clustering/"): jet count, n_constituents and
// membership exact, four-momenta to 1e-12 relative.
func TestFastJetReference(t *testing.T) {
	events := readDat(t, sharedtest.Path(t, "reference/clustering/Pythia-PtMin1000-LHC-10ev.dat"))
	wantSizes := []int{354, 713, 676, 552, 520, 294, 582, 515, 417, 837}
	if len(events) != len(wantSizes) {
		t.Fatalf("read %d events, want %d", len(events), len(wantSizes))
	}
	for i, ev := range events {
		if len(ev) != wantSizes[i] {
			t.Fatalf("event %d has %d particles, want %d", i, len(ev), wantSizes[i])
		}
	}
	recs := sharedtest.ReadCSV(t, "reference/clustering/constituent_membership_R04_ptmin5.csv")
	header, member := recs[0], recs[1:]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	type engineCase struct {
		name     string
		engine   Engine
		strategy strategy
		events   []int // which events to run (go-hep is O(N^3): the smallest two)
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	engines := []engineCase{
		{"native-tiled", Native, strategyTiled, all},
		{"native-plain", Native, strategyPlain, all},
		{"gohep", GoHEP, strategyAuto, []int{5, 0}},
	}
	if testing.Short() {
		engines = engines[:2]
	}
	totals := map[Algorithm]int{AntiKt: 118, Cambridge: 117, Kt: 115}
	for _, alg := range []Algorithm{AntiKt, Kt, Cambridge} {
		ref := readRefJets(t, fmt.Sprintf("reference/clustering/jets_%s_R04_ptmin5.csv", alg))
		for _, ec := range engines {
			t.Run(alg.String()+"/"+ec.name, func(t *testing.T) {
				c, err := New(Definition{Algorithm: alg, R: 0.4, Engine: ec.engine})
				if err != nil {
					t.Fatal(err)
				}
				c.strategy = ec.strategy
				var agg agreement
				njets := 0
				for _, e := range ec.events {
					jets, err := c.InclusiveJets(events[e], 5)
					if err != nil {
						t.Fatal(err)
					}
					njets += len(jets)
					compareJets(t, fmt.Sprintf("event %d", e), jets, ref[e], 1e-12, &agg)
					// Membership: the reference gives each particle's jet rank or -1.
					wantOf := map[int]int{}
					for _, r := range member {
						if ev, _ := strconv.Atoi(r[col["event"]]); ev == e {
							p, _ := strconv.Atoi(r[col["particle"]])
							k, _ := strconv.Atoi(r[col[alg.String()]])
							wantOf[p] = k
						}
					}
					if len(wantOf) != len(events[e]) {
						t.Fatalf("membership file has %d particles for event %d, want %d", len(wantOf), e, len(events[e]))
					}
					gotOf := map[int]int{}
					for k, j := range jets {
						for _, p := range j.Constituents {
							if _, dup := gotOf[p]; dup {
								t.Fatalf("event %d: particle %d in two jets", e, p)
							}
							gotOf[p] = k
						}
					}
					bad := 0
					for p, k := range wantOf {
						g, ok := gotOf[p]
						if !ok {
							g = -1
						}
						if g != k {
							bad++
						}
					}
					if bad > 0 {
						t.Errorf("event %d: %d particles assigned to a different jet than FastJet's", e, bad)
					}
				}
				if len(ec.events) == 10 && njets != totals[alg] {
					t.Errorf("%d jets in total, FastJet has %d", njets, totals[alg])
				}
				t.Logf("%s %s: %d jets; max relative deviation: 4-momentum %.2g, pt %.2g; max |dy| %.2g, |dphi| %.2g",
					alg, ec.name, agg.jets, agg.p4, agg.pt, agg.rap, agg.phi)
			})
		}
	}
}

func TestDefinitionAndInputErrors(t *testing.T) {
	good := []jet.FourVector{{Px: 10, Py: 0, Pz: 1, E: 11}}
	tests := []struct {
		name    string
		def     Definition
		ps      []jet.FourVector
		ptMin   float64
		wantErr string
	}{
		{"zero radius", Definition{Algorithm: AntiKt, R: 0}, good, 0, "radius"},
		{"NaN radius", Definition{Algorithm: AntiKt, R: math.NaN()}, good, 0, "radius"},
		{"bad algorithm", Definition{Algorithm: 42, R: 0.4}, good, 0, "algorithm"},
		{"bad engine", Definition{Algorithm: Kt, R: 0.4, Engine: 7}, good, 0, "engine"},
		{"negative ptmin", Definition{Algorithm: Kt, R: 0.4}, good, -1, "pt threshold"},
		{"NaN momentum", Definition{Algorithm: Kt, R: 0.4}, []jet.FourVector{{Px: 1, Py: 1, Pz: 1, E: 3}, {Px: math.NaN(), E: 1}}, 0, "particle 1"},
		{"Inf energy", Definition{Algorithm: Cambridge, R: 0.4, Engine: GoHEP}, []jet.FourVector{{Px: 1, Py: 1, Pz: 1, E: math.Inf(1)}}, 0, "particle 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := InclusiveJets(tc.ps, tc.def, tc.ptMin)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got error %v, want one mentioning %q", err, tc.wantErr)
			}
		})
	}
	var pe *ParticleError
	_, err := InclusiveJets([]jet.FourVector{{Px: math.NaN(), E: 1}}, Definition{Algorithm: Kt, R: 0.4}, 0)
	if !errors.As(err, &pe) || pe.Index != 0 {
		t.Fatalf("want a *ParticleError for particle 0, got %v", err)
	}
}

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in   string
		want Algorithm
		ok   bool
	}{
		{"antikt", AntiKt, true}, {"Anti-kt", AntiKt, true}, {"kt", Kt, true},
		{"cambridge", Cambridge, true}, {"CA", Cambridge, true}, {"siscone", 0, false}, {"", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseAlgorithm(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseAlgorithm(%q) = %v, %v; want %v (ok=%v)", tc.in, got, err, tc.want, tc.ok)
		}
		if tc.ok && got.String() != strings.ReplaceAll(strings.ToLower(tc.in), "-", "") && tc.in != "CA" {
			t.Errorf("String() = %q for %q", got.String(), tc.in)
		}
	}
}

// TestSmallCases checks hand-computable configurations for every algorithm
// and both engines: empty input, one particle, two particles closer and
// farther than R, momentum conservation and a pt threshold.
func TestSmallCases(t *testing.T) {
	at := func(pt, y, phi float64) jet.FourVector { return jet.FromPtYPhiM(pt, y, phi, 0) }
	tests := []struct {
		name   string
		ps     []jet.FourVector
		ptMin  float64
		want   [][]int // constituents of each jet, by decreasing pt
		wantPt []float64
	}{
		{"empty", nil, 0, nil, nil},
		{"single", []jet.FourVector{at(50, 0.1, 1)}, 0, [][]int{{0}}, []float64{50}},
		{"close pair merges", []jet.FourVector{at(30, 0, 1), at(20, 0.2, 1.1)}, 0, [][]int{{0, 1}}, nil},
		{"far pair stays apart", []jet.FourVector{at(30, 0, 1), at(20, 0.5, 1)}, 0, [][]int{{0}, {1}}, []float64{30, 20}},
		{"across phi = 0", []jet.FourVector{at(30, 0, 0.05), at(20, 0, 2*math.Pi-0.05)}, 0, [][]int{{0, 1}}, nil},
		{"pt threshold", []jet.FourVector{at(30, 0, 1), at(2, 0, 3)}, 5, [][]int{{0}}, []float64{30}},
		{"zero-pt particle", []jet.FourVector{at(30, 0, 1), {Px: 0, Py: 0, Pz: 5, E: 5}}, 1, [][]int{{0}}, []float64{30}},
	}
	for _, alg := range []Algorithm{AntiKt, Kt, Cambridge} {
		for _, eng := range []struct {
			e Engine
			s strategy
		}{{Native, strategyPlain}, {Native, strategyTiled}, {GoHEP, strategyAuto}} {
			for _, tc := range tests {
				t.Run(fmt.Sprintf("%s/%s-%d/%s", alg, eng.e, eng.s, tc.name), func(t *testing.T) {
					c, err := New(Definition{Algorithm: alg, R: 0.4, Engine: eng.e})
					if err != nil {
						t.Fatal(err)
					}
					c.strategy = eng.s
					jets, err := c.InclusiveJets(tc.ps, tc.ptMin)
					if err != nil {
						t.Fatal(err)
					}
					if len(jets) != len(tc.want) {
						t.Fatalf("%d jets, want %d", len(jets), len(tc.want))
					}
					for k, j := range jets {
						if fmt.Sprint(j.Constituents) != fmt.Sprint(tc.want[k]) {
							t.Errorf("jet %d constituents %v, want %v", k, j.Constituents, tc.want[k])
						}
						var sum jet.FourVector
						for _, c := range j.Constituents {
							sum = sum.Add(tc.ps[c])
						}
						if relDiff(j.E, sum.E) > 1e-15 || relDiff(j.Pz+1, sum.Pz+1) > 1e-15 {
							t.Errorf("jet %d four-momentum %v is not the sum of its constituents %v", k, j.FourVector, sum)
						}
						if tc.wantPt != nil && relDiff(j.Pt(), tc.wantPt[k]) > 1e-14 {
							t.Errorf("jet %d pt %v, want %v", k, j.Pt(), tc.wantPt[k])
						}
					}
				})
			}
		}
	}
}

func TestFastJetConventions(t *testing.T) {
	tests := []struct {
		name     string
		p        jet.FourVector
		rap, phi float64
	}{
		{"beam +z", jet.FourVector{Pz: 7, E: 7}, MaxRap + 7, 0},
		{"beam -z", jet.FourVector{Pz: -7, E: 7}, -MaxRap - 7, 0},
		{"negative py", jet.FourVector{Px: 1, Py: -1, E: 2}, 0, 7 * math.Pi / 4},
		{"massless y=1", jet.FromPtYPhiM(1, 1, 0.5, 0), 1, 0.5},
		{"massive y=-2", jet.FromPtYPhiM(3, -2, 3, 1.5), -2, 3},
	}
	for _, tc := range tests {
		if r := Rapidity(tc.p); math.Abs(r-tc.rap) > 1e-14*math.Max(1, math.Abs(tc.rap)) {
			t.Errorf("%s: rapidity %v, want %v", tc.name, r, tc.rap)
		}
		if p := Phi(tc.p); math.Abs(p-tc.phi) > 1e-14 {
			t.Errorf("%s: phi %v, want %v", tc.name, p, tc.phi)
		}
	}
}

// TestStrategiesAgree clusters seeded random events (uniform in y and
// phi, including |y| up to 6, particles near phi = 0 and 2pi, kt = 0
// particles and radii from 0.02 to 2) with the plain and tiled native
// strategies and, for the smaller ones, go-hep: the jets must be identical.
func TestStrategiesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for ev := range 40 {
		n := 1 + rng.IntN(400)
		r := []float64{0.1, 0.4, 0.7, 1.0, 2.0, 0.02}[ev%6]
		ps := make([]jet.FourVector, n)
		for i := range ps {
			pt := 0.1 + 100*rng.Float64()*rng.Float64()
			y := (rng.Float64()*2 - 1) * 6
			phi := rng.Float64() * 2 * math.Pi
			if i%17 == 0 {
				phi = 1e-9 * rng.Float64() // next to the 0 / 2pi seam
			}
			ps[i] = jet.FromPtYPhiM(pt, y, phi, 0.14*rng.Float64())
			if i%53 == 5 {
				ps[i] = jet.FourVector{Pz: -3, E: 3} // kt = 0
			}
		}
		for _, alg := range []Algorithm{AntiKt, Kt, Cambridge} {
			var results [][]Jet
			for _, st := range []strategy{strategyPlain, strategyTiled} {
				c, _ := New(Definition{Algorithm: alg, R: r})
				c.strategy = st
				js, err := c.InclusiveJets(ps, 1)
				if err != nil {
					t.Fatal(err)
				}
				results = append(results, js)
			}
			if n <= 120 {
				js, err := InclusiveJets(ps, Definition{Algorithm: alg, R: r, Engine: GoHEP}, 1)
				if err != nil {
					t.Fatal(err)
				}
				results = append(results, js)
			}
			for k := 1; k < len(results); k++ {
				if fmt.Sprint(results[k]) != fmt.Sprint(results[0]) {
					t.Fatalf("event %d (n=%d, R=%v) %s: implementation %d differs from plain N2:\n%v\n%v", ev, n, r, alg, k, results[k], results[0])
				}
			}
		}
	}
}

func BenchmarkCluster(b *testing.B) {
	events := readDat(b, sharedtest.Path(b, "reference/clustering/Pythia-PtMin1000-LHC-10ev.dat"))
	ev := events[9] // 837 particles, the largest
	for _, alg := range []Algorithm{AntiKt, Kt, Cambridge} {
		for _, eng := range []struct {
			name string
			e    Engine
			s    strategy
		}{{"native-tiled", Native, strategyTiled}, {"native-plain", Native, strategyPlain}, {"gohep", GoHEP, strategyAuto}} {
			b.Run(fmt.Sprintf("%s/%s/N=%d", alg, eng.name, len(ev)), func(b *testing.B) {
				c, _ := New(Definition{Algorithm: alg, R: 0.4, Engine: eng.e})
				c.strategy = eng.s
				for b.Loop() {
					if _, err := c.InclusiveJets(ev, 5); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
