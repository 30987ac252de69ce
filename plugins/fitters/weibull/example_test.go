package weibull_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/fitters/weibull"
)

// Fit a loc-0 Weibull to a seeded sample of "distances" and read off the
// shape (the local dimension) and the bootstrap p-value of the KS test.
func Example() {
	x := evt.Dist{Family: evt.WeibullMin, C: 2.5, Scale: 0.012}.Sample(500, 2)
	res, err := weibull.New().Fit(context.Background(), plugin.FitRequest{
		Params:  plugin.Params{"loc": "fixed", "n_boot": int64(100)},
		Seed:    1,
		Samples: []plugin.Sample{{Name: "nn_distances", Values: x}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := res[0]
	fmt.Println(r.Family, r.Converged)
	for _, p := range r.Params {
		if !p.Fixed {
			fmt.Printf("%s = %.3g ± %.1g\n", p.Name, p.Value, p.StdErr)
		}
	}
	fmt.Printf("KS p-value > 0.05: %v\n", r.KSPValue > 0.05)
	// Output:
	// weibull_min true
	// c = 2.55 ± 0.09
	// scale = 0.0121 ± 0.0002
	// KS p-value > 0.05: true
}
