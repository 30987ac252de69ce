package expert

import (
	"context"
	"errors"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
	"github.com/smearflow/smearflow/core/table"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

func compute(t testing.TB, jets *jet.Jets, raw map[string]any) *table.Table {
	t.Helper()
	tab, err := New().Compute(context.Background(), plugin.ObservablesRequest{Params: raw, Jets: jets})
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.Check(); err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != jets.Len() {
		t.Fatalf("%d rows for %d jets", tab.Rows(), jets.Len())
	}
	return tab
}

func TestInfo(t *testing.T) {
	info := New().Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	if info.Kind != plugin.KindObservables || info.Name != "expert" || info.Version != "0.1.0" || info.APIVersion != plugin.APIVersion {
		t.Errorf("info %+v", info)
	}
	for _, p := range info.Params {
		if p.Doc == "" || p.Default == nil {
			t.Errorf("parameter %s: doc %q, default %v", p.Name, p.Doc, p.Default)
		}
	}
	opt, err := OptionsFromParams(nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := plugintest.Diff(opt, DefaultOptions()); d != "" {
		t.Errorf("spec defaults differ from DefaultOptions: %s", d)
	}
}

func TestConformance(t *testing.T) {
	toy := plugintest.ToyJets(40, 3)
	for _, params := range []map[string]any{
		nil,
		{"set": "all", "flags": true},
		{"columns": []any{"tau21_okt_b1", "sd_b0p5_z0p2_Rg", "mass"}, "beta": []any{0.5}, "zcut": 0.2, "massive": false},
		{"columns": []any{"no_such_column"}},
	} {
		plugintest.Conformance(t, New(), plugintest.Input{Params: params, Jets: toy})
	}
}

// TestReferenceColumns runs the plugin (set "all") on the 500 small-sample
// jets and compares every column of reference/substructure (FastJet 3.4.0 +
// fjcontrib 1.051; PDG masses and massless) to 1e-6 relative, n_const
// exactly. Jet 473 (β = 0) has no passing soft-drop splitting: z_g and
// ΔR_g are 0 here and -1 in fjcontrib, and its single massless groomed
// constituent has mass exactly 0 (FastJet: -5.4e-6 GeV from rounding).
func TestReferenceColumns(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	for _, f := range []struct {
		file    string
		massive bool
	}{{"fjcontrib_obs_small500.csv", true}, {"fjcontrib_obs_small500_massless.csv", false}} {
		path := sharedtest.Path(t, "reference/substructure/"+f.file)
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := table.ReadCSV(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := compute(t, jets, map[string]any{"set": "all", "massive": f.massive, "flags": true})
		flags, _ := got.Floats(FlagColumn)
		checked := 0
		for _, rc := range ref.Columns {
			if rc.Name == "label" {
				continue
			}
			g, err := got.Floats(rc.Name)
			if err != nil {
				t.Errorf("%s: %v", f.file, err)
				continue
			}
			for i, want := range rc.Float {
				if uint32(flags[i])&FlagSoftDropFailed != 0 && strings.HasPrefix(rc.Name, "sd_b0_") {
					switch {
					case strings.HasSuffix(rc.Name, "_zg") || strings.HasSuffix(rc.Name, "_Rg"):
						if g[i] != 0 || want != -1 {
							t.Errorf("%s jet %d %s = %v (fjcontrib %v), want 0 (fjcontrib -1)", f.file, i, rc.Name, g[i], want)
						}
						continue
					case rc.Name == "sd_b0_z0p1_mass" && !f.massive:
						if g[i] != 0 || math.Abs(want) > 1e-5 {
							t.Errorf("%s jet %d %s = %v (FastJet %v), want 0", f.file, i, rc.Name, g[i], want)
						}
						continue
					}
				}
				d := math.Abs(g[i]-want) / math.Max(math.Abs(want), 1e-300)
				if d > 1e-6 || (rc.Name == "n_const" && d != 0) {
					t.Errorf("%s jet %d %s = %.17g, want %.17g", f.file, i, rc.Name, g[i], want)
				}
				checked++
			}
		}
		if checked < 39*500-10 {
			t.Errorf("%s: only %d values checked", f.file, checked)
		}
		if uint32(flags[473])&FlagSoftDropFailed == 0 {
			t.Errorf("jet 473 should carry the soft-drop failure flag")
		}
	}
}

// TestParallelDeterministic: the table is bit-identical on one and on
// several goroutines.
func TestParallelDeterministic(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	sub := jets.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 473})
	params := map[string]any{"set": "all", "flags": true}
	prev := runtime.GOMAXPROCS(1)
	one := compute(t, sub, params)
	runtime.GOMAXPROCS(max(4, prev))
	many := compute(t, sub, params)
	runtime.GOMAXPROCS(prev)
	if d := plugintest.Diff(one, many); d != "" {
		t.Errorf("1 vs %d goroutines: %s", max(4, prev), d)
	}
}

// TestDegenerateJets: one, two and three constituents and coincident
// constituents give finite documented values and flags, never NaN.
func TestDegenerateJets(t *testing.T) {
	js := &jet.Jets{}
	js.Append([]float64{500}, []float64{0.1}, []float64{6.2}, []int32{22}, 1, 1)                                   // 0: one photon
	js.Append([]float64{300, 200}, []float64{0, 0.1}, []float64{1, 1.1}, []int32{211, -211}, 0, 1)                 // 1: two
	js.Append([]float64{300, 100, 100}, []float64{0, 0.1, -0.1}, []float64{1, 1.1, 1}, []int32{22, 22, 321}, 0, 1) // 2: three
	js.Append([]float64{300, 100}, []float64{0.2, 0.2}, []float64{1, 1}, []int32{22, 22}, 0, 1)                    // 3: coincident
	tab := compute(t, js, map[string]any{"set": "all", "flags": true, "massive": false})
	for _, c := range tab.Columns {
		for i, v := range c.Float {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("jet %d %s = %v", i, c.Name, v)
			}
		}
	}
	get := func(col string, i int) float64 {
		v, err := tab.Floats(col)
		if err != nil {
			t.Fatal(err)
		}
		return v[i]
	}
	for _, c := range []struct {
		jet   int
		flags uint32
		zero  []string
		one   []string
	}{
		{0, FlagSingle | FlagTau2Trivial | FlagTau3Trivial | FlagTauRatio | FlagE2Zero | FlagSoftDropFailed,
			[]string{"mass", "girth", "e2_b1", "e3_b1", "C2_b1", "D2_b2", "tau1_okt_b1", "tau21_wta_b1", "tau32_owta_b1", "sd_b0_zg", "sd_b1_Rg", "sd_b0_z0p1_mass"},
			[]string{"pTD", "n_const"}},
		{1, FlagTau2Trivial | FlagTau3Trivial | FlagTauRatio, []string{"tau2_wta_unnorm_b1", "tau21_okt_b1", "tau32_wta_b1", "e3_b2", "C2_b1"}, nil},
		{2, FlagTau3Trivial, []string{"tau3_okt_b1", "tau32_okt_b1"}, nil},
		// Two particles at one point: e2 = 0 and τ1 = 0, but soft drop
		// passes (z = 0.25 > 0.1 (0/R0)^β) with ΔR_g = 0.
		{3, FlagTau2Trivial | FlagTau3Trivial | FlagTauRatio | FlagE2Zero,
			[]string{"mass", "e2_b1", "tau1_wta_unnorm_b1", "C2_b2", "sd_b1_Rg", "sd_b0_Rg"}, nil},
	} {
		if got := uint32(get(FlagColumn, c.jet)); got != c.flags {
			t.Errorf("jet %d: flags %b, want %b", c.jet, got, c.flags)
		}
		for _, col := range c.zero {
			if v := get(col, c.jet); v != 0 {
				t.Errorf("jet %d: %s = %v, want 0", c.jet, col, v)
			}
		}
		for _, col := range c.one {
			if v := get(col, c.jet); v != 1 {
				t.Errorf("jet %d: %s = %v, want 1", c.jet, col, v)
			}
		}
	}
	if math.Abs(get("sd_b0_z0p1_pt", 0)-500) > 1e-12 || get("tau1_wta_unnorm_b1", 1) <= 0 || get("sd_b1_zg", 3) != 0.25 {
		t.Errorf("single-photon groomed pt %v; two-prong tau1 %v; coincident z_g %v", get("sd_b0_z0p1_pt", 0), get("tau1_wta_unnorm_b1", 1), get("sd_b1_zg", 3))
	}
}

