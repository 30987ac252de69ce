package substructure_test

import (
	"fmt"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/substructure"
)

// A three-prong toy jet: a hard photon and two pions.
func toyJet() jet.View {
	return jet.View{
		Pt:  []float64{250, 150, 100},
		Y:   []float64{0.0, 0.12, -0.05},
		Phi: []float64{1.0, 1.15, 0.9},
		PID: []int32{22, 211, -211},
	}
}

func ExampleJet_NSubjettiness() {
	j, err := substructure.NewJet(toyJet(), true)
	if err != nil {
		panic(err)
	}
	tau := make([]float64, 3)
	// fjcontrib: Nsubjettiness(N, WTA_KT_Axes(), UnnormalizedMeasure(1)).
	if err := j.Taus(substructure.WTAKTAxes, substructure.UnnormalizedMeasure(1), tau); err != nil {
		panic(err)
	}
	fmt.Printf("WTA kt, unnormalised: tau1 = %.3f GeV, tau2 = %.3f GeV, tau3 = %.0f\n", tau[0], tau[1], tau[2])
	// One-pass minimised axes, normalised by sum(pt) * R0.
	t2, _ := j.NSubjettiness(2, substructure.OnePassKTAxes, substructure.NormalizedMeasure(1, 0.4))
	t1, _ := j.NSubjettiness(1, substructure.OnePassKTAxes, substructure.NormalizedMeasure(1, 0.4))
	fmt.Printf("one-pass kt: tau21 = %.3f\n", t2/t1)
	// Output:
	// WTA kt, unnormalised: tau1 = 39.994 GeV, tau2 = 11.180 GeV, tau3 = 0
	// one-pass kt: tau21 = 0.280
}

func ExampleJet_ECF() {
	j, _ := substructure.NewJet(toyJet(), true)
	e2, e3, _ := j.ECF(1)
	c2, _ := substructure.C2(e2, e3)
	d2, _ := substructure.D2(e2, e3)
	fmt.Printf("e2 = %.5f, e3 = %.3g, C2 = %.4f, D2 = %.3f\n", e2, e3, c2, d2)
	// Output:
	// e2 = 0.05813, e3 = 0.000195, C2 = 0.0576, D2 = 0.991
}

func ExampleJet_SoftDrop() {
	j, _ := substructure.NewJet(toyJet(), true)
	fmt.Printf("jet: pt %.1f GeV, mass %.2f GeV\n", j.Pt(), j.Mass())
	// With zcut = 0.35 no splitting passes (z = 0.30, then 0.29): the jet
	// is groomed down to the hard photon and zg = Rg = 0.
	for _, zcut := range []float64{0.1, 0.35} {
		sd, _ := j.SoftDrop(0, zcut, 0.4)
		fmt.Printf("zcut %.2f: passed %v, groomed mass %.2f GeV, pt %.1f GeV, zg %.3f, Rg %.3f, %d constituents\n",
			zcut, sd.Passed, sd.Mass, sd.Pt, sd.Zg, sd.Rg, sd.NConst)
	}
	// Output:
	// jet: pt 498.0 GeV, mass 55.34 GeV
	// zcut 0.10: passed true, groomed mass 55.34 GeV, pt 498.0 GeV, zg 0.300, Rg 0.223, 3 constituents
	// zcut 0.35: passed false, groomed mass 0.00 GeV, pt 250.0 GeV, zg 0.000, Rg 0.000, 1 constituents
}

func ExampleJet_Cluster() {
	j, _ := substructure.NewJet(toyJet(), false)
	// The Cambridge/Aachen tree of the jet, declustered from the top.
	h, err := j.Cluster(cluster.Cambridge, substructure.MaxAllowableR, substructure.EScheme)
	if err != nil {
		panic(err)
	}
	for node := h.Final(); ; {
		a, b, ok := h.Parents(node)
		if !ok {
			break
		}
		fmt.Printf("node %d -> %d (pt %.1f) + %d (pt %.1f), constituents %v + %v\n",
			node, a, h.Pt(a), b, h.Pt(b), h.Constituents(a, nil), h.Constituents(b, nil))
		node = a
	}
	fmt.Println("exclusive 2 jets:", h.ExclusiveJets(2, nil))
	// Output:
	// node 4 -> 3 (pt 349.6) + 1 (pt 150.0), constituents [0 2] + [1]
	// node 3 -> 0 (pt 250.0) + 2 (pt 100.0), constituents [0] + [2]
	// exclusive 2 jets: [1 3]
}
