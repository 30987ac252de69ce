package selection_test

import (
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// A reader's loop: every batch goes through Add, then Finish.
func Example() {
	params, err := selection.Spec().Resolve(map[string]any{"quarks": 1, "gluons": 2, "pt_min": 150})
	if err != nil {
		panic(err)
	}
	sel, err := selection.New(params, 1, "jets.npz")
	if err != nil {
		panic(err)
	}
	batch := &jet.Jets{}
	for i, pt := range []float64{100, 200, 300, 400, 500} {
		label := jet.Gluon
		if i%2 == 0 {
			label = jet.Quark
		}
		batch.Append([]float64{pt}, []float64{0}, []float64{0}, []int32{22}, label, 1)
	}
	kept, err := sel.Add(batch)
	if err != nil {
		panic(err)
	}
	rest, err := sel.Finish()
	if err != nil {
		panic(err)
	}
	fmt.Println(kept.Aux[selection.SourceIndex], rest.Len())
	fmt.Println(sel.Summary())
	// Output:
	// [1 2 3] 0
	// read 5 jets, kept 3 (1 quark, 2 gluon); removed 1 by the pT window [150, inf] GeV, 1 by quarks = 1
}
