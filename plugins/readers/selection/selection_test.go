package selection

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// synth returns n one-particle jets: jet i has pt 100+i GeV, rapidity
// (i%10)/5 - 1 (so |y| in [0, 1]), and is a quark when i%3 == 0.
func synth(n int) *jet.Jets {
	j := &jet.Jets{}
	for i := 0; i < n; i++ {
		lab := jet.Gluon
		if i%3 == 0 {
			lab = jet.Quark
		}
		j.Append([]float64{100 + float64(i)}, []float64{float64(i%10)/5 - 1}, []float64{0.5}, []int32{22}, lab, 1)
	}
	return j
}

// run resolves raw parameters against Spec, streams jets through a
// selector in batches and returns the kept source indices.
func run(t *testing.T, raw map[string]any, seed int64, jets *jet.Jets, batch int) ([]int, *Selector, error) {
	t.Helper()
	p, err := Spec().Resolve(raw)
	if err != nil {
		return nil, nil, err
	}
	s, err := New(p, seed, "test.npz")
	if err != nil {
		return nil, nil, err
	}
	var got []int
	collect := func(b *jet.Jets) {
		if b.Len() > 0 {
			if err := b.Validate(); err != nil {
				t.Fatalf("kept batch is invalid: %v", err)
			}
		}
		for i, x := range b.Aux[SourceIndex] {
			got = append(got, int(x))
			// The kept jet is the one at that source index.
			if v, w := b.Jet(i), jets.Jet(int(x)); v.Pt[0] != w.Pt[0] || v.Label != w.Label {
				t.Fatalf("jet with source_index %v does not match the input", x)
			}
		}
	}
	for lo := 0; lo < jets.Len(); lo += batch {
		idx := []int{}
		for i := lo; i < min(lo+batch, jets.Len()); i++ {
			idx = append(idx, i)
		}
		out, err := s.Add(jets.Subset(idx))
		if err != nil {
			return nil, s, err
		}
		collect(out)
	}
	out, err := s.Finish()
	if err != nil {
		return got, s, err
	}
	collect(out)
	return got, s, nil
}

func seq(from, to, step int) []int {
	var out []int
	for i := from; i < to; i += step {
		out = append(out, i)
	}
	return out
}

