package plugintest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// Toy plugins of every kind, small but exercising every field of the
// interfaces (aux columns, NaN, -0, string columns, nil Counts, ...).

func info(kind plugin.Kind, name string, spec plugin.Spec, caps ...string) plugin.Info {
	return plugin.Info{Kind: kind, Name: name, Version: "0.1.0", APIVersion: plugin.APIVersion,
		Summary: "toy " + string(kind), Doc: "A toy for the conformance tests.", Params: spec, Capabilities: caps}
}

type toyReader struct{}

func (toyReader) Info() plugin.Info {
	return info(plugin.KindReader, "toy", plugin.Spec{
		{Name: "jets", Type: plugin.TypeInt, Default: int64(10), Min: plugin.Bound(0), Doc: "number of jets"},
	})
}

func (toyReader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	all := ToyJets(req.Params.Int("jets"), uint64(req.Seed))
	size := req.BatchSize
	if size <= 0 {
		size = 4
	}
	batch := &jet.Jets{}
	for lo := 0; lo < all.Len(); lo += size {
		idx := []int{}
		for i := lo; i < min(lo+size, all.Len()); i++ {
			idx = append(idx, i)
		}
		*batch = *all.Subset(idx) // reuses the same *Jets: the harness must copy
		batch.Aux = map[string][]float64{"event": make([]float64, len(idx)), "odd": make([]float64, len(idx))}
		for k, i := range idx {
			batch.Aux["event"][k] = float64(i)
			batch.Aux["odd"][k] = [3]float64{math.NaN(), math.Copysign(0, -1), math.Inf(1)}[i%3]
		}
		batch.Meta = map[string]string{"source": "toy", "seed": fmt.Sprint(req.Seed)}
		if err := emit(batch); err != nil {
			return err
		}
		plugin.ReportProgress(ctx, int64(min(lo+size, all.Len())), int64(all.Len()), "jets")
	}
	return nil
}

type toyMetric struct{ mutate bool }

func (m toyMetric) Info() plugin.Info {
	return info(plugin.KindMetric, "toy", plugin.Spec{
		{Name: "power", Type: plugin.TypeFloat, Default: 1.0, Min: plugin.Bound(0.5), Doc: "exponent of the pt difference"},
	}, plugin.CapLowerBound)
}

func (m toyMetric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	if err := req.Jets.Validate(); err != nil {
		return nil, err
	}
	if m.mutate {
		req.Jets.SortByPt()
	}
	s := &toySpace{p: req.Params.Float("power"), sum: make([]float64, req.Jets.Len())}
	for i := range s.sum {
		s.sum[i] = req.Jets.Jet(i).SumPt()
	}
	return s, nil
}

type toySpace struct {
	p   float64
	sum []float64
}

func (s *toySpace) Len() int { return len(s.sum) }

func (s *toySpace) d(i, j int) float64 { return math.Pow(math.Abs(s.sum[i]-s.sum[j]), s.p) }

func (s *toySpace) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if rows.Hi > len(s.sum) || cols.Hi > len(s.sum) {
		return fmt.Errorf("tile %v x %v outside %d jets", rows, cols, len(s.sum))
	}
	k := 0
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			out[k] = s.d(i, j)
			k++
		}
	}
	plugin.ReportProgress(ctx, 1, 1, "tile")
	return nil
}

func (s *toySpace) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	for k := range i {
		out[k] = s.d(int(i[k]), int(j[k]))
	}
	return nil
}

func (s *toySpace) LowerBound(context.Context) (*plugin.Embedding, error) {
	return &plugin.Embedding{Dim: 1, Vectors: append([]float64(nil), s.sum...), Residuals: make([]float64, len(s.sum))}, nil
}

func (s *toySpace) Close() error { return nil }

type toySmearer struct{}

func (toySmearer) Info() plugin.Info {
	return info(plugin.KindSmearer, "toy", plugin.Spec{
		{Name: "eps", Type: plugin.TypeGrid, Default: []float64{0.1, 0.3, 1}, Min: plugin.Bound(0), Doc: "ball radii"},
	})
}

func (toySmearer) Plan(params plugin.Params) (plugin.SmearPlan, error) {
	eps := params.Floats("eps")
	if len(eps) == 0 {
		return plugin.SmearPlan{}, &plugin.ParamError{Param: "eps", Msg: "needs at least one radius"}
	}
	return plugin.SmearPlan{Axis: "eps", Points: eps, Needs: plugin.NeighborRequest{
		Radii: eps, KNearest: 3, GaussianWidths: []float64{0.5}, ListRadius: eps[0]}}, nil
}

