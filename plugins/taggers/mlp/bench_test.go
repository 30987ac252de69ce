package mlp_test

import (
	"context"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/taggers/mlp"
)

// BenchmarkTrain: the plugin's training throughput on the 500 small-sample
// jets (variant both, M = 30, hidden [64, 32], head [32], batch 128, 10
// epochs without early stopping, 20% validation split), feature building
// included; jets·epochs/s counts the training jets only.
func BenchmarkTrain(b *testing.B) {
	jets := sharedtest.SmallSample(b)
	ex := expertTable(b, jets)
	const epochs = 10
	req := plugin.TrainRequest{
		Params: plugin.Params{"epochs": int64(epochs), "patience": int64(0)},
		Seeds:  []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: ex}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := mlp.New().Train(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*epochs*400)/b.Elapsed().Seconds(), "jet·epochs/s")
}

// BenchmarkPredict: quark probabilities for the 500 jets, feature
// building included.
func BenchmarkPredict(b *testing.B) {
	jets := sharedtest.SmallSample(b)
	ex := expertTable(b, jets)
	models, err := mlp.New().Train(context.Background(), plugin.TrainRequest{
		Params: plugin.Params{"epochs": int64(1)}, Seeds: []int64{1}, Train: plugin.Dataset{Jets: jets, Expert: ex}})
	if err != nil {
		b.Fatal(err)
	}
	data := plugin.Dataset{Jets: jets, Expert: ex}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := mlp.New().Predict(context.Background(), nil, models[0].Model, data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*jets.Len())/b.Elapsed().Seconds(), "jets/s")
}
