package expert_test

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/observables/expert"
)

func ExampleExpert_Compute() {
	jets := &jet.Jets{}
	// A three-prong jet (photon and two pions) and a one-photon "jet".
	jets.Append([]float64{250, 150, 100}, []float64{0, 0.12, -0.05}, []float64{1, 1.15, 0.9}, []int32{22, 211, -211}, jet.Quark, 1)
	jets.Append([]float64{500}, []float64{0.3}, []float64{2}, []int32{22}, jet.Gluon, 1)

	p := expert.New()
	tab, err := p.Compute(context.Background(), plugin.ObservablesRequest{
		Params: plugin.Params{"columns": []string{"n_const", "mass", "tau21_wta_b1", "C2_b1", "sd_b0_z0p1_mass", "sd_b0_zg"}, "flags": true},
		Jets:   jets,
	})
	if err != nil {
		panic(err)
	}
	// The degenerate bitmask: 4 = τ3 trivially 0 (3 constituents); 63 = one
	// constituent, so every degenerate case applies.
	for _, c := range tab.Columns {
		fmt.Printf("%-16s %-4s %8.4f %8.4f\n", c.Name, c.Unit, c.Float[0], c.Float[1])
	}
	// Output:
	// jet_index               0.0000   1.0000
	// n_const                 3.0000   1.0000
	// mass             GeV   55.3395   0.0000
	// tau21_wta_b1            0.2795   0.0000
	// C2_b1                   0.0576   0.0000
	// sd_b0_z0p1_mass  GeV   55.3395   0.0000
	// sd_b0_zg                0.3002   0.0000
	// degenerate              4.0000  63.0000
}

func ExampleComputeTable() {
	jets := &jet.Jets{}
	jets.Append([]float64{300, 200}, []float64{0, 0.1}, []float64{1, 1.2}, []int32{211, 22}, jet.Quark, 1)
	opt := expert.DefaultOptions()
	opt.Columns = []string{"sd_b0_z0p1_mass", "sd_b0_zg", "sd_b0_Rg"}
	tab, err := expert.ComputeTable(context.Background(), jets, opt)
	if err != nil {
		panic(err)
	}
	fmt.Println(tab.Names())
	fmt.Printf("%.3f GeV, zg %.2f, Rg %.4f\n", tab.Columns[1].Float[0], tab.Columns[2].Float[0], tab.Columns[3].Float[0])
	// Output:
	// [jet_index sd_b0_z0p1_mass sd_b0_zg sd_b0_Rg]
	// 54.704 GeV, zg 0.40, Rg 0.2236
}

func ExampleColumnNames() {
	names := expert.ColumnNames([]float64{0.5}, 0.05)
	fmt.Println(len(names), names[len(names)-4:])
	// Output:
	// 38 [sd_b0p5_z0p05_mass sd_b0p5_z0p05_pt sd_b0p5_zg sd_b0p5_Rg]
}
