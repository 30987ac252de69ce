// Package plugintest checks that a plugin behaves identically in process
// and through the gRPC transport of core/plugin/grpcplugin. See README.md.
package plugintest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/core/table"
)

// Input is a representative input for one plugin. Only the fields of the
// plugin's kind are used; missing ones get the synthetic defaults named
// below, except Model (an explainer needs a real model).
type Input struct {
	// Params are raw parameter values, as written in a workflow; they are
	// resolved against the plugin's spec (nil: every default).
	Params map[string]any
	// Seed is passed to Read and Fit (and seeds the synthetic inputs).
	Seed int64

	// Reader: the batch size asked for (0: the plugin's choice).
	BatchSize int

	// Metric, Observables: the jets (default ToyJets(64, Seed)).
	Jets *jet.Jets
	// Metric: tiles compared with Block (default: a corner tile, an
	// off-diagonal tile and an empty one) and pairs compared with Pairs
	// (default: 64 seeded pairs plus the diagonal ends).
	Tiles          [][2]plugin.Range
	PairsI, PairsJ []int32

	// Smearer: the neighbour batch (default ToyNeighbors(plan, 12, Seed)).
	Neighbors *plugin.NeighborBatch

	// Fitter: samples (default ToySamples(Seed)), evaluation points
	// (default 16 points on [0, 3]) and probabilities (default 0.05, 0.25,
	// 0.5, 0.75, 0.95).
	Samples       []plugin.Sample
	Eval          []float64
	Probabilities []float64

	// Tagger: training and validation sets (default ToyJets of 128 and 64
	// jets, no expert table), seeds (default [Seed]) and Keep. Predict is
	// compared on Validation with the first trained model.
	Train, Validation plugin.Dataset
	Seeds             []int64
	Keep              []string

	// Explainer: the model to explain (required) and the data (default
	// ToyJets(64, Seed)).
	Model *plugin.Model
	Data  plugin.Dataset
}

