package angularity

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

func oneJet(pt, y, phi []float64) jet.View {
	j := &jet.Jets{}
	j.Append(pt, y, phi, nil, jet.Quark, 1)
	return j.Jet(0)
}

// TestLambdaByHand checks λ_a on jets worked out by hand.
func TestLambdaByHand(t *testing.T) {
	// pt 1 at (0, 0) and pt 3 at (0.4, 0): axis y = 0.3, so ΔR = 0.3 and
	// 0.1 with z = 1/4 and 3/4.
	two := oneJet([]float64{1, 3}, []float64{0, 0.4}, []float64{0, 0})
	// Two equal particles either side of phi = ±pi: axis at pi, ΔR = 0.05.
	wrap := oneJet([]float64{1, 1}, []float64{0, 0}, []float64{math.Pi - 0.05, -math.Pi + 0.05})
	cases := []struct {
		name string
		v    jet.View
		a    float64
		want float64
	}{
		{"a=1", two, 1, 0.25*0.3 + 0.75*0.1},
		{"a=2", two, 2, 0.25*0.09 + 0.75*0.01},
		{"a=0.5", two, 0.5, 0.25*math.Sqrt(0.3) + 0.75*math.Sqrt(0.1)},
		{"a=0", two, 0, 1},
		{"phi wrap", wrap, 1, 0.05},
		{"single particle", oneJet([]float64{7}, []float64{1}, []float64{2}), 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Lambda(tc.v, tc.a); math.Abs(got-tc.want) > 1e-14 {
				t.Errorf("λ = %.17g, want %.17g", got, tc.want)
			}
		})
	}
}

func prepare(t testing.TB, jets *jet.Jets, a float64) *Space {
	t.Helper()
	sp, err := New().Prepare(context.Background(), plugin.MetricRequest{Params: plugin.Params{"a": a}, Jets: jets})
	if err != nil {
		t.Fatal(err)
	}
	return sp.(*Space)
}

// TestGirthReference compares λ_1 on the 500 small-sample jets with the
// girth of shared/reference/substructure/fjcontrib_obs_small500_massless.csv
// (fjcontrib, massless constituents). The reference measures ΔR from the
// E-scheme jet axis, λ_1 from the pT centroid, so they agree closely but
// not exactly; the quark/gluon separation must match the documented
// girth AUC of 0.706 (reference README).
func TestGirthReference(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	path := "reference/substructure/fjcontrib_obs_small500_massless.csv"
	rows := sharedtest.ReadCSV(t, path)
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	if len(rows)-1 != jets.Len() {
		t.Fatalf("%s has %d rows for %d jets", path, len(rows)-1, jets.Len())
	}
	l := prepare(t, jets, 1).Lambdas()
	rel := make([]float64, len(l))
	for i, r := range rows[1:] {
		girth, err := strconv.ParseFloat(r[col["girth"]], 64)
		if err != nil {
			t.Fatalf("%s line %d: %v", path, i+2, err)
		}
		rel[i] = math.Abs(l[i]-girth) / girth
	}
	sort.Float64s(rel)
	median, p95 := rel[len(rel)/2], rel[len(rel)*95/100]
	t.Logf("λ_1 vs fjcontrib girth: median relative difference %.2e, 95th percentile %.2e", median, p95)
	if median > 1e-3 || p95 > 1e-2 {
		t.Errorf("λ_1 departs from the girth: median %.3g, p95 %.3g", median, p95)
	}
	auc := aucOf(l, jets.Label)
	t.Logf("quark/gluon AUC of λ_1: %.4f (reference girth: 0.706)", auc)
	if math.Abs(auc-0.706) > 0.005 {
		t.Errorf("AUC %.4f, reference girth 0.706", auc)
	}
}

// aucOf returns max(AUC, 1-AUC) of a score for quark vs gluon, ties
// counted as 1/2 (Mann-Whitney).
func aucOf(score []float64, label []int8) float64 {
	var wins, pairs float64
	for i := range score {
		for j := range score {
			if label[i] == jet.Quark && label[j] == jet.Gluon {
				pairs++
				switch {
				case score[i] > score[j]:
					wins++
				case score[i] == score[j]:
					wins += 0.5
				}
			}
		}
	}
	a := wins / pairs
	return math.Max(a, 1-a)
}

