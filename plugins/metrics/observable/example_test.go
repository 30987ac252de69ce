package observable_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/observable"
)

func Example() {
	jets := &jet.Jets{}
	jets.Append([]float64{60, 40}, []float64{0, 0.3}, []float64{0, 0}, []int32{211, -211}, jet.Quark, 1)
	jets.Append([]float64{50, 30, 20}, []float64{0, 0.1, -0.2}, []float64{0, 0.2, 0.1}, []int32{22, 22, 211}, jet.Gluon, 1)

	m := observable.New()
	params, _ := m.Info().Params.Resolve(map[string]any{"observable": "multiplicity"})
	space, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: params, Jets: jets})
	if err != nil {
		panic(err)
	}
	out := make([]float64, 4)
	space.Block(context.Background(), plugin.Range{Lo: 0, Hi: 2}, plugin.Range{Lo: 0, Hi: 2}, out)
	fmt.Println(out)
	// Output: [0 1 1 0]
}