func (toySmearer) Smear(ctx context.Context, params plugin.Params, b *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	nr := len(b.Radii)
	out := &plugin.ScoreBatch{Scores: make([]float64, len(b.Queries)*nr), Empty: make([]bool, len(b.Queries)*nr)}
	if b.Integer {
		out.Counts = make([]float64, len(out.Scores))
	}
	for q := range b.Queries {
		for r := 0; r < nr; r++ {
			k := q*nr + r
			s, bg := b.CountS[k], b.CountB[k]
			if s+bg == 0 {
				out.Scores[k], out.Empty[k] = 0.5, true
			} else {
				// Mix in the k-nearest and Gaussian summaries so they matter.
				near := float64(b.KOffsets[q+1]-b.KOffsets[q]) * 1e-3
				out.Scores[k] = s/(s+bg) + near + b.GaussS[q]*1e-6
			}
			if out.Counts != nil {
				out.Counts[k] = s + bg
			}
		}
	}
	return out, nil
}

type toyFitter struct{}

func (toyFitter) Info() plugin.Info { return info(plugin.KindFitter, "toy", nil) }

// Fit fits an exponential by maximum likelihood.
func (toyFitter) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	var out []plugin.FitResult
	for _, s := range req.Samples {
		if len(s.Values) == 0 {
			return nil, fmt.Errorf("sample %q is empty", s.Name)
		}
		sum := 0.0
		for _, x := range s.Values {
			sum += x
		}
		n := float64(len(s.Values))
		rate := n / sum
		x := append([]float64(nil), s.Values...)
		sort.Float64s(x)
		ks := 0.0
		for i, v := range x {
			f := 1 - math.Exp(-rate*v)
			ks = math.Max(ks, math.Max(float64(i+1)/n-f, f-float64(i)/n))
		}
		r := plugin.FitResult{
			Sample: s.Name, Family: "exponential", N: len(x), LogLik: n*math.Log(rate) - rate*sum,
			Params: []plugin.Estimate{{Name: "rate", Value: rate, StdErr: rate / math.Sqrt(n)}, {Name: "loc", Value: 0, StdErr: math.NaN(), Fixed: true}},
			KS:     ks, KSPValue: math.NaN(), AD: math.NaN(), ADPValue: math.NaN(), Converged: true, Message: "closed form",
		}
		r.AIC = 2 - 2*r.LogLik
		for _, e := range req.Eval {
			r.PDF = append(r.PDF, rate*math.Exp(-rate*e))
			r.CDF = append(r.CDF, 1-math.Exp(-rate*e))
		}
		for _, p := range req.Probabilities {
			r.Quantiles = append(r.Quantiles, -math.Log(1-p)/rate)
		}
		out = append(out, r)
	}
	return out, nil
}

type toyObservables struct{}

func (toyObservables) Info() plugin.Info { return info(plugin.KindObservables, "toy", nil) }

func (toyObservables) Compute(ctx context.Context, req plugin.ObservablesRequest) (*table.Table, error) {
	n := req.Jets.Len()
	nc, pt, fl := make([]float64, n), make([]float64, n), make([]string, n)
	for i := 0; i < n; i++ {
		v := req.Jets.Jet(i)
		nc[i], pt[i], fl[i] = float64(len(v.Pt)), v.SumPt(), map[int8]string{1: "quark", 0: "gluon"}[v.Label]
	}
	t := table.New().AddFloat("n_const", nc).AddFloat("sum_pt", pt).AddString("flavour", fl).AddString("empty", nil)
	t.Columns[1].Unit = "GeV"
	return t, nil
}

type toyTagger struct{ calls *atomic.Int64 }

func (toyTagger) Info() plugin.Info {
	return info(plugin.KindTagger, "toy", plugin.Spec{
		{Name: "epochs", Type: plugin.TypeInt, Default: int64(3), Min: plugin.Bound(1), Doc: "epochs"},
	})
}

// features returns the multiplicity of every jet, or the first kept
// expert column.
func features(d plugin.Dataset, keep []string) []float64 {
	if d.Expert != nil && len(keep) > 0 {
		if x, err := d.Expert.Floats(keep[0]); err == nil {
			return x
		}
	}
	x := make([]float64, d.Jets.Len())
	for i := range x {
		x[i] = float64(d.Jets.Multiplicity(i))
	}
	return x
}

