package evt_test

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/evt"
)

// A distribution in scipy's parameterisation: the GEV shape c is minus
// the usual xi.
func ExampleDist() {
	d := evt.Dist{Family: evt.GenExtreme, C: -0.1, Loc: 1, Scale: 2}
	fmt.Printf("xi = %.1f\n", d.Xi())
	fmt.Printf("median = %.4f\n", d.Quantile(0.5))
	fmt.Printf("CDF(median) = %.4f\n", d.CDF(d.Quantile(0.5)))
	lo, hi := d.Support()
	fmt.Println("support:", lo, hi)
	// Output:
	// xi = 0.1
	// median = 1.7466
	// CDF(median) = 0.5000
	// support: -19 +Inf
}

// Fit a loc-0 Weibull (the law of nearest-neighbour distances) and read
// the shape with its standard error from the observed information.
func ExampleFit() {
	x := evt.Dist{Family: evt.WeibullMin, C: 3, Scale: 0.02}.Sample(2000, 101)
	r, err := evt.Fit(evt.WeibullMin, x, evt.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := r.Param("c")
	fmt.Printf("converged %v, c = %.2f ± %.2f, AIC < 0: %v\n", r.Converged, c.Value, c.StdErr, r.AIC < 0)
	// Output:
	// converged true, c = 2.94 ± 0.05, AIC < 0: true
}

// Goodness of fit with parametric-bootstrap p-values: seeded, and the
// same for any number of workers.
func ExampleResult_BootstrapGOF() {
	x := evt.Dist{Family: evt.GumbelR, Loc: 0.5, Scale: 1.5}.Sample(300, 7)
	r, _ := evt.Fit(evt.GumbelR, x, evt.Options{})
	p1, _ := r.BootstrapGOF(context.Background(), 100, 42, 1)
	p2, _ := r.BootstrapGOF(context.Background(), 100, 42, 2)
	fmt.Println(p1.KS == p2.KS && p1.AD == p2.AD, p1.KS > 0.05, p1.Failed)
	// Output:
	// true true 0
}

// The scaling of the median nearest-neighbour distance with the dataset
// size: for a space of dimension k, D_N ~ N^(-1/k).
func ExampleFitScaling() {
	const k = 4.0
	var in []evt.LadderInput
	for i, n := range []int{100, 200, 400, 800} {
		// Weibull(k) nearest-neighbour distances with scale N^(-1/k).
		d := evt.Dist{Family: evt.WeibullMin, C: k, Scale: math.Pow(float64(n), -1/k)}
		in = append(in, evt.LadderInput{N: n, Distances: [][]float64{d.Sample(n, uint64(i+1))}})
	}
	s, err := evt.FitScaling(context.Background(), in, evt.ScalingOptions{NBoot: 200, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("median slope %.2f ± %.2f -> dimension %.1f\n", s.Median.Slope, s.Median.SlopeErr, s.Median.Dimension)
	fmt.Printf("Weibull shape at N=800: %.1f\n", s.Points[3].Weibull.Dist.C)
	// Output:
	// median slope -0.24 ± 0.01 -> dimension 4.1
	// Weibull shape at N=800: 4.0
}
