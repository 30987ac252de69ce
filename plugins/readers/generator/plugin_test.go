package generator

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
)

func TestInfo(t *testing.T) {
	info := New().Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	if info.Kind != plugin.KindReader || info.Name != "generator" || info.Version != "0.1.0" || info.APIVersion != plugin.APIVersion {
		t.Errorf("unexpected identity %s %s %d", info.ID(), info.Version, info.APIVersion)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	for _, p := range info.Params {
		if !snake.MatchString(p.Name) {
			t.Errorf("parameter %q is not snake_case", p.Name)
		}
		if p.Doc == "" || p.Default == nil {
			t.Errorf("parameter %q lacks a doc or a default", p.Name)
		}
		if (p.Type == plugin.TypeFloat || p.Type == plugin.TypeInt) && (p.Min == nil || p.Max == nil) {
			t.Errorf("numeric parameter %q lacks bounds", p.Name)
		}
	}
	for _, name := range []string{"pt", "cutoff", "frag_stop", "hadron_pt_sigma"} {
		if p, _ := info.Params.Lookup(name); p.Unit != "GeV" {
			t.Errorf("parameter %q has unit %q, want GeV", name, p.Unit)
		}
	}
	// The defaults resolve to DefaultConfig.
	params, err := info.Params.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ConfigFromParams(params)
	if err != nil || cfg != DefaultConfig() {
		t.Errorf("defaults give %+v (%v), want %+v", cfg, err, DefaultConfig())
	}
}

// read runs the plugin with raw parameters and returns the batches.
func read(t *testing.T, raw map[string]any, seed int64, batch int) ([]*jet.Jets, error) {
	t.Helper()
	var out []*jet.Jets
	err := New().Read(context.Background(), plugin.ReadRequest{Params: raw, Seed: seed, BatchSize: batch},
		func(j *jet.Jets) error { out = append(out, j); return nil })
	return out, err
}

func concat(bs []*jet.Jets) *jet.Jets {
	all := &jet.Jets{}
	for _, b := range bs {
		all.Concat(b)
	}
	return all
}

// TestReadContract checks batches, order of labels, jet validity, sorting,
// weights and metadata through the plugin interface.
func TestReadContract(t *testing.T) {
	bs, err := read(t, map[string]any{"quarks": 50, "gluons": 30}, 4, 16)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{}
	for _, b := range bs {
		sizes = append(sizes, b.Len())
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
		var settings map[string]any
		if b.Meta["source"] != "generator" || json.Unmarshal([]byte(b.Meta["generator_settings"]), &settings) != nil ||
			settings["cutoff"] != DefaultConfig().Shower.Cutoff || settings["seed"] != 4.0 || settings["quarks"] != 50.0 {
			t.Errorf("meta %v does not record the settings", b.Meta)
		}
	}
	if !slices.Equal(sizes, []int{16, 16, 16, 16, 16}) {
		t.Errorf("batch sizes %v, want 5 x 16", sizes)
	}
	all := concat(bs)
	q, g := all.CountLabels()
	if q != 50 || g != 30 {
		t.Fatalf("%d quark and %d gluon jets, want 50 and 30", q, g)
	}
	for i := 0; i < all.Len(); i++ {
		want := jet.Quark
		if i < 60 && i%2 == 1 {
			want = jet.Gluon
		}
		if all.Label[i] != want || all.Weight[i] != 1 {
			t.Fatalf("jet %d: label %d weight %g, want interleaved labels and weight 1", i, all.Label[i], all.Weight[i])
		}
		v := all.Jet(i)
		if !slices.IsSortedFunc(v.Pt, func(a, b float64) int { return -cmpFloat(a, b) }) {
			t.Fatalf("jet %d: constituents not sorted by decreasing pt", i)
		}
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestMomentumConeAndSpecies checks, for hadron- and parton-level jets with
// fixed and randomised axes: the four-momentum sum of the constituents
// (PDG masses from the pids, as jet.View.FourMomentum(true)) has pt equal
// to the requested pt to 1e-9 relative and sits on the jet axis; every
// constituent lies within R of that axis; the pids are the documented ones.
func TestMomentumConeAndSpecies(t *testing.T) {
	hadrons := map[int32]bool{22: true, 211: true, -211: true, 321: true, -321: true, 130: true,
		2212: true, -2212: true, 2112: true, -2112: true}
	partons := map[int32]bool{PIDGluon: true, PIDQuark: true}
	for _, c := range []struct {
		name string
		raw  map[string]any
		pids map[int32]bool
	}{
		{"hadrons", map[string]any{}, hadrons},
		{"partons", map[string]any{"hadronize": false}, partons},
		{"hadrons random axis R=0.8 pt=100", map[string]any{"max_rapidity": 2.0, "random_phi": true, "radius": 0.8, "pt": 100.0}, hadrons},
		{"partons fixed coupling pt=2000", map[string]any{"hadronize": false, "fixed_coupling": true, "pt": 2000.0}, partons},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := map[string]any{"quarks": 300, "gluons": 300}
			for k, v := range c.raw {
				raw[k] = v
			}
			params, _ := Spec().Resolve(raw)
			cfg, _ := ConfigFromParams(params)
			bs, err := read(t, raw, 9, 0)
			if err != nil {
				t.Fatal(err)
			}
			all := concat(bs)
			ys := []float64{}
			for i := 0; i < all.Len(); i++ {
				v := all.Jet(i)
				p := v.FourMomentum(true)
				if d := math.Abs(p.Pt()/cfg.Pt - 1); d > 1e-9 {
					t.Fatalf("jet %d: constituents sum to pt %.12g, want %g", i, p.Pt(), cfg.Pt)
				}
				ya, pa := p.Rapidity(), p.Phi()
				ys = append(ys, ya)
				if math.Abs(ya) > cfg.MaxRapidity+1e-9 || (!cfg.RandomPhi && math.Abs(jet.DeltaPhi(pa, 0)) > 1e-9) {
					t.Fatalf("jet %d: axis at (%g, %g)", i, ya, pa)
				}
				for k := range v.Pt {
					if dr := jet.DeltaR(v.Y[k], v.Phi[k], ya, pa); dr > cfg.Radius*(1+1e-9) {
						t.Fatalf("jet %d particle %d at DeltaR %g > R = %g", i, k, dr, cfg.Radius)
					}
					if math.Abs(jet.DeltaPhi(v.Phi[k], pa)-(v.Phi[k]-pa)) > 1e-9 {
						t.Fatalf("jet %d particle %d: phi %g not within pi of the axis %g", i, k, v.Phi[k], pa)
					}
					if !c.pids[v.PID[k]] {
						t.Fatalf("jet %d particle %d: unexpected pid %d", i, k, v.PID[k])
					}
				}
			}
			if cfg.MaxRapidity > 0 && (slices.Min(ys) > -cfg.MaxRapidity/2 || slices.Max(ys) < cfg.MaxRapidity/2) {
				t.Errorf("axis rapidities in [%g, %g] do not spread over +-%g", slices.Min(ys), slices.Max(ys), cfg.MaxRapidity)
			}
		})
	}
}

func equalJets(a, b *jet.Jets) bool {
	return slices.Equal(a.Offsets, b.Offsets) && slices.Equal(a.Pt, b.Pt) && slices.Equal(a.Y, b.Y) &&
		slices.Equal(a.Phi, b.Phi) && slices.Equal(a.PID, b.PID) && slices.Equal(a.Label, b.Label)
}

// TestReproducible: the same seed gives bit-identical jets whatever the
// number of workers and the batch size; another seed gives other jets.
func TestReproducible(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Quarks, cfg.Gluons = 120, 80
	gen := func(seed int64, workers, batch int) *jet.Jets {
		c := cfg
		c.Workers = workers
		all := &jet.Jets{}
		if err := Generate(context.Background(), c, seed, batch, func(j *jet.Jets) error { all.Concat(j); return nil }); err != nil {
			t.Fatal(err)
		}
		return all
	}
	ref := gen(1, 1, 0)
	for _, c := range []struct{ workers, batch int }{{1, 0}, {2, 0}, {5, 7}, {3, 1}, {0, 64}} {
		if !equalJets(ref, gen(1, c.workers, c.batch)) {
			t.Errorf("workers %d, batch %d: jets differ from the single-worker run", c.workers, c.batch)
		}
	}
	other := gen(2, 0, 0)
	if slices.Equal(ref.Pt, other.Pt) {
		t.Error("seeds 1 and 2 give identical jets")
	}
	same := 0
	for i := 0; i < ref.Len(); i++ {
		if slices.Equal(ref.Jet(i).Pt, other.Jet(i).Pt) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d jets identical between seeds 1 and 2", same)
	}
}

// TestOrders: the orders place the labels as documented, and the k-th jet of
// each class is the same jet in every order.
func TestOrders(t *testing.T) {
	byClass := func(order string, q, g int) (labels []int8, quarks, gluons []*jet.Jets) {
		bs, err := read(t, map[string]any{"quarks": q, "gluons": g, "order": order}, 5, 0)
		if err != nil {
			t.Fatal(err)
		}
		all := concat(bs)
		for i := 0; i < all.Len(); i++ {
			one := all.Subset([]int{i})
			if all.Label[i] == jet.Quark {
				quarks = append(quarks, one)
			} else {
				gluons = append(gluons, one)
			}
		}
		return all.Label, quarks, gluons
	}
	l, q0, g0 := byClass(OrderInterleaved, 4, 2)
	if !slices.Equal(l, []int8{1, 0, 1, 0, 1, 1}) {
		t.Errorf("interleaved labels %v", l)
	}
	l, q1, g1 := byClass(OrderBlocked, 4, 2)
	if !slices.Equal(l, []int8{1, 1, 1, 1, 0, 0}) {
		t.Errorf("blocked labels %v", l)
	}
	_, q2, g2 := byClass(OrderShuffled, 4, 2)
	if n := len(q2); n != 4 || len(g2) != 2 {
		t.Errorf("shuffled: %d quarks, %d gluons", n, len(g2))
	}
	for k := range q0 {
		if !equalJets(q0[k], q1[k]) || !equalJets(q0[k], q2[k]) {
			t.Errorf("quark jet %d differs between orders", k)
		}
	}
	for k := range g0 {
		if !equalJets(g0[k], g1[k]) || !equalJets(g0[k], g2[k]) {
			t.Errorf("gluon jet %d differs between orders", k)
		}
	}
	// The shuffled label sequence is seeded, mixes the classes and keeps
	// the counts.
	labels := func(seed int64) []int8 {
		o := newOrder(Config{Quarks: 500, Gluons: 300, Order: OrderShuffled}, seed)
		out := make([]int8, 800)
		for i := range out {
			out[i] = o.next().label
		}
		return out
	}
	a := labels(1)
	if !slices.Equal(a, labels(1)) || slices.Equal(a, labels(2)) {
		t.Error("shuffled order is not a seeded sequence")
	}
	nq, runs := 0, 1
	for i, l := range a {
		nq += int(l)
		if i > 0 && l != a[i-1] {
			runs++
		}
	}
	// A uniform random sequence of 500 quarks and 300 gluons has about
	// 1 + 2*500*300/800 = 376 runs (sd ~13).
	if nq != 500 || runs < 300 || runs > 450 {
		t.Errorf("shuffled labels: %d quarks, %d runs", nq, runs)
	}
}

func TestBadParameters(t *testing.T) {
	for _, c := range []struct {
		raw  map[string]any
		want string
	}{
		{map[string]any{"quarks": -1}, `"quarks"`},
		{map[string]any{"cutoff": 0.1}, `"cutoff"`},
		{map[string]any{"cutof": 1.0}, `did you mean "cutoff"`},
		{map[string]any{"order": "random"}, `"order"`},
		{map[string]any{"pt": "a lot"}, `"pt"`},
		{map[string]any{"alpha_s": 0.5, "cutoff": 0.3}, "Landau pole"},
		{map[string]any{"pt": 20.0, "cutoff": 5.0}, "no phase space"},
		{map[string]any{"radius": math.NaN()}, `"radius"`},
	} {
		_, err := read(t, c.raw, 1, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %s", c.raw, err, c.want)
		}
	}
	if _, err := read(t, map[string]any{"quarks": 1}, 1, -3); err == nil || !strings.Contains(err.Error(), "batch size") {
		t.Errorf("negative batch size: %v", err)
	}
}

func TestEmptyCancelAndEmitError(t *testing.T) {
	bs, err := read(t, map[string]any{"quarks": 0, "gluons": 0}, 1, 0)
	if err != nil || len(bs) != 0 {
		t.Errorf("no jets: %d batches, error %v", len(bs), err)
	}
	bs, err = read(t, map[string]any{"quarks": 0, "gluons": 3}, 1, 0)
	if err != nil || concat(bs).Len() != 3 {
		t.Errorf("gluons only: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = New().Read(ctx, plugin.ReadRequest{Params: plugin.Params{"quarks": int64(10)}}, func(*jet.Jets) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v", err)
	}
	stop := errors.New("enough")
	calls := 0
	err = New().Read(context.Background(), plugin.ReadRequest{Params: plugin.Params{"quarks": int64(10)}, BatchSize: 2},
		func(*jet.Jets) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("emit error: %v after %d calls", err, calls)
	}
}

// TestProgress: progress is reported once per batch.
func TestProgress(t *testing.T) {
	var got [][2]int64
	ctx := plugin.WithProgress(context.Background(), func(done, total int64, _ string) { got = append(got, [2]int64{done, total}) })
	err := New().Read(ctx, plugin.ReadRequest{Params: plugin.Params{"quarks": int64(5), "gluons": int64(0)}, BatchSize: 2},
		func(*jet.Jets) error { return nil })
	if err != nil || !slices.Equal(got, [][2]int64{{2, 5}, {4, 5}, {5, 5}}) {
		t.Errorf("progress %v, error %v", got, err)
	}
}

// TestConformance runs the reader directly and through the gRPC shim
// (core/plugin/plugintest) and requires bit-identical batches.
func TestConformance(t *testing.T) {
	plugintest.Conformance(t, New(), plugintest.Input{
		Params:    map[string]any{"quarks": 40, "gluons": 30, "order": "shuffled"},
		Seed:      3,
		BatchSize: 16,
	})
}