func TestColumnSelection(t *testing.T) {
	jets := plugintest.ToyJets(5, 1)
	for _, c := range []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"default xaug", nil, append([]string{"jet_index"}, xaugColumns([]float64{0, 1}, 0.1)...)},
		{"explicit order", map[string]any{"columns": []any{"D2_b2", "n_const", "sd_b1_z0p1_pt"}, "set": "all"},
			[]string{"jet_index", "D2_b2", "n_const", "sd_b1_z0p1_pt"}},
		{"custom soft drop", map[string]any{"beta": []any{0.5, 2}, "zcut": 0.05, "columns": []any{"sd_b0p5_z0p05_mass", "sd_b2_Rg"}, "flags": true},
			[]string{"jet_index", "sd_b0p5_z0p05_mass", "sd_b2_Rg", FlagColumn}},
		{"xaug without soft drop", map[string]any{"beta": []any{}},
			[]string{"jet_index", "n_const", "mass", "pTD", "girth", "tau21_wta_b1", "tau32_wta_b1", "C2_b1", "D2_b1"}},
		{"all", map[string]any{"set": "all"}, append([]string{"jet_index"}, ColumnNames([]float64{0, 1}, 0.1)...)},
	} {
		got := compute(t, jets, c.params).Names()
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: columns %v, want %v", c.name, got, c.want)
		}
	}
	want := []string{"sd_b0_z0p1_mass", "sd_b0_zg", "sd_b0_Rg", "sd_b1_z0p1_pt", "tau1_okt_b1", "tau3_owta_b1", "tau32_wta_b1", "tau2_wta_b1", "e3_b2", "C2_b1", "D2_b2"}
	all := ColumnNames([]float64{0, 1}, 0.1)
	for _, w := range want {
		if !slices.Contains(all, w) {
			t.Errorf("column %s missing from the catalogue", w)
		}
	}
	if len(all) != 42 {
		t.Errorf("%d columns in the catalogue, want 42", len(all))
	}
	// Units.
	tab := compute(t, jets, map[string]any{"columns": []any{"mass", "tau1_wta_unnorm_b1", "tau1_wta_b1", "phi"}})
	for name, unit := range map[string]string{"mass": "GeV", "tau1_wta_unnorm_b1": "GeV", "tau1_wta_b1": "", "phi": "rad"} {
		if u := tab.Col(name).Unit; u != unit {
			t.Errorf("%s: unit %q, want %q", name, u, unit)
		}
	}
}

