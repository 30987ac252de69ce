package lrp_test

import (
	"context"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/nn/nntest"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
	"github.com/smearflow/smearflow/core/table"
	"github.com/smearflow/smearflow/plugins/explainers/lrp"
	"github.com/smearflow/smearflow/plugins/taggers/mlp"
)

var _ plugin.Explainer = lrp.New()

func TestInfo(t *testing.T) {
	info := lrp.New().Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	if info.Kind != plugin.KindExplainer || info.Name != "lrp" || info.Version != "0.1.0" || info.APIVersion != plugin.APIVersion {
		t.Errorf("info %+v", info)
	}
	for _, p := range info.Params {
		if p.Doc == "" || p.Default == nil {
			t.Errorf("parameter %s lacks doc or default", p.Name)
		}
	}
}

// expert returns a small expert table for jets (mass-like and
// multiplicity columns).
func expert(jets *jet.Jets) *table.Table {
	n := jets.Len()
	a, b := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		v := jets.Jet(i)
		a[i] = v.SumPt()
		b[i] = float64(len(v.Pt))
	}
	return table.New().AddFloat("sum_pt", a).AddFloat("n_const", b)
}

// xaugModel trains a small XAUG mlp (M = 6 > some jets' multiplicity,
// so there is zero padding) on toy jets.
func xaugModel(t *testing.T) (plugin.Model, *jet.Jets, *table.Table) {
	t.Helper()
	jets := plugintest.ToyJets(200, 4)
	ex := expert(jets)
	models, err := mlp.New().Train(context.Background(), plugin.TrainRequest{
		Params: plugin.Params{"epochs": int64(5), "constituents": int64(6), "hidden": []int64{8, 6}, "head": []int64{5}},
		Seeds:  []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: ex}})
	if err != nil {
		t.Fatal(err)
	}
	return models[0].Model, jets, ex
}

func TestConformance(t *testing.T) {
	model, jets, ex := xaugModel(t)
	for _, rule := range lrp.AllRules {
		t.Run(string(rule), func(t *testing.T) {
			plugintest.Conformance(t, lrp.New(), plugintest.Input{Model: &model,
				Params: map[string]any{"rule": string(rule), "bias": "excluded"},
				Data:   plugin.Dataset{Jets: jets.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7}), Expert: sub(ex, 8)}})
		})
	}
	t.Run("missing expert table", func(t *testing.T) {
		plugintest.Conformance(t, lrp.New(), plugintest.Input{Model: &model})
	})
}

func sub(t *table.Table, n int) *table.Table {
	out := table.New()
	for _, c := range t.Columns {
		out.AddFloat(c.Name, c.Float[:n])
	}
	return out
}

// TestPluginOnReference explains reference/lrp/mlp.json through the
// plugin (its inputs x0..x5 given as expert-table columns) and compares
// with relevances.json.
func TestPluginOnReference(t *testing.T) {
	ref := nntest.Load(t)
	data, err := nn.Marshal(ref.Net)
	if err != nil {
		t.Fatal(err)
	}
	ex := table.New()
	for j := 0; j < 6; j++ {
		col := make([]float64, len(ref.Inputs))
		for i, x := range ref.Inputs {
			col[i] = x[j]
		}
		ex.AddFloat("x"+strconv.Itoa(j), col)
	}
	jets := plugintest.ToyJets(len(ref.Inputs), 1) // only the count matters
	for _, rule := range nntest.Rules {
		for _, mode := range nntest.BiasModes {
			expl, err := lrp.New().Explain(context.Background(), plugin.ExplainRequest{
				Params: plugin.Params{"rule": rule, "bias": strings.TrimPrefix(mode, "bias_")},
				Model:  plugin.Model{Format: nn.FormatID, Data: data},
				Data:   plugin.Dataset{Jets: jets, Expert: ex}})
			if err != nil {
				t.Fatal(err)
			}
			want := ref.Rules[rule][mode]
			for i := range ref.Inputs {
				for j, w := range want.InputRelevance[i] {
					if !close(expl.Relevance[i*6+j], w) {
						t.Errorf("%s/%s input %d feature %d: %v, reference %v", rule, mode, i, j, expl.Relevance[i*6+j], w)
					}
				}
				if !close(expl.Output[i], ref.Logit[i]) || !close(expl.Sum[i], want.Sum[i]) || !close(-expl.Lost[i], want.SumMinusLogit[i]) {
					t.Errorf("%s/%s input %d: output %v sum %v lost %v", rule, mode, i, expl.Output[i], expl.Sum[i], expl.Lost[i])
				}
			}
		}
	}
}

