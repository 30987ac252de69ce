package jetobs_test

import (
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/jetobs"
)

func Example() {
	var js jet.Jets
	// Two charged pions, 60 and 40 GeV, 0.3 apart in rapidity.
	js.Append([]float64{60, 40}, []float64{0, 0.3}, []float64{0, 0}, []int32{211, -211}, jet.Quark, 1)
	v := js.Jet(0)

	m, _ := jetobs.Mass(v, true)
	ptd, _ := jetobs.PtD(v)
	y0, phi0, _ := jetobs.Axis(v, jetobs.PtCentroid, false)
	w, _ := jetobs.Width(v, y0, phi0)
	lha, _ := jetobs.Angularity(v, y0, phi0, 0.5, 0.4)
	fmt.Printf("n=%d mass=%.3f GeV ptD=%.4f width=%.3f LHA=%.4f\n", jetobs.Multiplicity(v), m, ptd, w, lha)
	// Output: n=2 mass=14.755 GeV ptD=0.7211 width=0.144 LHA=0.5970
}
