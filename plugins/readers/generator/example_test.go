package generator_test

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/generator"
)

// Generate 3 quark and 3 gluon jets of 500 GeV through the reader
// interface and check the documented properties of every jet.
func Example() {
	g := generator.New()
	req := plugin.ReadRequest{
		Params: plugin.Params{"quarks": int64(3), "gluons": int64(3), "pt": 500.0},
		Seed:   1,
	}
	err := g.Read(context.Background(), req, func(j *jet.Jets) error {
		fmt.Println(j.Len(), "jets, labels", j.Label)
		for i := 0; i < j.Len(); i++ {
			v := j.Jet(i)
			p := v.FourMomentum(true) // PDG masses from the pids
			inside := true
			for k := range v.Pt {
				inside = inside && jet.DeltaR(v.Y[k], v.Phi[k], p.Rapidity(), p.Phi()) <= 0.4
			}
			fmt.Printf("jet %d: pt %.6f GeV, all constituents within R: %v\n", i, p.Pt(), inside)
		}
		return j.Validate()
	})
	fmt.Println("error:", err)
	// Output:
	// 6 jets, labels [1 0 1 0 1 0]
	// jet 0: pt 500.000000 GeV, all constituents within R: true
	// jet 1: pt 500.000000 GeV, all constituents within R: true
	// jet 2: pt 500.000000 GeV, all constituents within R: true
	// jet 3: pt 500.000000 GeV, all constituents within R: true
	// jet 4: pt 500.000000 GeV, all constituents within R: true
	// jet 5: pt 500.000000 GeV, all constituents within R: true
	// error: <nil>
}

// Generate parton-level jets with a fixed coupling directly from a Config,
// on two workers (the jets do not depend on the number of workers).
func ExampleGenerate() {
	cfg := generator.DefaultConfig()
	cfg.Quarks, cfg.Gluons = 1000, 1000
	cfg.Hadronize = false
	cfg.Shower.FixedCoupling = true
	cfg.Workers = 2
	var n [2]float64
	var count [2]int
	err := generator.Generate(context.Background(), cfg, 42, 500, func(j *jet.Jets) error {
		for i := 0; i < j.Len(); i++ {
			n[j.Label[i]] += float64(j.Multiplicity(i))
			count[j.Label[i]]++
		}
		return nil
	})
	ratio := (n[0] / float64(count[0])) / (n[1] / float64(count[1]))
	fmt.Println("error:", err)
	fmt.Println("gluon jets have more partons:", ratio > 1.2, "ratio in (1.2, 2.25):", ratio > 1.2 && ratio < 2.25 && !math.IsNaN(ratio))
	// Output:
	// error: <nil>
	// gluon jets have more partons: true ratio in (1.2, 2.25): true
}
