package emd

import (
	"context"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil/metrictest"
)

func prepare(t testing.TB, jets *jet.Jets, params map[string]any) *Space {
	t.Helper()
	return metrictest.Prepare[*Space](t, New(), spec, jets, params)
}

func first200(t testing.TB) *jet.Jets {
	idx := make([]int, 200)
	for i := range idx {
		idx[i] = i
	}
	return sharedtest.SmallSample(t).Subset(idx)
}

// TestPairsReference compares the 2000 pairs of
// reference/emd/pairs_emd.csv (Wasserstein 0.3.3 network simplex, R = 0.4,
// β = 1, centred jets) to 1e-6 relative, as the reference README asks.
func TestPairsReference(t *testing.T) {
	rows := sharedtest.ReadCSVRows(t, "reference/emd/pairs_emd.csv")
	jets := first200(t)
	for _, v := range []struct {
		col    string
		params map[string]any
	}{{"emd_norm", nil}, {"emd_gev", map[string]any{"normalize": false}}} {
		s := prepare(t, jets, v.params)
		n := len(rows)
		is, js := make([]int32, n), make([]int32, n)
		for k, r := range rows {
			is[k], js[k] = int32(r.Float(t, "i")), int32(r.Float(t, "j"))
		}
		out := make([]float64, n)
		if err := s.Pairs(context.Background(), is, js, out); err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for k, r := range rows {
			want := r.Float(t, v.col)
			d := math.Abs(out[k]-want) / want
			worst = max(worst, d)
			if d > 1e-6 {
				t.Errorf("%s pair (%d, %d): %.17g, want %.17g (rel %.2g)", v.col, is[k], js[k], out[k], want, d)
			}
		}
		t.Logf("%s: %d pairs, largest relative difference %.2g", v.col, n, worst)
	}
}

// TestCentroids compares the centring with reference/emd/centroids.csv.
func TestCentroids(t *testing.T) {
	rows := sharedtest.ReadCSVRows(t, "reference/emd/centroids.csv")
	s := prepare(t, first200(t), map[string]any{"normalize": false})
	worst := 0.0
	for _, r := range rows {
		i := int(r.Float(t, "jet"))
		for _, c := range []struct {
			got, want float64
			what      string
		}{{s.yc[i], r.Float(t, "y_centroid"), "y"}, {s.phic[i], r.Float(t, "phi_centroid"), "phi"}, {s.sum[i], r.Float(t, "sum_pt"), "sum_pt"}} {
			d := math.Abs(c.got - c.want)
			worst = max(worst, d/math.Abs(c.want))
			if d > 1e-12*math.Abs(c.want) {
				t.Errorf("jet %d %s: %.17g, want %.17g", i, c.what, c.got, c.want)
			}
		}
	}
	t.Logf("largest relative difference %.2g", worst)
}

// TestCentringAcrossPi: a jet straddling φ = ±π, and the same jet rotated
// away from the boundary, are at distance 0 when centred.
func TestCentringAcrossPi(t *testing.T) {
	js := &jet.Jets{}
	js.Append([]float64{60, 40, 10}, []float64{0.1, 0.2, -0.1}, []float64{math.Pi - 0.05, -math.Pi + 0.1, math.Pi - 0.2}, nil, jet.Quark, 1)
	js.Append([]float64{60, 40, 10}, []float64{1.1, 1.2, 0.9}, []float64{1 - 0.05, 1 + 0.1, 1 - 0.2}, nil, jet.Quark, 1)
	s := prepare(t, js, nil)
	if d := metrictest.Pair(t, s, 0, 1); d > 1e-13 {
		t.Errorf("centred EMD of a jet and its translate = %v, want 0", d)
	}
	// Without centring: a pure translation by (1, ~1+π): every particle moves
	// by the same θ, so EMD = θ/R.
	u := prepare(t, js, map[string]any{"center": false})
	theta := math.Hypot(1, jet.DeltaPhi(1-0.05, math.Pi-0.05))
	if d := metrictest.Pair(t, u, 0, 1); math.Abs(d-theta/0.4) > 1e-12 {
		t.Errorf("uncentred EMD = %v, want θ/R = %v", d, theta/0.4)
	}
}

// TestProperties: symmetry (bit for bit), zero between two copies of a jet,
// the triangle inequality on random triples of small-sample jets (β = 1,
// normalised; and GeV with R = 2, large enough for the metric property),
// and Block agreeing with Pairs.
func TestProperties(t *testing.T) {
	all := sharedtest.SmallSample(t)
	jets := all.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0})
	for _, params := range []map[string]any{nil, {"normalize": false, "radius": 2.0}, {"center": false}} {
		s := prepare(t, jets, params)
		n := s.Len()
		m := make([]float64, n*n)
		if err := s.Block(context.Background(), plugin.Range{Lo: 0, Hi: n}, plugin.Range{Lo: 0, Hi: n}, m); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if m[i*n+j] != m[j*n+i] {
					t.Fatalf("%v: (%d, %d) not symmetric", params, i, j)
				}
				if i != j && m[i*n+j] != metrictest.Pair(t, s, i, j) {
					t.Fatalf("%v: Block and Pairs differ at (%d, %d)", params, i, j)
				}
			}
		}
		if d := m[0*n+n-1]; d > 1e-12 {
			t.Errorf("%v: EMD between two copies of jet 0 = %v", params, d)
		}
		r := rand.New(rand.NewPCG(5, 6))
		for k := 0; k < 300; k++ {
			a, b, c := r.IntN(n), r.IntN(n), r.IntN(n)
			if m[a*n+c] > m[a*n+b]+m[b*n+c]+1e-12 {
				t.Errorf("%v: triangle (%d, %d, %d): %v > %v + %v", params, a, b, c, m[a*n+c], m[a*n+b], m[b*n+c])
			}
		}
	}
}