// Train puts the threshold between the class means; the seed shifts it
// slightly. A tagger with calls set is deliberately not deterministic.
func (t toyTagger) Train(ctx context.Context, req plugin.TrainRequest) ([]plugin.TrainedModel, error) {
	x := features(req.Train, req.Keep)
	var sq, sg, nq, ng float64
	for i, v := range x {
		if req.Train.Jets.Label[i] == jet.Quark {
			sq, nq = sq+v, nq+1
		} else {
			sg, ng = sg+v, ng+1
		}
	}
	var out []plugin.TrainedModel
	for _, seed := range req.Seeds {
		thr := (sq/nq+sg/ng)/2 + float64(seed)*1e-3
		if t.calls != nil {
			thr += float64(t.calls.Add(1))
		}
		hist := table.New().AddFloat("epoch", nil).AddFloat("train_loss", nil)
		for e := 1; e <= req.Params.Int("epochs"); e++ {
			hist.Columns[0].Float = append(hist.Columns[0].Float, float64(e))
			hist.Columns[1].Float = append(hist.Columns[1].Float, 1/float64(e))
			plugin.ReportProgress(ctx, int64(e), int64(req.Params.Int("epochs")), "epoch")
		}
		out = append(out, plugin.TrainedModel{Seed: seed, Model: plugin.Model{Format: "toy/1", Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(thr))}, History: hist})
	}
	return out, nil
}

func (toyTagger) Predict(ctx context.Context, params plugin.Params, m plugin.Model, d plugin.Dataset) ([]float64, error) {
	if m.Format != "toy/1" || len(m.Data) != 8 {
		return nil, fmt.Errorf("not a toy/1 model (format %q, %d bytes)", m.Format, len(m.Data))
	}
	thr := math.Float64frombits(binary.LittleEndian.Uint64(m.Data))
	x := features(d, nil)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = 1 / (1 + math.Exp(v-thr)) // fewer particles: more quark-like
	}
	return out, nil
}

type toyExplainer struct{}

func (toyExplainer) Info() plugin.Info { return info(plugin.KindExplainer, "toy", nil) }

func (toyExplainer) Explain(ctx context.Context, req plugin.ExplainRequest) (*plugin.Explanation, error) {
	thr := math.Float64frombits(binary.LittleEndian.Uint64(req.Model.Data))
	x := features(req.Data, nil)
	e := &plugin.Explanation{Features: []string{"n_const", "bias"}}
	for _, v := range x {
		out := thr - v
		e.Relevance = append(e.Relevance, -v, thr)
		e.Output, e.Sum, e.Lost = append(e.Output, out), append(e.Sum, out), append(e.Lost, 0)
	}
	return e, nil
}

func toyModel(t *testing.T) *plugin.Model {
	ms, err := toyTagger{}.Train(context.Background(), plugin.TrainRequest{
		Params: plugin.Params{"epochs": int64(1)}, Seeds: []int64{1}, Train: plugin.Dataset{Jets: ToyJets(50, 9)}})
	if err != nil {
		t.Fatal(err)
	}
	return &ms[0].Model
}

