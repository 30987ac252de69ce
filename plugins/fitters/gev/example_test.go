package gev_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/fitters/gev"
)

// Fit a GEV to seeded maxima; scipy's shape c and the usual xi = -c are
// both reported.
func Example() {
	x := evt.Dist{Family: evt.GenExtreme, C: -0.1, Loc: 1, Scale: 2}.Sample(2000, 3)
	res, err := gev.New().Fit(context.Background(), plugin.FitRequest{
		Params:  plugin.Params{"n_boot": int64(0)},
		Samples: []plugin.Sample{{Name: "maxima", Values: x}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range res[0].Params {
		fmt.Printf("%s = %.2f ± %.2f\n", p.Name, p.Value, p.StdErr)
	}
	// Output:
	// c = -0.10 ± 0.02
	// loc = 1.09 ± 0.05
	// scale = 2.05 ± 0.04
	// xi = 0.10 ± 0.02
}
