package observable

import (
	"context"
	"math"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil/metrictest"
)

func prepare(t *testing.T, jets *jet.Jets, params map[string]any) *Space {
	t.Helper()
	return metrictest.Prepare[*Space](t, New(), spec, jets, params)
}

// TestAgainstFastJet checks the per-jet values behind the distances
// against reference/substructure/fjcontrib_obs_small500{,_massless}.csv
// (1e-6 relative, n_const exact). Girth there is about the E-scheme axis.
func TestAgainstFastJet(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	massive := "reference/substructure/fjcontrib_obs_small500.csv"
	massless := "reference/substructure/fjcontrib_obs_small500_massless.csv"
	tests := []struct {
		file, col string
		params    map[string]any
		rel       float64
	}{
		{massive, "n_const", map[string]any{"observable": "multiplicity"}, 0},
		{massive, "mass", map[string]any{"observable": "mass"}, 1e-6},
		{massless, "mass", map[string]any{"observable": "mass", "massive": false}, 1e-6},
		{massive, "pTD", map[string]any{"observable": "ptd"}, 1e-6},
		{massive, "girth", map[string]any{"observable": "width", "axis": "e_scheme"}, 1e-6},
		{massless, "girth", map[string]any{"observable": "width", "axis": "e_scheme", "massive": false}, 1e-6},
	}
	for _, tc := range tests {
		t.Run(tc.col+"/"+tc.file[len(tc.file)-12:], func(t *testing.T) {
			want := sharedtest.ReadCSVColumn(t, tc.file, tc.col)
			s := prepare(t, jets, tc.params)
			emb, err := s.LowerBound(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i, w := range want {
				d := math.Abs(emb.Vectors[i]-w) / math.Abs(w)
				worst = max(worst, d)
				if d > tc.rel {
					t.Fatalf("jet %d: %.17g, want %.17g", i, emb.Vectors[i], w)
				}
			}
			t.Logf("largest relative difference %.2g", worst)
		})
	}
}

// TestDistances checks Block, Pairs and the embedding against |O_i − O_j|
// for every observable, and that the embedding bound is exact.
func TestDistances(t *testing.T) {
	jets := sharedtest.SmallSample(t).Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	for _, obs := range []string{"mass", "multiplicity", "width", "ptd", "angularity"} {
		s := prepare(t, jets, map[string]any{"observable": obs})
		n := s.Len()
		out := make([]float64, n*(n-2))
		if err := s.Block(context.Background(), plugin.Range{Lo: 0, Hi: n}, plugin.Range{Lo: 1, Hi: n - 1}, out); err != nil {
			t.Fatal(err)
		}
		emb, _ := s.LowerBound(context.Background())
		for i := 0; i < n; i++ {
			for j := 1; j < n-1; j++ {
				d := out[i*(n-2)+j-1]
				p := make([]float64, 1)
				s.Pairs(context.Background(), []int32{int32(i)}, []int32{int32(j)}, p)
				lo := math.Abs(emb.Vectors[i] - emb.Vectors[j])
				if d != p[0] || d != lo || emb.Residuals[i] != 0 || d < 0 || math.IsNaN(d) {
					t.Fatalf("%s (%d, %d): block %v, pairs %v, embedding %v", obs, i, j, d, p[0], lo)
				}
			}
		}
	}
}

// TestOneParticleJet: the single 536 GeV photon of data/README.md has
// multiplicity 1, mass 0, width and angularity 0 and pT_D 1, with no NaN.
func TestOneParticleJet(t *testing.T) {
	js := &jet.Jets{}
	js.Append([]float64{536}, []float64{0.3}, []float64{1.2}, []int32{22}, jet.Quark, 1)
	js.Append([]float64{60, 40}, []float64{0, 0.3}, []float64{0, 0}, []int32{211, 211}, jet.Gluon, 1)
	for _, tc := range []struct {
		obs  string
		want float64
	}{{"mass", 0}, {"multiplicity", 1}, {"width", 0}, {"ptd", 1}, {"angularity", 0}} {
		for _, axis := range []string{"pt_centroid", "e_scheme"} {
			s := prepare(t, js, map[string]any{"observable": tc.obs, "axis": axis})
			if got := s.v[0]; math.Abs(got-tc.want) > 1e-15 || math.IsNaN(s.v[1]) {
				t.Errorf("%s (%s): photon %v, want %v; second jet %v", tc.obs, axis, got, tc.want, s.v[1])
			}
		}
	}
}

func TestErrors(t *testing.T) {
	good := &jet.Jets{}
	good.Append([]float64{10, 20}, []float64{0, 0.1}, []float64{0, 0}, []int32{211, 0}, jet.Quark, 1)
	empty := &jet.Jets{Offsets: []int{0, 0}, Label: []int8{0}, Weight: []float64{1}}
	metrictest.CheckPrepareErrors(t, New(), []metrictest.PrepareCase{
		{Name: "missing observable", Jets: good, Params: nil, Want: `parameter "observable": is required`},
		{Name: "bad observable", Jets: good, Params: map[string]any{"observable": "tau21"}, Want: `not one of`},
		{Name: "empty jet", Jets: empty, Params: map[string]any{"observable": "ptd"}, Want: "jet 0: jet has no particles"},
		{Name: "unknown pid", Jets: good, Params: map[string]any{"observable": "mass"}, Want: "jet 0, particle 1: PDG id 0 has no known mass"},
		{Name: "a = 0", Jets: good, Params: map[string]any{"observable": "angularity", "a": 0.0}, Want: `parameter "a"`},
	})
	// Massless mass needs no pid.
	metrictest.CheckSpaceArgs(t, prepare(t, good, map[string]any{"observable": "mass", "massive": false}))
}

// TestHostParams: the host's metric parameters may be passed along with
// the plugin's own and are ignored, not rejected.
func TestHostParams(t *testing.T) {
	metrictest.CheckHostParams(t, New(), plugin.Params{"observable": "ptd"})
}

func TestInfo(t *testing.T) {
	info := metrictest.CheckInfo(t, New())
	if !info.Has(plugin.CapExact) || !info.Has(plugin.CapLowerBound) {
		t.Errorf("capabilities %v", info.Capabilities)
	}
	for _, p := range info.Params {
		if p.Doc == "" {
			t.Errorf("parameter %s has no doc", p.Name)
		}
	}
}