// TestOneParticleJets: the single photon of data/README.md (dev row 4377)
// is a one-particle jet; against another one-particle jet the EMD is θ/R
// (normalised) or θ/R·min(E) + |ΔE| (GeV), and against a real jet it is
// finite.
func TestOneParticleJets(t *testing.T) {
	js := &jet.Jets{}
	js.Append([]float64{536}, []float64{0.2}, []float64{1}, []int32{22}, jet.Quark, 1)
	js.Append([]float64{300}, []float64{0.5}, []float64{1.4}, []int32{22}, jet.Quark, 1)
	js.AppendView(sharedtest.SmallSample(t).Jet(0))
	theta := math.Hypot(0.3, 0.4)
	for _, tc := range []struct {
		params map[string]any
		want   float64
	}{
		{map[string]any{"center": false}, theta / 0.4},
		{map[string]any{"center": false, "normalize": false}, 300*theta/0.4 + 236},
		{nil, 0}, // centred: both at the origin
	} {
		s := prepare(t, js, tc.params)
		if d := metrictest.Pair(t, s, 0, 1); math.Abs(d-tc.want) > 1e-12*(1+tc.want) {
			t.Errorf("%v: %v, want %v", tc.params, d, tc.want)
		}
		if d := metrictest.Pair(t, s, 0, 2); math.IsNaN(d) || d <= 0 {
			t.Errorf("%v: photon vs jet 0 = %v", tc.params, d)
		}
	}
}

func TestErrors(t *testing.T) {
	good := &jet.Jets{}
	good.Append([]float64{10, 20}, []float64{0, 0.1}, []float64{0, 0}, nil, jet.Quark, 1)
	empty := &jet.Jets{Offsets: []int{0, 0}, Label: []int8{0}, Weight: []float64{1}}
	metrictest.CheckPrepareErrors(t, New(), []metrictest.PrepareCase{
		{Name: "empty jet", Jets: empty, Params: nil, Want: "jet 0: jet has no particles"},
		{Name: "no jets", Jets: nil, Params: nil, Want: "no jets"},
		{Name: "radius 0", Jets: good, Params: map[string]any{"radius": 0.0}, Want: `parameter "radius"`},
		{Name: "beta", Jets: good, Params: map[string]any{"beta": -1.0}, Want: `parameter "beta"`},
		{Name: "R spelled", Jets: good, Params: map[string]any{"R": 0.4}, Want: `unknown parameter`},
	})
	metrictest.CheckSpaceArgs(t, prepare(t, good, nil))
}

// TestHostParams: the host's metric parameters may be passed along with
// the plugin's own and are ignored, not rejected.
func TestHostParams(t *testing.T) {
	metrictest.CheckHostParams(t, New(), nil)
}

func TestInfo(t *testing.T) {
	info := metrictest.CheckInfo(t, New())
	if !info.Has(plugin.CapExact) || info.Has(plugin.CapLowerBound) {
		t.Errorf("capabilities %v", info.Capabilities)
	}
	for _, p := range info.Params {
		if p.Doc == "" {
			t.Errorf("parameter %s has no doc", p.Name)
		}
	}
}

// BenchmarkPairs solves the 2000 reference pairs (jets 0..10 against the
// first 200 small-sample jets), normalised and GeV, and reports pairs/s
// and pairs per CPU second. Reference point: the C++ Wasserstein package
// does ~9.5k pairs/s per core on these jets.
func BenchmarkPairs(b *testing.B) {
	jets := first200(b)
	var is, js []int32
	for i := 0; len(is) < 2000; i++ {
		for j := i + 1; j < 200 && len(is) < 2000; j++ {
			is, js = append(is, int32(i)), append(js, int32(j))
		}
	}
	for _, v := range []struct {
		name   string
		params map[string]any
	}{{"norm", nil}, {"gev", map[string]any{"normalize": false}}} {
		b.Run(v.name, func(b *testing.B) {
			s := prepare(b, jets, v.params)
			out := make([]float64, len(is))
			c0 := cpuSeconds()
			for b.Loop() {
				if err := s.Pairs(context.Background(), is, js, out); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(len(is) * b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "pairs/s")
			b.ReportMetric(n/(cpuSeconds()-c0), "pairs/cpu-s")
		})
	}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)*1e-6
}
