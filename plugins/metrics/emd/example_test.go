package emd_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/emd"
)

// Two one-particle jets 0.5 apart (uncentred): all the energy moves by
// θ = 0.5, so EMD = θ/R = 1.25 with normalised energies; in GeV the 300
// GeV that can move cost 300·1.25 and the 236 GeV excess costs 236.
func Example() {
	jets := &jet.Jets{}
	jets.Append([]float64{536}, []float64{0.2}, []float64{1.0}, nil, jet.Quark, 1)
	jets.Append([]float64{300}, []float64{0.5}, []float64{1.4}, nil, jet.Quark, 1)

	m := emd.New()
	for _, with := range []map[string]any{{"center": false}, {"center": false, "normalize": false}} {
		params, err := m.Info().Params.Resolve(with)
		if err != nil {
			panic(err)
		}
		space, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: params, Jets: jets})
		if err != nil {
			panic(err)
		}
		out := make([]float64, 1)
		if err := space.Pairs(context.Background(), []int32{0}, []int32{1}, out); err != nil {
			panic(err)
		}
		fmt.Printf("%v: EMD = %.2f\n", with, out[0])
	}
	// Output:
	// map[center:false]: EMD = 1.25
	// map[center:false normalize:false]: EMD = 611.00
}
