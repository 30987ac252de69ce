package nn_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/smearflow/smearflow/core/nn"
)

// Build an XAUG network over two constituent features and one expert
// variable, train it on a seeded toy problem and write it in the
// documented JSON format.
func Example() {
	features := []string{"c00_z", "c01_z", "mass"}
	draw := func(n int, seed uint64) nn.Data {
		rng := rand.New(rand.NewPCG(seed, 0))
		d := nn.Data{Label: make([]int8, n)}
		for i := range d.Label {
			q := float64(i % 2) // quarks: harder leading constituent, lighter jets
			d.Label[i] = int8(q)
			d.X = append(d.X, 0.3+0.2*q+0.1*rng.NormFloat64(), 0.2+0.05*rng.NormFloat64(), 60-20*q+15*rng.NormFloat64())
		}
		return d
	}
	train, val := draw(400, 1), draw(200, 2)
	net, err := nn.Build(features, nn.Architecture{Hidden: []int{8}, Head: []int{4}}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := net.SetStandardization(train.X, train.Rows()); err != nil {
		fmt.Println(err)
		return
	}
	best, stats, err := nn.Train(context.Background(), net, train, val,
		nn.Options{Epochs: 40, BatchSize: 32, LearningRate: 0.01, Patience: 5}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("variant:", best.Arch.Variant)
	fmt.Println("expert variables join layer 1:", best.Layers[1].Inputs)
	fmt.Println("validation AUC above 0.85:", best.Training.BestValAUC > 0.85, len(stats) >= best.Training.BestEpoch)
	data, _ := nn.Marshal(best)
	back, _ := nn.Unmarshal(data)
	fmt.Println("round trip exact:", back.Logit([]float64{0.1, -0.2, 0.3}) == best.Logit([]float64{0.1, -0.2, 0.3}))
	// Output:
	// variant: both
	// expert variables join layer 1: [2]
	// validation AUC above 0.85: true true
	// round trip exact: true
}
