package ot_test

import (
	"fmt"

	"github.com/smearflow/smearflow/core/ot"
)

func ExampleSolver_Solve() {
	// Two sources and three sinks; more mass is demanded (1.5) than
	// supplied (1): the cheapest unit of demand is served.
	a := []float64{0.5, 0.5}
	b := []float64{0.5, 0.5, 0.5}
	cost := []float64{
		0, 1, 2, // from source 0
		2, 1, 0, // from source 1
	}
	var s ot.Solver
	res, err := s.Solve(a, b, cost)
	if err != nil {
		panic(err)
	}
	fmt.Printf("cost %.2f, mass moved %.2f\n", res.Cost, res.Flow)
	for _, f := range s.Flows(nil) {
		fmt.Printf("%d -> %d: %.2f\n", f.I, f.J, f.F)
	}
	// Output:
	// cost 0.00, mass moved 1.00
	// 0 -> 0: 0.50
	// 1 -> 2: 0.50
}