func TestSelection(t *testing.T) {
	jets := synth(30)
	tests := []struct {
		name    string
		raw     map[string]any
		want    []int  // kept source indices (nil: check count only)
		count   int    // expected count when want is nil
		summary string // substring of Summary()
		wantErr string
	}{
		{name: "defaults keep all", raw: nil, want: seq(0, 30, 1), summary: "read 30 jets, kept 30 (10 quark, 20 gluon)"},
		{name: "max_jets", raw: map[string]any{"max_jets": 4}, want: []int{0, 1, 2, 3}, summary: "kept 4"},
		{name: "class counts", raw: map[string]any{"quarks": 2, "gluons": 3}, want: []int{0, 1, 2, 3, 4},
			summary: "8 by quarks = 2, 17 by gluons = 3"},
		{name: "quarks only", raw: map[string]any{"gluons": 0}, want: seq(0, 30, 3), summary: "20 by gluons = 0"},
		{name: "gluons only, 5", raw: map[string]any{"quarks": 0, "gluons": 5}, want: []int{1, 2, 4, 5, 7}},
		{name: "class counts then max_jets", raw: map[string]any{"quarks": 5, "max_jets": 6}, want: []int{0, 1, 2, 3, 4, 5},
			summary: "by max_jets = 6"},
		{name: "pt window inclusive", raw: map[string]any{"pt_min": 105, "pt_max": 110}, want: seq(5, 11, 1),
			summary: "24 by the pT window [105, 110] GeV"},
		{name: "pt_max only", raw: map[string]any{"pt_max": 101.5}, want: []int{0, 1}},
		{name: "abs_y_max", raw: map[string]any{"abs_y_max": 0.2}, want: []int{4, 5, 6, 14, 15, 16, 24, 25, 26},
			summary: "by |y| <= 0.2"},
		{name: "test_fraction 0 test is empty", raw: map[string]any{"split": "test", "test_fraction": 0},
			wantErr: "test.npz: the selection kept no jets: read 30 jets, kept 0 (0 quark, 0 gluon); removed 30 by split = test (test_fraction 0)"},
		{name: "test_fraction 1 test is all", raw: map[string]any{"split": "test", "test_fraction": 1}, want: seq(0, 30, 1)},
		{name: "random without counts is everything", raw: map[string]any{"sample": "random"}, want: seq(0, 30, 1)},
		{name: "random counts", raw: map[string]any{"sample": "random", "quarks": 3, "gluons": 4}, count: 7,
			summary: "by random subsampling"},
		{name: "random max_jets", raw: map[string]any{"sample": "random", "max_jets": 11}, count: 11},
		{name: "random more than available", raw: map[string]any{"sample": "random", "quarks": 50}, want: seq(0, 30, 1)},
		{name: "empty selection lists cuts", raw: map[string]any{"quarks": 0, "gluons": 0, "pt_min": 110},
			wantErr: "read 30 jets, kept 0 (0 quark, 0 gluon); removed 10 by the pT window [110, inf] GeV, 6 by quarks = 0, 14 by gluons = 0"},
		{name: "pt_max below pt_min", raw: map[string]any{"pt_min": 500, "pt_max": 100}, wantErr: `parameter "pt_max": 100 GeV is below pt_min = 500 GeV`},
		{name: "bad split", raw: map[string]any{"split": "validation"}, wantErr: `parameter "split": value "validation" is not one of all, train, test`},
		{name: "bad count", raw: map[string]any{"quarks": -2}, wantErr: `parameter "quarks": value -2 is below the minimum -1`},
		{name: "test_fraction above 1", raw: map[string]any{"test_fraction": 1.5}, wantErr: "above the maximum 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, batch := range []int{1, 7, 100} {
				got, s, err := run(t, tc.raw, 1, jets, batch)
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("error = %v\nwant it to contain %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("batch %d: kept %v, want %v", batch, got, tc.want)
				}
				if tc.want == nil && len(got) != tc.count {
					t.Fatalf("batch %d: kept %d jets, want %d", batch, len(got), tc.count)
				}
				if !strings.Contains(s.Summary(), tc.summary) {
					t.Fatalf("summary %q does not contain %q", s.Summary(), tc.summary)
				}
				for k := 1; k < len(got); k++ {
					if got[k] <= got[k-1] {
						t.Fatalf("kept jets are not in stream order: %v", got)
					}
				}
			}
		})
	}
}

func TestRandomCountsPerClass(t *testing.T) {
	jets := synth(300) // 100 quarks, 200 gluons
	got, s, err := run(t, map[string]any{"sample": "random", "quarks": 30, "gluons": 40}, 7, jets, 64)
	if err != nil {
		t.Fatal(err)
	}
	q := 0
	for _, i := range got {
		if jets.Label[i] == jet.Quark {
			q++
		}
	}
	if q != 30 || len(got)-q != 40 {
		t.Fatalf("%d quarks, %d gluons; want 30, 40", q, len(got)-q)
	}
	if want := "read 300 jets, kept 70 (30 quark, 40 gluon); removed 230 by random subsampling to the requested counts"; s.Summary() != want {
		t.Fatalf("summary %q, want %q", s.Summary(), want)
	}
}

func TestRandomReproducible(t *testing.T) {
	jets := synth(500)
	raw := map[string]any{"sample": "random", "max_jets": 50, "pt_min": 120}
	a, _, err := run(t, raw, 42, jets, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range []int{1, 13, 100} {
		b, _, _ := run(t, raw, 42, jets, batch)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("batch size %d changes the subsample", batch)
		}
	}
	c, _, _ := run(t, raw, 43, jets, 1000)
	if reflect.DeepEqual(a, c) {
		t.Fatal("seeds 42 and 43 give the same subsample")
	}
	for _, i := range a {
		if i < 20 {
			t.Fatalf("jet %d fails pt_min but was sampled", i)
		}
	}
}

