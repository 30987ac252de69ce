package gumbel_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/fitters/gumbel"
)

// Fit a Gumbel law for minima (the default side) to a seeded sample.
func Example() {
	x := evt.Dist{Family: evt.GumbelL, Loc: -1, Scale: 0.7}.Sample(1000, 4)
	res, err := gumbel.New().Fit(context.Background(), plugin.FitRequest{
		Params:  plugin.Params{"side": "min", "n_boot": int64(0)},
		Samples: []plugin.Sample{{Name: "minima", Values: x}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].Family)
	for _, p := range res[0].Params {
		fmt.Printf("%s = %.2f ± %.2f\n", p.Name, p.Value, p.StdErr)
	}
	// Output:
	// gumbel_l
	// loc = -1.04 ± 0.02
	// scale = 0.71 ± 0.02
}
