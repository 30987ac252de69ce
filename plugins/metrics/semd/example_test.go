package semd_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/semd"
)

// The hand-made jets A (one particle) and B (two particles 0.3 apart) of
// reference/semd: SEMD² = 2·60·40·0.3² = 432 GeV², so SEMD = 20.78 GeV, and
// 0.2078 with normalised energies.
func Example() {
	jets := &jet.Jets{}
	jets.Append([]float64{100}, []float64{0}, []float64{0}, nil, jet.Quark, 1)
	jets.Append([]float64{60, 40}, []float64{0, 0.3}, []float64{0, 0}, nil, jet.Gluon, 1)

	m := semd.New()
	for _, with := range []map[string]any{{"normalize": false}, {}} {
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
		fmt.Printf("%v: SEMD = %.4f\n", with, out[0])
	}
	// Output:
	// map[normalize:false]: SEMD = 20.7846
	// map[]: SEMD = 0.2078
}

// LowerBound gives an embedding whose Euclidean distances bound SEMD from
// below (and, with the residuals, from above). For jet B, Q(t) = 0 on
// [0, 0.52] and 0.3 on (0.52, 1]: the third bin averages 0.3·0.23/0.25 =
// 0.276, so v = sqrt(1/4)·0.276 = 0.138.
func ExampleSpace_LowerBound() {
	jets := &jet.Jets{}
	jets.Append([]float64{100}, []float64{0}, []float64{0}, nil, jet.Quark, 1)
	jets.Append([]float64{60, 40}, []float64{0, 0.3}, []float64{0, 0}, nil, jet.Gluon, 1)
	space, _ := semd.NewSpace(context.Background(), jets, semd.Options{Beta: 1, Normalize: true, BoundBins: 4})
	emb, _ := space.LowerBound(context.Background())
	fmt.Printf("dim %d, v_B = %.4f, r_B = %.4f\n", emb.Dim, emb.Vectors[4:8], emb.Residuals[1])
	// Output: dim 4, v_B = [0.0000 0.0000 0.1380 0.1500], r_B = 0.0407
}