// TestRandomUniform: over many seeds each jet is drawn with probability
// count/available (binomial tolerance of about 5 standard deviations).
func TestRandomUniform(t *testing.T) {
	jets := synth(30) // quarks are 0, 3, ..., 27
	tests := []struct {
		name string
		raw  map[string]any
		prob func(i int) float64
	}{
		{"max_jets 6 of 30", map[string]any{"sample": "random", "max_jets": 6}, func(int) float64 { return 0.2 }},
		{"quarks 4 of 10, no gluons", map[string]any{"sample": "random", "quarks": 4, "gluons": 0}, func(i int) float64 {
			if i%3 == 0 {
				return 0.4
			}
			return 0
		}},
		{"quarks 5 of 10, all gluons, max_jets 10 of 25", map[string]any{"sample": "random", "quarks": 5, "max_jets": 10},
			func(int) float64 { return 0.4 }}, // 10 drawn uniformly from 5 quarks + 20 gluons; a quark is first drawn with p 0.5
	}
	const trials = 3000
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits := make([]int, 30)
			for seed := int64(0); seed < trials; seed++ {
				got, _, err := run(t, tc.raw, seed, jets, 8)
				if err != nil {
					t.Fatal(err)
				}
				for _, i := range got {
					hits[i]++
				}
			}
			for i, h := range hits {
				p := tc.prob(i)
				if tc.name == "quarks 5 of 10, all gluons, max_jets 10 of 25" && i%3 == 0 {
					p = 0.5 * 0.4
				}
				sd := math.Sqrt(p*(1-p)/trials) + 1e-9
				if f := float64(h) / trials; math.Abs(f-p) > 5*sd {
					t.Errorf("jet %d drawn with frequency %.4f, want %.4f ± %.4f", i, f, p, 5*sd)
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	jets := synth(10000)
	train, _, err := run(t, map[string]any{"split": "train"}, 5, jets, 999)
	if err != nil {
		t.Fatal(err)
	}
	test, _, err := run(t, map[string]any{"split": "test"}, 5, jets, 37)
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]int, jets.Len())
	for _, i := range train {
		seen[i]++
	}
	for _, i := range test {
		seen[i]++
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("jet %d is in %d of train and test; want exactly one", i, n)
		}
	}
	// 10000 jets at p = 0.2: sd = 40 jets.
	if n := len(test); n < 2000-200 || n > 2000+200 {
		t.Fatalf("%d test jets, want about 2000", n)
	}
	other, _, _ := run(t, map[string]any{"split": "test"}, 6, jets, 37)
	if reflect.DeepEqual(test, other) {
		t.Fatal("seeds 5 and 6 give the same split")
	}
	// The assignment depends on the source index only, not on other cuts.
	cut, _, _ := run(t, map[string]any{"split": "test", "pt_min": 5100}, 5, jets, 37)
	want := []int{}
	for _, i := range test {
		if i >= 5000 {
			want = append(want, i)
		}
	}
	if !reflect.DeepEqual(cut, want) {
		t.Fatal("pt_min changed the split assignment of the remaining jets")
	}
	// A larger test fraction contains the smaller one's test set.
	big, _, _ := run(t, map[string]any{"split": "test", "test_fraction": 0.5}, 5, jets, 37)
	inBig := map[int]bool{}
	for _, i := range big {
		inBig[i] = true
	}
	for _, i := range test {
		if !inBig[i] {
			t.Fatalf("jet %d is in the 0.2 test set but not the 0.5 one", i)
		}
	}
}

