package angularity_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/examples/plugins/angularity"
)

// The metric used in process, exactly as the runner uses it through gRPC.
func Example() {
	jets := &jet.Jets{}
	jets.Append([]float64{1, 3}, []float64{0, 0.4}, []float64{0, 0}, nil, jet.Quark, 1) // λ_1 = 0.15
	jets.Append([]float64{2, 2}, []float64{0, 0.2}, []float64{0, 0}, nil, jet.Gluon, 1) // λ_1 = 0.1
	jets.Append([]float64{5}, []float64{1}, []float64{1}, nil, jet.Gluon, 1)            // λ_1 = 0

	m := angularity.New()
	params, _ := m.Info().Params.Resolve(map[string]any{"a": 1})
	space, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: params, Jets: jets})
	if err != nil {
		panic(err)
	}
	defer space.Close()
	all := plugin.Range{Lo: 0, Hi: space.Len()}
	d := make([]float64, 9)
	if err := space.Block(context.Background(), all, all, d); err != nil {
		panic(err)
	}
	for i := 0; i < 3; i++ {
		fmt.Printf("%.3f %.3f %.3f\n", d[3*i], d[3*i+1], d[3*i+2])
	}
	// Output:
	// 0.000 0.050 0.150
	// 0.050 0.000 0.100
	// 0.150 0.100 0.000
}

// Lambda computes the angularity of one jet.
func ExampleLambda() {
	jets := &jet.Jets{}
	jets.Append([]float64{1, 3}, []float64{0, 0.4}, []float64{0, 0}, nil, jet.Quark, 1)
	for _, a := range []float64{0, 1, 2} {
		fmt.Printf("λ_%g = %.4f\n", a, angularity.Lambda(jets.Jet(0), a))
	}
	// Output:
	// λ_0 = 1.0000
	// λ_1 = 0.1500
	// λ_2 = 0.0300
}
