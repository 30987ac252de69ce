package mlp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// A model trained elsewhere and saved in the documented format is used
// as is: no training, identical predictions.
func TestModelFile(t *testing.T) {
	js := sharedtest.SmallSample(t)
	train, test := plugin.Dataset{Jets: js.Subset(seq(0, 300))}, plugin.Dataset{Jets: js.Subset(seq(300, 500))}
	raw := map[string]any{"variant": "lowlevel", "constituents": 8, "hidden": []any{8}, "head": []any{4}, "epochs": 3}
	p := New()
	params, err := p.Info().Params.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := p.Train(context.Background(), plugin.TrainRequest{Params: params, Seeds: []int64{7}, Train: train})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.json")
	if err := os.WriteFile(path, ms[0].Model.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw["model_file"] = path
	params2, err := p.Info().Params.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := p.Train(context.Background(), plugin.TrainRequest{Params: params2, Seeds: []int64{1, 2}, Train: train})
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 2 || loaded[0].History != nil {
		t.Fatalf("got %d models, history %v", len(loaded), loaded[0].History)
	}
	a, _ := p.Predict(context.Background(), params, ms[0].Model, test)
	b, err := p.Predict(context.Background(), params2, loaded[1].Model, test)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("prediction %d: %v vs %v", i, a[i], b[i])
		}
	}
	// A model whose inputs the data cannot provide is refused.
	raw["constituents"] = 4
	params3, _ := p.Info().Params.Resolve(raw)
	expertOnly := plugin.Dataset{Jets: js.Subset(seq(0, 10))}
	if _, err := p.Train(context.Background(), plugin.TrainRequest{Params: params3, Seeds: []int64{1}, Train: expertOnly, Keep: []string{"c00_z"}}); err == nil || !strings.Contains(err.Error(), "cannot be retrained") {
		t.Fatalf("Keep with model_file: %v", err)
	}
}

func seq(a, b int) []int {
	out := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
}