func TestSpace(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	sp := prepare(t, jets, 0.5)
	ctx := context.Background()
	rows, cols := plugin.Range{Lo: 10, Hi: 30}, plugin.Range{Lo: 490, Hi: 500}
	out := make([]float64, rows.Len()*cols.Len())
	if err := sp.Block(ctx, rows, cols, out); err != nil {
		t.Fatal(err)
	}
	var pi, pj []int32
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			pi, pj = append(pi, int32(i)), append(pj, int32(j))
		}
	}
	pairs := make([]float64, len(pi))
	if err := sp.Pairs(ctx, pi, pj, pairs); err != nil {
		t.Fatal(err)
	}
	for k := range out {
		want := math.Abs(Lambda(jets.Jet(int(pi[k])), 0.5) - Lambda(jets.Jet(int(pj[k])), 0.5))
		if out[k] != pairs[k] || out[k] != want {
			t.Fatalf("d(%d,%d): Block %v, Pairs %v, direct %v", pi[k], pj[k], out[k], pairs[k], want)
		}
	}
	emb, err := sp.LowerBound(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k := range out {
		if lb := math.Abs(emb.Vectors[pi[k]] - emb.Vectors[pj[k]]); lb != out[k] {
			t.Fatalf("lower bound %v != distance %v", lb, out[k])
		}
	}
}

func TestBadInput(t *testing.T) {
	bad := sharedtest.SmallSample(t).Clone()
	bad.Pt[bad.Offsets[7]+2] = math.NaN()
	sp := prepare(t, sharedtest.SmallSample(t), 1)
	ctx := context.Background()
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"NaN pt", func() error {
			_, err := New().Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"a": 1.0}, Jets: bad})
			return err
		}(), "angularity: jet 7, particle 2: pt is NaN"},
		{"no jets", func() error {
			_, err := New().Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"a": 1.0}})
			return err
		}(), "angularity: no jets"},
		{"rows out of range", sp.Block(ctx, plugin.Range{Lo: 499, Hi: 501}, plugin.Range{Lo: 0, Hi: 1}, make([]float64, 2)), "rows [499, 501) outside the 500 jets"},
		{"short output", sp.Block(ctx, plugin.Range{Lo: 0, Hi: 2}, plugin.Range{Lo: 0, Hi: 2}, make([]float64, 3)), "needs 4 outputs, got 3"},
		{"pair out of range", sp.Pairs(ctx, []int32{0, 500}, []int32{1, 2}, make([]float64, 2)), "pair 1 (500, 2) is outside the 500 jets"},
		{"negative a", func() error { _, err := New().Info().Params.Resolve(map[string]any{"a": -1}); return err }(), `parameter "a": value -1 is below the minimum 0`},
	}
	for _, tc := range cases {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

// TestConformance runs the shared conformance suite: identical results in
// process and through the gRPC shim.
func TestConformance(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	for _, a := range []any{0, 0.5, 1, 2} {
		plugintest.Conformance(t, New(), plugintest.Input{Params: map[string]any{"a": a}, Jets: jets})
	}
}

// TestExternalBinary builds the plugin binary, loads it as the runner
// would (discovery in a plugin directory, go-plugin, catalog) and checks
// that its distances equal the in-process library's bit for bit.
func TestExternalBinary(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	dir := t.TempDir()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "smearflow-plugin-angularity")
	if out, err := exec.Command(goBin, "build", "-o", bin, "./cmd/smearflow-plugin-angularity").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	reg := &plugin.Registry{}
	m, err := grpcplugin.Load(context.Background(), reg, []string{dir},
		grpcplugin.Options{Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if o := reg.Origin(plugin.KindMetric, "angularity"); o != bin {
		t.Errorf("origin %q, want %q", o, bin)
	}
	remote, err := reg.Metric("angularity")
	if err != nil {
		t.Fatal(err)
	}
	if d := plugintest.Diff(New().Info(), remote.Info()); d != "" {
		t.Errorf("Info differs: %s", d)
	}
	ctx := context.Background()
	params := plugin.Params{"a": 1.0}
	sp, err := remote.Prepare(ctx, plugin.MetricRequest{Params: params, Jets: jets})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if _, ok := sp.(plugin.LowerBounder); !ok {
		t.Error("the remote space is not a LowerBounder")
	}
	n := jets.Len()
	all := plugin.Range{Lo: 0, Hi: n}
	got := make([]float64, n*n) // 2 MB: more than one 1 MiB frame
	if err := sp.Block(ctx, all, all, got); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, n*n)
	if err := prepare(t, jets, 1).Block(ctx, all, all, want); err != nil {
		t.Fatal(err)
	}
	if d := plugintest.Diff(want, got); d != "" {
		t.Fatalf("external Block differs from the library: %s", d)
	}
	// Parameter errors come back naming the plugin and the binary.
	_, err = remote.Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"a": -1.0}, Jets: jets})
	if err == nil || !strings.Contains(err.Error(), "metric/angularity ("+bin+`): parameter "a": value -1 is below the minimum 0`) {
		t.Errorf("bad parameter: %v", err)
	}
}
