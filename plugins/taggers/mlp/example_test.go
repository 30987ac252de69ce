package mlp_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
	"github.com/smearflow/smearflow/core/table"
	"github.com/smearflow/smearflow/plugins/taggers/mlp"
)

// Train the XAUG tagger with two seeds on toy jets with one expert
// variable (the multiplicity), then predict quark probabilities.
func Example() {
	jets := plugintest.ToyJets(200, 1)
	mult := make([]float64, jets.Len())
	for i := range mult {
		mult[i] = float64(jets.Multiplicity(i))
	}
	expert := table.New().AddFloat("n_const", mult)
	models, err := mlp.New().Train(context.Background(), plugin.TrainRequest{
		Params: plugin.Params{"constituents": int64(10), "hidden": []int64{16}, "head": []int64{8}, "epochs": int64(5)},
		Seeds:  []int64{1, 2},
		Train:  plugin.Dataset{Jets: jets, Expert: expert},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range models {
		fmt.Println("seed", m.Seed, m.Model.Format, m.History.Names())
	}
	p, err := mlp.New().Predict(context.Background(), nil, models[0].Model, plugin.Dataset{Jets: jets, Expert: expert})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(p), "probabilities in (0, 1):", p[0] > 0 && p[0] < 1)
	// Output:
	// seed 1 smearflow-mlp/1 [epoch train_loss val_loss val_auc]
	// seed 2 smearflow-mlp/1 [epoch train_loss val_loss val_auc]
	// 200 probabilities in (0, 1): true
}
