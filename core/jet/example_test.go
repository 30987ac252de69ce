package jet_test

import (
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
)

func ExampleJets() {
	var js jet.Jets
	js.Append([]float64{300, 200}, []float64{0.0, 0.1}, []float64{0.0, 0.1}, []int32{211, 22}, jet.Quark, 1)
	js.Append([]float64{500}, []float64{0.3}, []float64{1.0}, []int32{22}, jet.Gluon, 1)
	if err := js.Validate(); err != nil {
		panic(err)
	}
	v := js.Jet(0)
	fmt.Println(js.String())
	fmt.Printf("jet 0: %d particles, sum pt %.0f GeV\n", len(v.Pt), v.SumPt())
	// Output:
	// 2 jets (1 quark, 1 gluon), 3 particles
	// jet 0: 2 particles, sum pt 500 GeV
}