// Connect serves ps over an in-memory go-plugin gRPC connection
// (goplugin.TestPluginGRPCConn: the real shims, no subprocess) and returns
// the host-side proxies in the same order, and the plugin-side server.
// Everything is shut down when the test ends.
func Connect(t testing.TB, ps ...plugin.Plugin) ([]plugin.Plugin, *grpcplugin.Server) {
	t.Helper()
	gp := &grpcplugin.GRPCPlugin{Plugins: ps}
	// client.Close also stops the server (through go-plugin's controller);
	// calling server.Stop as well would race with it.
	client, _ := goplugin.TestPluginGRPCConn(t, false, goplugin.PluginSet{grpcplugin.PluginName: gp})
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(grpcplugin.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	proxies, err := raw.(*grpcplugin.Remote).Plugins(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return proxies, gp.Served()
}

// Conformance runs the calls of p's kind on in, once directly and once
// through the gRPC shim over an in-memory connection, and fails t unless
// the outcomes are bit-identical (see Diff): the Info, every result, or
// the error (the text of the gRPC error must contain the direct one). It
// also checks that parameter defaults are canonical, that the plugin does
// not modify its input jets, that progress reports cross the connection
// and that no metric session is left open. Results that differ between two
// direct runs are reported as the plugin's own non-determinism.
func Conformance(t testing.TB, p plugin.Plugin, in Input) {
	t.Helper()
	info := p.Info()
	if err := info.Check(); err != nil {
		t.Fatalf("%v", err)
	}
	checkDefaults(t, info)
	proxies, srv := Connect(t, p)
	remote := proxies[0]
	if d := Diff(info, remote.Info()); d != "" {
		t.Errorf("%s: Info differs through gRPC: %s", info.ID(), d)
	}
	params, err := info.Params.Resolve(in.Params)
	if err != nil {
		t.Fatalf("%s: Input.Params: %v", info.ID(), err)
	}
	check, ok := kindChecks[info.Kind]
	if !ok {
		t.Fatalf("%s: plugintest has no check for kind %q", info.ID(), info.Kind)
	}
	c := &checker{t: t, id: info.ID()}
	check(c, p, remote, in, params)
	if n := srv.Sessions(); n != 0 {
		t.Errorf("%s: %d prepared spaces still open in the plugin after Close", info.ID(), n)
	}
}

// checkDefaults requires every default to be the canonical Go value of
// its type (what Coerce returns): otherwise a default would differ
// between the in-process Info and the one read over gRPC.
func checkDefaults(t testing.TB, info plugin.Info) {
	t.Helper()
	for _, ps := range info.Params {
		if ps.Default == nil {
			continue
		}
		v, err := ps.Coerce(ps.Default)
		if err != nil {
			t.Errorf("%s: parameter %q: bad default: %v", info.ID(), ps.Name, err)
		} else if d := Diff(ps.Default, v); d != "" {
			t.Errorf("%s: parameter %q: default %#v is not canonical (%T for type %s; want %#v)", info.ID(), ps.Name, ps.Default, ps.Default, ps.Type, v)
		}
	}
}

type checker struct {
	t  testing.TB
	id string
}

// same runs one call directly and through gRPC and requires identical
// outcomes; ok reports that both succeeded.
func same[T any](c *checker, what string, direct, remote func(context.Context) (T, error)) (d, r T, ok bool) {
	c.t.Helper()
	var nd, nr atomic.Int64
	d, errD := direct(plugin.WithProgress(context.Background(), func(int64, int64, string) { nd.Add(1) }))
	r, errR := remote(plugin.WithProgress(context.Background(), func(int64, int64, string) { nr.Add(1) }))
	switch {
	case errD != nil && errR != nil:
		if !strings.Contains(errR.Error(), errD.Error()) {
			c.t.Errorf("%s: %s: the direct error %q is not in the gRPC error %q", c.id, what, errD, errR)
		}
	case errD != nil:
		c.t.Errorf("%s: %s fails directly (%v) but not through gRPC", c.id, what, errD)
	case errR != nil:
		c.t.Errorf("%s: %s works directly but fails through gRPC: %v", c.id, what, errR)
	default:
		ok = true
		if diff := Diff(d, r); diff != "" {
			c.t.Errorf("%s: %s: direct and gRPC results differ at %s", c.id, what, diff)
		}
	}
	if nd.Load() > 0 && nr.Load() == 0 {
		c.t.Errorf("%s: %s: %d progress reports directly, none through gRPC", c.id, what, nd.Load())
	}
	return d, r, ok
}

// unchanged fails if the direct call modified its input jets.
func (c *checker) unchanged(what string, before, after *jet.Jets) {
	c.t.Helper()
	if before == nil {
		return
	}
	if d := Diff(before, clone(after)); d != "" { // both normalised by Clone
		c.t.Errorf("%s: %s modified its input jets (%s); plugins must not", c.id, what, d)
	}
}

func clone(j *jet.Jets) *jet.Jets {
	if j == nil {
		return nil
	}
	return j.Clone()
}

func orJets(j *jet.Jets, n int, seed int64) *jet.Jets {
	if j != nil {
		return j
	}
	return ToyJets(n, uint64(seed))
}

var kindChecks = map[plugin.Kind]func(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params){
	plugin.KindReader:      checkReader,
	plugin.KindMetric:      checkMetric,
	plugin.KindSmearer:     checkSmearer,
	plugin.KindFitter:      checkFitter,
	plugin.KindObservables: checkObservables,
	plugin.KindTagger:      checkTagger,
	plugin.KindExplainer:   checkExplainer,
}

func checkReader(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	req := plugin.ReadRequest{Params: params, Seed: in.Seed, BatchSize: in.BatchSize}
	read := func(p plugin.Plugin) func(context.Context) ([]*jet.Jets, error) {
		return func(ctx context.Context) ([]*jet.Jets, error) {
			var out []*jet.Jets
			err := p.(plugin.Reader).Read(ctx, req, func(j *jet.Jets) error {
				out = append(out, clone(j)) // a reader may reuse its batch
				return nil
			})
			return out, err
		}
	}
	same(c, "Read", read(direct), read(remote))
}

type spaceShape struct {
	Len        int
	LowerBound bool
}

func checkMetric(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	jets := orJets(in.Jets, 64, in.Seed)
	before := clone(jets)
	var spaces [2]plugin.Space
	prepare := func(i int, p plugin.Plugin) func(context.Context) (spaceShape, error) {
		return func(ctx context.Context) (spaceShape, error) {
			sp, err := p.(plugin.Metric).Prepare(ctx, plugin.MetricRequest{Params: params, Jets: jets})
			if err != nil {
				return spaceShape{}, err
			}
			spaces[i] = sp
			_, lb := sp.(plugin.LowerBounder)
			return spaceShape{sp.Len(), lb}, nil
		}
	}
	shape, _, ok := same(c, "Prepare", prepare(0, direct), prepare(1, remote))
	c.unchanged("Prepare", before, jets)
	defer func() {
		for _, sp := range spaces {
			if sp != nil {
				_ = sp.Close()
			}
		}
	}()
	if !ok {
		return
	}
	n := shape.Len
	tiles := in.Tiles
	if tiles == nil {
		tiles = [][2]plugin.Range{
			{{Lo: 0, Hi: min(n, 64)}, {Lo: 0, Hi: min(n, 128)}},
			{{Lo: n / 3, Hi: n/3 + min(n/3, 32)}, {Lo: n / 2, Hi: min(n, n/2+48)}},
			{{Lo: 0, Hi: 0}, {Lo: 0, Hi: min(n, 8)}},
		}
	}
	for _, tile := range tiles {
		block := func(sp plugin.Space) func(context.Context) ([]float64, error) {
			return func(ctx context.Context) ([]float64, error) {
				out := make([]float64, tile[0].Len()*tile[1].Len())
				return out, sp.Block(ctx, tile[0], tile[1], out)
			}
		}
		same(c, "Block("+rangeString(tile[0])+", "+rangeString(tile[1])+")", block(spaces[0]), block(spaces[1]))
	}
	pi, pj := in.PairsI, in.PairsJ
	if pi == nil && n > 0 {
		rng := rand.New(rand.NewPCG(uint64(in.Seed), 0x70616972))
		pi, pj = []int32{0, int32(n - 1)}, []int32{0, int32(n - 1)}
		for k := 0; k < 64; k++ {
			pi, pj = append(pi, int32(rng.IntN(n))), append(pj, int32(rng.IntN(n)))
		}
	}
	pairs := func(sp plugin.Space) func(context.Context) ([]float64, error) {
		return func(ctx context.Context) ([]float64, error) {
			out := make([]float64, len(pi))
			return out, sp.Pairs(ctx, pi, pj, out)
		}
	}
	same(c, "Pairs", pairs(spaces[0]), pairs(spaces[1]))
	if shape.LowerBound {
		lower := func(sp plugin.Space) func(context.Context) (*plugin.Embedding, error) {
			return func(ctx context.Context) (*plugin.Embedding, error) { return sp.(plugin.LowerBounder).LowerBound(ctx) }
		}
		same(c, "LowerBound", lower(spaces[0]), lower(spaces[1]))
	}
	closer := func(i int) func(context.Context) (struct{}, error) {
		return func(context.Context) (struct{}, error) {
			sp := spaces[i]
			spaces[i] = nil
			return struct{}{}, sp.Close()
		}
	}
	same(c, "Close", closer(0), closer(1))
}

func rangeString(r plugin.Range) string { return fmt.Sprintf("[%d,%d)", r.Lo, r.Hi) }

func checkSmearer(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	plan := func(p plugin.Plugin) func(context.Context) (plugin.SmearPlan, error) {
		return func(context.Context) (plugin.SmearPlan, error) { return p.(plugin.Smearer).Plan(params) }
	}
	pl, _, ok := same(c, "Plan", plan(direct), plan(remote))
	if !ok {
		return
	}
	batch := in.Neighbors
	if batch == nil {
		batch = ToyNeighbors(pl, 12, uint64(in.Seed))
	}
	smear := func(p plugin.Plugin) func(context.Context) (*plugin.ScoreBatch, error) {
		return func(ctx context.Context) (*plugin.ScoreBatch, error) {
			return p.(plugin.Smearer).Smear(ctx, params, batch)
		}
	}
	same(c, "Smear", smear(direct), smear(remote))
}

func checkFitter(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	req := plugin.FitRequest{Params: params, Seed: in.Seed, Samples: in.Samples, Eval: in.Eval, Probabilities: in.Probabilities}
	if req.Samples == nil {
		req.Samples = ToySamples(uint64(in.Seed))
	}
	if req.Eval == nil {
		req.Eval = plugin.Linspace(0, 3, 16)
	}
	if req.Probabilities == nil {
		req.Probabilities = []float64{0.05, 0.25, 0.5, 0.75, 0.95}
	}
	fit := func(p plugin.Plugin) func(context.Context) ([]plugin.FitResult, error) {
		return func(ctx context.Context) ([]plugin.FitResult, error) { return p.(plugin.Fitter).Fit(ctx, req) }
	}
	deterministic(c, "Fit", fit(direct), fit(remote))
}

func checkObservables(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	jets := orJets(in.Jets, 64, in.Seed)
	before := clone(jets)
	compute := func(p plugin.Plugin) func(context.Context) (*table.Table, error) {
		return func(ctx context.Context) (*table.Table, error) {
			return p.(plugin.Observables).Compute(ctx, plugin.ObservablesRequest{Params: params, Jets: jets})
		}
	}
	same(c, "Compute", compute(direct), compute(remote))
	c.unchanged("Compute", before, jets)
}

func checkTagger(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	req := plugin.TrainRequest{Params: params, Seeds: in.Seeds, Train: in.Train, Validation: in.Validation, Keep: in.Keep}
	if req.Seeds == nil {
		req.Seeds = []int64{in.Seed}
	}
	req.Train.Jets = orJets(req.Train.Jets, 128, in.Seed+1)
	req.Validation.Jets = orJets(req.Validation.Jets, 64, in.Seed+2)
	before := clone(req.Train.Jets)
	train := func(p plugin.Plugin) func(context.Context) ([]plugin.TrainedModel, error) {
		return func(ctx context.Context) ([]plugin.TrainedModel, error) { return p.(plugin.Tagger).Train(ctx, req) }
	}
	models, ok := deterministic(c, "Train", train(direct), train(remote))
	c.unchanged("Train", before, req.Train.Jets)
	if !ok || len(models) == 0 {
		return
	}
	predict := func(p plugin.Plugin) func(context.Context) ([]float64, error) {
		return func(ctx context.Context) ([]float64, error) {
			return p.(plugin.Tagger).Predict(ctx, params, models[0].Model, req.Validation)
		}
	}
	same(c, "Predict", predict(direct), predict(remote))
}

func checkExplainer(c *checker, direct, remote plugin.Plugin, in Input, params plugin.Params) {
	if in.Model == nil {
		c.t.Fatalf("%s: Input.Model is required for an explainer (train one with a tagger)", c.id)
	}
	req := plugin.ExplainRequest{Params: params, Model: *in.Model, Data: in.Data}
	req.Data.Jets = orJets(req.Data.Jets, 64, in.Seed)
	explain := func(p plugin.Plugin) func(context.Context) (*plugin.Explanation, error) {
		return func(ctx context.Context) (*plugin.Explanation, error) { return p.(plugin.Explainer).Explain(ctx, req) }
	}
	deterministic(c, "Explain", explain(direct), explain(remote))
}

// deterministic is same for calls whose plugin might be randomised: when
// the results differ it runs the direct call again to tell the plugin's
// own non-determinism from a transport fault. It returns the direct
// result and whether both calls succeeded.
func deterministic[T any](c *checker, what string, direct, remote func(context.Context) (T, error)) (T, bool) {
	c.t.Helper()
	d, r, ok := same(c, what, direct, remote)
	if ok && Diff(d, r) != "" {
		if again, err := direct(context.Background()); err == nil && Diff(d, again) != "" {
			c.t.Errorf("%s: %s: two direct runs differ (%s): the plugin is not deterministic", c.id, what, Diff(d, again))
		}
	}
	return d, ok
}
