package mlp_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/core/table"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/taggers/mlp"
)

var _ plugin.Tagger = mlp.New()

func TestInfo(t *testing.T) {
	info := mlp.New().Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	if info.Kind != plugin.KindTagger || info.Name != "mlp" || info.Version != "0.1.0" || info.APIVersion != plugin.APIVersion {
		t.Errorf("info %+v", info)
	}
	for _, p := range info.Params {
		if p.Doc == "" || p.Default == nil {
			t.Errorf("parameter %s lacks doc or default", p.Name)
		}
	}
}

func TestConformance(t *testing.T) {
	small := map[string]any{"epochs": 3, "hidden": []any{8}, "head": []any{4}, "constituents": 5, "batch_size": 32}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range small {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tr := plugintest.ToyJets(128, 1)
	va := plugintest.ToyJets(64, 2)
	t.Run("lowlevel", func(t *testing.T) {
		plugintest.Conformance(t, mlp.New(), plugintest.Input{Params: with("variant", "lowlevel"), Seeds: []int64{1, 2}})
	})
	t.Run("both", func(t *testing.T) {
		plugintest.Conformance(t, mlp.New(), plugintest.Input{Params: with(),
			Train:      plugin.Dataset{Jets: tr, Expert: expertTable(t, tr)},
			Validation: plugin.Dataset{Jets: va, Expert: expertTable(t, va)},
			Keep:       []string{"c00_z", "c01_z", "mass", "pTD"}})
	})
	t.Run("missing expert table", func(t *testing.T) {
		plugintest.Conformance(t, mlp.New(), plugintest.Input{Params: with()})
	})
}

// TestSmallSample trains every variant on the 500 small-sample jets
// (300 train, 100 validation, 100 test) and checks that the test AUC
// clearly beats chance, that the expert inputs help, and that a seed
// reproduces its model bit for bit.
func TestSmallSample(t *testing.T) {
	jets := sharedtest.SmallSample(t)
	ex := expertTable(t, jets)
	tr, va, te, exTr, exVa, exTe := split(jets, ex)
	params := plugin.Params{"epochs": int64(40), "patience": int64(8), "constituents": int64(10),
		"hidden": []int64{32, 16}, "head": []int64{16}, "batch_size": int64(32), "learning_rate": 3e-3}
	aucs := map[string]float64{}
	for _, variant := range []string{"lowlevel", "expert", "both"} {
		p := plugin.Params{"variant": variant}
		for k, v := range params {
			p[k] = v
		}
		req := plugin.TrainRequest{Params: p, Seeds: []int64{1},
			Train: plugin.Dataset{Jets: tr, Expert: exTr}, Validation: plugin.Dataset{Jets: va, Expert: exVa}}
		models, err := mlp.New().Train(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		prob, err := mlp.New().Predict(context.Background(), nil, models[0].Model, plugin.Dataset{Jets: te, Expert: exTe})
		if err != nil {
			t.Fatal(err)
		}
		auc, err := roc.AUC(te.Label, prob, nil)
		if err != nil {
			t.Fatal(err)
		}
		aucs[variant] = auc
		h := models[0].History
		t.Logf("%-8s test AUC %.3f (%d epochs, best val AUC %.3f)", variant, auc, h.Rows(), maxOf(h.Col("val_auc").Float))
		if variant == "both" {
			again, err := mlp.New().Train(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(models, again) {
				t.Error("training twice with seed 1 gives different models")
			}
		}
	}
	if aucs["lowlevel"] < 0.65 || aucs["expert"] < 0.75 || aucs["both"] < 0.75 {
		t.Errorf("test AUCs %v: not clearly better than chance (want > 0.65, 0.75, 0.75)", aucs)
	}
}

func maxOf(x []float64) float64 {
	m := x[0]
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// TestKeepAndSplit: Keep restricts the model inputs (and drops a branch
// left without inputs); without a validation set the documented split is
// used; the history has one row per epoch run.
func TestKeepAndSplit(t *testing.T) {
	jets := plugintest.ToyJets(100, 3)
	ex := expertTable(t, jets)
	cases := []struct {
		keep    []string
		variant string
	}{
		{[]string{"mass", "c02_dy", "n_const"}, "both"},
		{[]string{"girth", "pTD"}, "expert"},
		{[]string{"c00_z"}, "lowlevel"},
	}
	for _, c := range cases {
		models, err := mlp.New().Train(context.Background(), plugin.TrainRequest{
			Params: plugin.Params{"epochs": int64(2), "constituents": int64(4), "hidden": []int64{4}, "head": []int64{}},
			Seeds:  []int64{5}, Train: plugin.Dataset{Jets: jets, Expert: ex}, Keep: c.keep})
		if err != nil {
			t.Fatal(err)
		}
		net, err := mlp.LoadModel(models[0].Model)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, f := range append(nn.LowLevelNames(4), "n_const", "mass", "pTD", "girth") {
			for _, k := range c.keep {
				if f == k {
					want = append(want, f)
				}
			}
		}
		if !reflect.DeepEqual(net.Features, want) || net.Arch.Variant != c.variant {
			t.Errorf("Keep %v: features %v variant %s; want %v, %s", c.keep, net.Features, net.Arch.Variant, want, c.variant)
		}
		if info := net.Training; info.TrainJets != 80 || info.ValJets != 20 {
			t.Errorf("split %d/%d, want 80/20", info.TrainJets, info.ValJets)
		}
		if h := models[0].History; h.Rows() != 2 || !reflect.DeepEqual(h.Names(), []string{"epoch", "train_loss", "val_loss", "val_auc"}) {
			t.Errorf("history %v with %d rows", h.Names(), h.Rows())
		}
	}
}

func TestSplit(t *testing.T) {
	labels := make([]int8, 50)
	for i := range labels {
		labels[i] = int8(i % 2)
	}
	tr, va := mlp.Split(labels, 0.2)
	if len(tr) != 40 || len(va) != 10 {
		t.Fatalf("split %d/%d", len(tr), len(va))
	}
	var q int
	for _, i := range va {
		q += int(labels[i])
	}
	if q != 5 {
		t.Errorf("validation holds %d quarks of 10, want 5 (stratified)", q)
	}
	if va[0] != 8 || va[1] != 9 {
		t.Errorf("validation starts %v, want the 5th jet of each class (8, 9)", va[:2])
	}
}

func TestErrors(t *testing.T) {
	jets := plugintest.ToyJets(40, 1)
	ex := expertTable(t, jets)
	oneClass := plugintest.ToyJets(10, 2)
	for i := range oneClass.Label {
		oneClass.Label[i] = jet.Quark
	}
	short := table.New().AddFloat("mass", make([]float64, 39))
	strs := table.New().AddString("name", make([]string, 40))
	fast := plugin.Params{"epochs": int64(1)}
	cases := []struct {
		name string
		req  plugin.TrainRequest
		want string
	}{
		{"no seeds", plugin.TrainRequest{Params: fast, Train: plugin.Dataset{Jets: jets, Expert: ex}}, "no seeds"},
		{"no expert table", plugin.TrainRequest{Params: fast, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets}}, "variant both needs an expert table"},
		{"no jets", plugin.TrainRequest{Params: fast, Seeds: []int64{1}}, "training set: no jets"},
		{"bad param", plugin.TrainRequest{Params: plugin.Params{"epoch": int64(1)}, Seeds: []int64{1}}, `"epoch": unknown parameter (did you mean "epochs"?)`},
		{"range", plugin.TrainRequest{Params: plugin.Params{"learning_rate": -1.0}, Seeds: []int64{1}}, "learning_rate"},
		{"expert columns with lowlevel", plugin.TrainRequest{Params: plugin.Params{"variant": "lowlevel", "expert_columns": []string{"mass"}}, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets}}, "expert_columns"},
		{"unknown column", plugin.TrainRequest{Params: plugin.Params{"expert_columns": []string{"mas"}}, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: ex}}, `no column "mas" (did you mean "mass"?)`},
		{"short table", plugin.TrainRequest{Params: fast, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: short}}, `"mass" has 39 rows for 40 jets`},
		{"string-only table", plugin.TrainRequest{Params: fast, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: strs}}, "no float columns"},
		{"unknown keep", plugin.TrainRequest{Params: fast, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: ex}, Keep: []string{"c99_z"}}, `Keep names "c99_z"`},
		{"one-class validation", plugin.TrainRequest{Params: plugin.Params{"variant": "lowlevel", "epochs": int64(1)}, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets}, Validation: plugin.Dataset{Jets: oneClass}}, "validation set: needs quark and gluon jets"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := mlp.New().Train(context.Background(), c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	if _, err := mlp.New().Predict(context.Background(), nil, plugin.Model{Format: "toy/1"}, plugin.Dataset{Jets: jets}); err == nil || !strings.Contains(err.Error(), `model format "toy/1"`) {
		t.Errorf("Predict with a foreign model: %v", err)
	}
}