func TestErrors(t *testing.T) {
	good := plugintest.ToyJets(3, 2)
	badPID := good.Clone()
	badPID.PID[good.Offsets[2]+1] = 99
	nanPt := good.Clone()
	nanPt.Pt[good.Offsets[1]] = math.NaN()
	for _, c := range []struct {
		name   string
		jets   *jet.Jets
		params map[string]any
		want   string
	}{
		{"nil jets", nil, nil, "no jets"},
		{"unknown pid", badPID, nil, "jet 2, particle 1: PDG id 99"},
		{"nan pt", nanPt, nil, "jet 1, particle 0"},
		{"unknown column", good, map[string]any{"columns": []any{"tau21_wta"}}, `unknown column "tau21_wta" (did you mean "tau21_wta_b1"?)`},
		{"unknown column far", good, map[string]any{"columns": []any{"xyzzy"}}, "known: n_const"},
		{"duplicate column", good, map[string]any{"columns": []any{"mass", "mass"}}, "listed twice"},
		{"jet_index column", good, map[string]any{"columns": []any{"jet_index"}}, "added automatically"},
		{"duplicate beta", good, map[string]any{"beta": []any{1, 1.0}}, "listed twice"},
		{"bad set", good, map[string]any{"set": "most"}, "parameter \"set\""},
		{"bad radius", good, map[string]any{"radius": -1}, "parameter \"radius\""},
		{"unknown parameter", good, map[string]any{"zcutt": 0.2}, `did you mean "zcut"`},
	} {
		_, err := New().Compute(context.Background(), plugin.ObservablesRequest{Params: c.params, Jets: c.jets})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// An unknown pid is fine for massless constituents.
	if _, err := New().Compute(context.Background(), plugin.ObservablesRequest{Params: map[string]any{"massive": false}, Jets: badPID}); err != nil {
		t.Errorf("massless: %v", err)
	}
	// Cancellation.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := New().Compute(ctx, plugin.ObservablesRequest{Jets: plugintest.ToyJets(100, 1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
