package builtin

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/taggers/mlp"

	"github.com/smearflow/smearflow/core/plugin/plugintest"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/root"
)

// inputs gives every built-in that needs more than its defaults a
// representative input. A plugin missing here runs on plugintest's
// synthetic defaults.
func inputs(t *testing.T) map[string]plugintest.Input {
	small := sharedtest.SmallSample(t)
	sub := small.Subset(seq(64))
	rootFile := filepath.Join(t.TempDir(), "jets.root")
	if err := root.WriteFile(rootFile, "", small.Subset(seq(40))); err != nil {
		t.Fatal(err)
	}
	return map[string]plugintest.Input{
		"reader/generator":   {Params: map[string]any{"quarks": 20, "gluons": 15}, Seed: 3, BatchSize: 16},
		"reader/npz":         {Params: map[string]any{"path": sharedtest.Path(t, "data/pythia8-qg-small.npz"), "max_jets": 60}, BatchSize: 25},
		"reader/csv":         {Params: map[string]any{"path": sharedtest.Path(t, "data/pythia8-qg-small-particles.csv"), "max_jets": 60}, BatchSize: 25},
		"reader/hepmc":       {Params: map[string]any{"path": sharedtest.Path(t, "reference/clustering/hepmc/events.hepmc3"), "label": "process"}},
		"reader/root":        {Params: map[string]any{"path": rootFile, "y_branch": "y", "pid_branch": "pid", "weight_branch": "weight"}},
		"metric/semd":        {Jets: sub},
		"metric/emd":         {Jets: small.Subset(seq(24))},
		"metric/observable":  {Jets: sub, Params: map[string]any{"observable": "mass"}},
		"observables/expert": {Jets: sub},
		"fitter/weibull":     {Params: map[string]any{"n_boot": 10}, Seed: 5},
		"fitter/gev":         {Params: map[string]any{"n_boot": 10}, Seed: 5},
		"fitter/gumbel":      {Params: map[string]any{"n_boot": 10}, Seed: 5},
		"fitter/frechet":     {Params: map[string]any{"n_boot": 10}, Seed: 5},
		"tagger/mlp": {Params: tagParams, Seeds: []int64{1, 2},
			Train: plugin.Dataset{Jets: small.Subset(seq(80))}, Validation: plugin.Dataset{Jets: small.Subset(seq(40))}},
		"explainer/lrp": {Params: map[string]any{"rule": "zplus", "bias": "excluded"}, Model: trainModel(t, small.Subset(seq(80))),
			Data: plugin.Dataset{Jets: small.Subset(seq(30))}},
	}
}

var tagParams = map[string]any{"variant": "lowlevel", "constituents": 6, "hidden": []any{8}, "head": []any{4}, "epochs": 3, "batch_size": 16}

// trainModel trains a small low-level MLP for the explainer's conformance.
func trainModel(t *testing.T, js *jet.Jets) *plugin.Model {
	tg := mlp.New()
	params, err := tg.Info().Params.Resolve(tagParams)
	if err != nil {
		t.Fatal(err)
	}
	models, err := tg.Train(context.Background(), plugin.TrainRequest{Params: params, Seeds: []int64{3}, Train: plugin.Dataset{Jets: js}})
	if err != nil {
		t.Fatal(err)
	}
	return &models[0].Model
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Every built-in gives bit-identical results in process and through the
// gRPC shim.
func TestConformance(t *testing.T) {
	in := inputs(t)
	for _, p := range Plugins() {
		info := p.Info()
		t.Run(info.ID(), func(t *testing.T) {
			plugintest.Conformance(t, p, in[info.ID()])
		})
	}
}

func TestRegistry(t *testing.T) {
	reg, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.All()) != len(Plugins()) {
		t.Fatalf("registry holds %d plugins, want %d", len(reg.All()), len(Plugins()))
	}
}