// TestXAUGIdentities checks the identities on a trained XAUG model, where
// the expert variables enter at the head: LRP-0 with biases included
// equals gradient × input for every input (low-level and expert), LRP-0
// and LRP-γ with biases excluded conserve, and zero-padded constituents
// get exactly zero relevance under every rule.
func TestXAUGIdentities(t *testing.T) {
	model, jets, ex := xaugModel(t)
	net, err := nn.Unmarshal(model.Data)
	if err != nil {
		t.Fatal(err)
	}
	if net.Arch.Variant != "both" || len(net.Layers[2].Inputs) != 2 {
		t.Fatalf("not an XAUG model: %+v", net.Arch)
	}
	raw, err := nn.Matrix("test", net.Features, jets, ex)
	if err != nil {
		t.Fatal(err)
	}
	f := net.NumInputs()
	run := func(rule lrp.Rule, included bool) *plugin.Explanation {
		expl, _, err := lrp.Batch(context.Background(), net, lrp.Config{Rule: rule, BiasIncluded: included, Epsilon: 0.01, Gamma: 0.25, Alpha: 2, Beta: 1}, raw, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		return expl
	}
	lrp0 := run(lrp.LRP0, true)
	tr := net.NewTrace()
	x, g := make([]float64, f), make([]float64, f)
	worst := 0.0
	for i := 0; i < jets.Len(); i++ {
		net.Standardize(raw[i*f:(i+1)*f], x)
		net.Forward(x, tr)
		net.InputGradient(tr, g)
		for j := range g {
			worst = max(worst, math.Abs(lrp0.Relevance[i*f+j]-g[j]*x[j]))
		}
	}
	if worst > 1e-12 {
		t.Errorf("LRP-0 (bias included) vs gradient×input: max |Δ| %.2g", worst)
	}
	for _, rule := range []lrp.Rule{lrp.LRP0, lrp.Gamma, lrp.GammaGeneralized} {
		e := run(rule, false)
		for i, l := range e.Lost {
			if math.Abs(l) > 1e-12*math.Max(1, math.Abs(e.Output[i])) {
				t.Errorf("%s bias excluded, jet %d: lost %v of %v", rule, i, l, e.Output[i])
				break
			}
		}
	}
	padded := 0
	for _, rule := range lrp.AllRules {
		e := run(rule, true)
		for i := 0; i < jets.Len(); i++ {
			for c := jets.Multiplicity(i); c < 6; c++ {
				for k := 0; k < 3; k++ {
					padded++
					if r := e.Relevance[i*f+3*c+k]; r != 0 {
						t.Errorf("%s: jet %d, padded constituent %d has relevance %v", rule, i, c, r)
					}
				}
			}
		}
	}
	if padded == 0 {
		t.Error("no zero-padded constituent in the test data")
	}
}

func TestRank(t *testing.T) {
	expl := &plugin.Explanation{
		Features:  []string{"c00_z", "mass", "c00_dy", "n_const"},
		Relevance: []float64{0.1, -2, 0, 1, 0.3, 2, 0, -1},
		Output:    []float64{0, 0}, Sum: []float64{0, 0}, Lost: []float64{0, 0},
	}
	got, err := lrp.Rank(expl)
	if err != nil {
		t.Fatal(err)
	}
	want := []lrp.FeatureScore{
		{Feature: "mass", Kind: "expert", MeanAbs: 2, Mean: 0},
		{Feature: "n_const", Kind: "expert", MeanAbs: 1, Mean: 0},
		{Feature: "c00_z", Kind: "lowlevel", MeanAbs: 0.2, Mean: 0.2},
		{Feature: "c00_dy", Kind: "lowlevel", MeanAbs: 0, Mean: 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rank = %+v\nwant %+v", got, want)
	}
	if top := lrp.Top(got, 2); !reflect.DeepEqual(top, []string{"mass", "n_const"}) {
		t.Errorf("Top 2 = %v", top)
	}
	bad := []struct {
		name string
		e    *plugin.Explanation
	}{
		{"nil", nil},
		{"ragged", &plugin.Explanation{Features: []string{"a", "b"}, Relevance: []float64{1, 2, 3}}},
		{"short output", &plugin.Explanation{Features: []string{"a"}, Relevance: []float64{1, 2}, Output: []float64{1}}},
		{"nan", &plugin.Explanation{Features: []string{"a"}, Relevance: []float64{math.NaN()}, Output: []float64{1}, Sum: []float64{1}, Lost: []float64{1}}},
	}
	for _, b := range bad {
		if _, err := lrp.Rank(b.e); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
	c, err := lrp.Summarize(&plugin.Explanation{Features: []string{"a"}, Relevance: []float64{1, 2}, Output: []float64{2, -4}, Sum: []float64{1, 2}, Lost: []float64{1, -6}})
	if err != nil || c.MeanAbsLost != 3.5 || c.MaxAbsLost != 6 || c.MeanLost != -2.5 || c.RelativeLost != 3.5/3 {
		t.Errorf("Summarize = %+v, %v", c, err)
	}
}

func TestErrors(t *testing.T) {
	model, jets, ex := xaugModel(t)
	cases := []struct {
		name string
		req  plugin.ExplainRequest
		want string
	}{
		{"format", plugin.ExplainRequest{Model: plugin.Model{Format: "toy/1"}, Data: plugin.Dataset{Jets: jets, Expert: ex}}, `model format "toy/1"`},
		{"corrupt", plugin.ExplainRequest{Model: plugin.Model{Format: nn.FormatID, Data: []byte("{")}, Data: plugin.Dataset{Jets: jets, Expert: ex}}, "lrp: model"},
		{"rule", plugin.ExplainRequest{Params: plugin.Params{"rule": "lrp1"}, Model: model, Data: plugin.Dataset{Jets: jets, Expert: ex}}, `"rule"`},
		{"no expert", plugin.ExplainRequest{Model: model, Data: plugin.Dataset{Jets: jets}}, "no expert table"},
		{"no jets", plugin.ExplainRequest{Model: model}, "lrp: data: no jets"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := lrp.New().Explain(context.Background(), c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	for _, cfg := range []lrp.Config{{Rule: "x"}, {Rule: lrp.Epsilon}, {Rule: lrp.Gamma, Gamma: -1}, {Rule: lrp.AlphaBeta, Alpha: math.NaN()}} {
		if err := cfg.Validate(); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}