func TestValidation(t *testing.T) {
	p, _ := Spec().Resolve(nil)
	s, _ := New(p, 1, "first.npz")
	if _, err := s.Add(synth(10)); err != nil {
		t.Fatal(err)
	}
	s.SetSource("second.npz")
	bad := synth(5)
	bad.Pt[3] = math.NaN()
	_, err := s.Add(bad)
	if want := "second.npz: jet 3 (jet 13 of the input stream), particle 0: pt is NaN"; err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}

	s, _ = New(p, 1, "one.npz")
	empty := synth(3)
	empty.Offsets = []int{0, 1, 1, 2}
	empty.Pt, empty.Y, empty.Phi, empty.PID = empty.Pt[:2], empty.Y[:2], empty.Phi[:2], empty.PID[:2]
	if _, err := s.Add(empty); err == nil || err.Error() != "one.npz: jet 1: jet has no particles" {
		t.Fatalf("error = %v", err)
	}
	neg := synth(2)
	neg.Pt[1] = -1
	if _, err := s.Add(neg); err == nil || !strings.Contains(err.Error(), "one.npz: jet 1, particle 0: pt -1 is not positive") {
		t.Fatalf("error = %v", err)
	}

	// validate: false passes bad values on.
	p2, _ := Spec().Resolve(map[string]any{"validate": false})
	s, _ = New(p2, 1, "x")
	out, err := s.Add(bad)
	if err != nil || out.Len() != 5 || !math.IsNaN(out.Pt[3]) {
		t.Fatalf("validate=false: %v, %v", out, err)
	}
}

func TestFinishWithoutJets(t *testing.T) {
	s, _ := New(plugin.Params{}, 1, "void.npz")
	if _, err := s.Finish(); err == nil || err.Error() != "void.npz: no jets were read" {
		t.Fatalf("error = %v", err)
	}
}

func TestDone(t *testing.T) {
	p, _ := Spec().Resolve(map[string]any{"quarks": 2, "gluons": 1})
	s, _ := New(p, 1, "x")
	for i := 0; i < 3; i++ {
		if s.Done() {
			t.Fatalf("done after %d jets", i)
		}
		s.Add(synth(1)) // always jet 0 of synth: a quark
	}
	if s.Done() {
		t.Fatal("done without a gluon")
	}
	g := synth(2).Subset([]int{1})
	s.Add(g)
	if !s.Done() {
		t.Fatal("not done with 2 quarks and 1 gluon")
	}
	p, _ = Spec().Resolve(map[string]any{"max_jets": 1, "sample": "random"})
	s, _ = New(p, 1, "x")
	s.Add(synth(5))
	if s.Done() {
		t.Fatal("random sampling can never stop early")
	}
}

// TestReservoirMemory: with sample: random the pool stays bounded by the
// selection size (plus slack), not by the stream.
func TestReservoirMemory(t *testing.T) {
	p, _ := Spec().Resolve(map[string]any{"sample": "random", "max_jets": 20})
	s, _ := New(p, 3, "x")
	b := synth(100)
	peak := 0
	for k := 0; k < 500; k++ {
		if _, err := s.Add(b.Clone()); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, s.pool.Len())
	}
	if peak > 2*40+1024+100 {
		t.Fatalf("pool grew to %d jets for a selection of 20", peak)
	}
	out, err := s.Finish()
	if err != nil || out.Len() != 20 {
		t.Fatalf("%v, %v", out, err)
	}
	if want := "read 50000 jets, kept 20 ("; !strings.HasPrefix(s.Summary(), want) {
		t.Fatalf("summary %q", s.Summary())
	}
}

func TestSpecIsValid(t *testing.T) {
	info := plugin.Info{Kind: plugin.KindReader, Name: "x", APIVersion: plugin.APIVersion, Params: Spec()}
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	for _, ps := range Spec() {
		if ps.Doc == "" {
			t.Errorf("parameter %s has no doc", ps.Name)
		}
	}
}
