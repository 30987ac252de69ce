package lrp_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/plugins/explainers/lrp"
)

// Explain a 2 → 2 → 1 network (given in the layout of
// reference/lrp/mlp.json) with LRP-0, biases in and out of the
// denominators, and rank the inputs.
func Example() {
	net, err := nn.Unmarshal([]byte(`{
	  "sizes": [2, 2, 1],
	  "layers": [
	    {"W": [[1.0, -1.0], [0.5, 2.0]], "b": [0.1, -0.2], "activation": "relu"},
	    {"W": [[1.5], [-0.5]], "b": [0.3], "activation": "linear"}
	  ]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	// Two inputs (x0, x1). For the second, the active hidden unit has
	// z = 0.5 - 0.5 (+ 0.1 bias): without the bias its LRP-0 denominator
	// is exactly 0, so it passes nothing and the whole logit is lost.
	raw := []float64{1, 2, 0.5, -1}
	for _, included := range []bool{true, false} {
		expl, _, err := lrp.Batch(context.Background(), net, lrp.Config{Rule: lrp.LRP0, BiasIncluded: included}, raw, 1, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("bias included %v:\n", included)
		for i := range expl.Output {
			fmt.Printf("  logit %.4f  R = %.4f  sum %.4f  lost %.4f\n", expl.Output[i], expl.Relevance[2*i:2*i+2], expl.Sum[i], expl.Lost[i])
		}
		ranking, _ := lrp.Rank(expl)
		fmt.Printf("  ranking: %s %.4f, %s %.4f\n", ranking[0].Feature, ranking[0].MeanAbs, ranking[1].Feature, ranking[1].MeanAbs)
	}
	// Output:
	// bias included true:
	//   logit 2.0500  R = [2.0000 -0.5000]  sum 1.5000  lost 0.5500
	//   logit 0.4500  R = [0.7500 -0.7500]  sum 0.0000  lost 0.4500
	//   ranking: x0 1.3750, x1 0.6250
	// bias included false:
	//   logit 2.0500  R = [2.3917 -0.3417]  sum 2.0500  lost 0.0000
	//   logit 0.4500  R = [0.0000 0.0000]  sum 0.0000  lost 0.4500
	//   ranking: x0 1.1958, x1 0.1708
}
