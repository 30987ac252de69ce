package hadronize_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/smearflow/smearflow/plugins/readers/generator/hadronize"
	"github.com/smearflow/smearflow/plugins/readers/generator/shower"
)

// Fragment a 100 GeV quark along +x: the hadrons carry its three-momentum
// exactly and their energy exceeds it by their masses and transverse
// momenta.
func ExampleHadronizer_Hadronize() {
	h, err := hadronize.New(hadronize.DefaultParams())
	if err != nil {
		panic(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	q := shower.Parton{P: shower.Vec4{E: 100, Px: 100}, Flavour: shower.Quark}
	hadrons := h.Hadronize(rng, []shower.Parton{q}, nil)
	var sum shower.Vec4
	for _, x := range hadrons {
		sum = sum.Add(x.P)
	}
	fmt.Println("several hadrons:", len(hadrons) > 3)
	fmt.Println("three-momentum conserved:", math.Abs(sum.Px-100) < 1e-9 && math.Abs(sum.Py) < 1e-9 && math.Abs(sum.Pz) < 1e-9)
	fmt.Println("energy above the parton's:", sum.E > 100)
	// Output:
	// several hadrons: true
	// three-momentum conserved: true
	// energy above the parton's: true
}
