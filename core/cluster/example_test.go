package cluster_test

import (
	"fmt"
	"slices"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/core/jet"
)

// Anti-kt with R = 0.4: the two nearby particles form one jet, the third
// particle (farther than R) its own jet, and the soft one is below 5 GeV.
func ExampleClusterer_InclusiveJets() {
	particles := []jet.FourVector{
		jet.FromPtYPhiM(100, 0.0, 1.0, 0),
		jet.FromPtYPhiM(30, 0.1, 1.2, 0.13957),
		jet.FromPtYPhiM(40, -1.0, 3.0, 0),
		jet.FromPtYPhiM(2, 2.0, 5.0, 0),
	}
	c, err := cluster.New(cluster.Definition{Algorithm: cluster.AntiKt, R: 0.4})
	if err != nil {
		panic(err)
	}
	jets, err := c.InclusiveJets(particles, 5)
	if err != nil {
		panic(err)
	}
	for _, j := range jets {
		fmt.Printf("pt %.2f  y %.3f  phi %.3f  constituents %v\n", j.Pt(), j.Rapidity(), j.Phi(), j.Constituents)
	}
	// Output:
	// pt 129.54  y 0.023  phi 1.046  constituents [0 1]
	// pt 40.00  y -1.000  phi 3.000  constituents [2]
}

func ExampleParseAlgorithm() {
	for _, name := range []string{"antikt", "kt", "cambridge", "siscone"} {
		a, err := cluster.ParseAlgorithm(name)
		fmt.Println(a, err)
	}
	// Output:
	// antikt <nil>
	// kt <nil>
	// cambridge <nil>
	// Algorithm(0) cluster: unknown jet algorithm "siscone" (want one of antikt, kt, cambridge)
}

// Sorting particles by decreasing kt^2 as FastJet's sorted_by_pt does;
// equal kt^2 keep their order (stable sort).
func ExampleByDecreasingKt2() {
	ps := []jet.FourVector{{Px: 3, E: 5}, {Px: 0, Py: 10, E: 10}, {Px: -3, E: 6}, {Px: 1, E: 1}}
	slices.SortStableFunc(ps, cluster.ByDecreasingKt2)
	for _, p := range ps {
		fmt.Println(p.Px, p.Py, p.E)
	}
	// Output:
	// 0 10 10
	// 3 0 5
	// -3 0 6
	// 1 0 1
}