func TestConformanceEveryKind(t *testing.T) {
	expert := table.New().AddFloat("mass", make([]float64, 40))
	for i := range expert.Columns[0].Float {
		expert.Columns[0].Float[i] = float64(i) * 0.5
	}
	cases := []struct {
		name string
		p    plugin.Plugin
		in   Input
	}{
		{"reader", toyReader{}, Input{Params: map[string]any{"jets": 11}, Seed: 4}},
		{"reader-one-batch", toyReader{}, Input{BatchSize: 100}},
		{"reader-no-jets", toyReader{}, Input{Params: map[string]any{"jets": 0}}},
		{"metric", toyMetric{}, Input{Params: map[string]any{"power": 1.5}, Seed: 2}},
		{"metric-tiles", toyMetric{}, Input{Jets: ToyJets(300, 5), Tiles: [][2]plugin.Range{{{Lo: 0, Hi: 256}, {Lo: 0, Hi: 256}}, {{Lo: 250, Hi: 300}, {Lo: 0, Hi: 7}}}}},
		{"metric-error", toyMetric{}, Input{Jets: &jet.Jets{Offsets: []int{0, 0}, Label: []int8{1}, Weight: []float64{1}}}},
		{"smearer", toySmearer{}, Input{Seed: 3}},
		{"smearer-plan-error", toySmearer{}, Input{Params: map[string]any{"eps": []any{}}}},
		{"fitter", toyFitter{}, Input{Seed: 7}},
		{"fitter-error", toyFitter{}, Input{Samples: []plugin.Sample{{Name: "none"}}}},
		{"observables", toyObservables{}, Input{}},
		{"observables-no-jets", toyObservables{}, Input{Jets: &jet.Jets{}}},
		{"tagger", toyTagger{}, Input{Seeds: []int64{1, 2, 3}}},
		{"tagger-expert", toyTagger{}, Input{Keep: []string{"mass"}, Train: plugin.Dataset{Jets: ToyJets(40, 1), Expert: expert}}},
		{"explainer", toyExplainer{}, Input{Model: toyModel(t)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { Conformance(t, tc.p, tc.in) })
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// run runs f with a recorder and returns what it recorded.
func run(t *testing.T, f func(tb testing.TB)) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return strings.Join(r.errs, "\n")
}

// nonCanonical declares an int default for a float parameter.
type nonCanonical struct{ toyFitter }

func (nonCanonical) Info() plugin.Info {
	return info(plugin.KindFitter, "bad", plugin.Spec{{Name: "x", Type: plugin.TypeFloat, Default: 1, Doc: "x"}})
}

// alwaysFails makes the direct and remote errors differ in text, which a
// real shim never does; it stands for a transport that loses the message.
type flaky struct {
	toyFitter
	calls *atomic.Int64
}

func (f flaky) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	return nil, errors.New(fmt.Sprint("failure number ", f.calls.Add(1)))
}

func TestConformanceDetectsProblems(t *testing.T) {
	cases := []struct {
		name string
		p    plugin.Plugin
		in   Input
		want string
	}{
		{"non-deterministic", toyTagger{calls: new(atomic.Int64)}, Input{}, "the plugin is not deterministic"},
		{"mutates input", toyMetric{mutate: true}, Input{}, "Prepare modified its input jets"},
		{"non-canonical default", nonCanonical{}, Input{}, `parameter "x": default 1 is not canonical (int for type float; want 1)`},
		{"different errors", flaky{calls: new(atomic.Int64)}, Input{}, `the direct error "failure number 1" is not in the gRPC error "fitter/toy (in-memory): failure number 2"`},
		{"explainer without model", toyExplainer{}, Input{}, "Input.Model is required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, func(tb testing.TB) { Conformance(tb, tc.p, tc.in) })
			if !strings.Contains(got, tc.want) {
				t.Errorf("recorded\n%s\nwant it to contain\n%s", got, tc.want)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	nan1, nan2 := math.NaN(), math.Float64frombits(0x7ff8000000000042)
	tenth, fifth := 0.1, 0.2
	type s struct {
		X []float64
		M map[string]int
		P *int
	}
	one := 1
	cases := []struct {
		name string
		a, b any
		want string // "" = equal
	}{
		{"equal", s{X: []float64{1, nan1}}, s{X: []float64{1, nan1}}, ""},
		{"nil and empty slices", s{X: nil, M: nil}, s{X: []float64{}, M: map[string]int{}}, ""},
		{"NaN payloads", []float64{nan1}, []float64{nan2}, "value[0]: NaN (0x7ff8000000000001) vs NaN (0x7ff8000000000042)"},
		{"signed zero", 0.0, math.Copysign(0, -1), "value: 0 (0x0000000000000000) vs -0 (0x8000000000000000)"},
		{"last bit", []float64{tenth + fifth}, []float64{0.3}, "value[0]: 0.30000000000000004"},
		{"length", []int{1}, []int{1, 2}, "value: length 1 vs 2"},
		{"map key", map[string]int{"a": 1}, map[string]int{"b": 1}, "value[a]: present vs missing"},
		{"nil pointer", s{}, s{P: &one}, "value.P: nil *int vs non-nil *int"},
		{"type", any(int64(1)), any(1), "value: type int64 vs int"},
		{"nested", []s{{M: map[string]int{"k": 1}}}, []s{{M: map[string]int{"k": 2}}}, "value[0].M[k]: 1 vs 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Diff(tc.a, tc.b)
			if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
				t.Errorf("Diff = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestToyNeighborsConsistent(t *testing.T) {
	plan, _ := toySmearer{}.Plan(plugin.Params{"eps": []float64{0.2, 0.5}})
	b := ToyNeighbors(plan, 5, 1)
	for q := range b.Queries {
		if got := b.CountS[q*2+1] + b.CountB[q*2+1]; got < float64(len(b.List[b.ListOffsets[q]:b.ListOffsets[q+1]])) {
			t.Errorf("query %d: %v jets within 0.5 but %d listed within 0.2", q, got, b.ListOffsets[q+1]-b.ListOffsets[q])
		}
		k := b.KList[b.KOffsets[q]:b.KOffsets[q+1]]
		if len(k) < 3 || (len(k) > 3 && k[len(k)-1].Distance != k[2].Distance) {
			t.Errorf("query %d: k-nearest list %v", q, k)
		}
		if b.NormS[q]+b.NormB[q] != 40 {
			t.Errorf("query %d: norms %v + %v", q, b.NormS[q], b.NormB[q])
		}
	}
	if err := ToyJets(20, 1).Validate(); err != nil {
		t.Error(err)
	}
}
