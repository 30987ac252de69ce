package frechet_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/fitters/frechet"
)

// Fit a loc-0 Frechet (scipy invweibull) to a seeded sample.
func Example() {
	x := evt.Dist{Family: evt.InvWeibull, C: 4, Scale: 1.5}.Sample(2000, 5)
	res, err := frechet.New().Fit(context.Background(), plugin.FitRequest{
		Params:  plugin.Params{"loc": "fixed", "n_boot": int64(0)},
		Samples: []plugin.Sample{{Name: "maxima", Values: x}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0].Family)
	for _, p := range res[0].Params {
		if !p.Fixed {
			fmt.Printf("%s = %.2f ± %.2f\n", p.Name, p.Value, p.StdErr)
		}
	}
	// Output:
	// invweibull
	// c = 4.10 ± 0.07
	// scale = 1.50 ± 0.01
}
