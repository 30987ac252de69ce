package report_test

import (
	"fmt"
	"math"
	"os"

	"github.com/smearflow/smearflow/core/report"
)

// Example writes a report with one smearing step: an AUC curve over eps
// with its bootstrap band, the background rejection (one point with no
// background passing), the empty-ball fraction and the points table.
func Example() {
	dir, err := os.MkdirTemp("", "report-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	sm := report.Smearing{
		Step: "smeared", Smearer: "ball", Input: "distances", Metric: "semd", MetricUnit: report.UnitNormalized,
		Axis: "eps", Mode: "kfold", Queries: 500, Signal: 247, Background: 253,
		GeVScale: 525, NNScale: 0.0104, BandLevel: 0.68,
	}
	for i, eps := range []float64{0.005, 0.01, 0.02, 0.04, 0.08} {
		auc := []float64{0.50, 0.69, 0.75, 0.74, 0.71}[i]
		rej := []float64{1, 2.1, 7.7, math.Inf(1), 5.2}[i]
		sm.Points = append(sm.Points, report.SmearPoint{
			X: eps, AUC: auc, AUCLo: auc - 0.02, AUCHi: auc + 0.02,
			Rejection: rej, RejectionLo: math.NaN(), RejectionHi: math.NaN(),
			Empty: []float64{498, 238, 27, 0, 0}[i],
		})
	}
	run := &report.Run{
		Provenance: report.Provenance{Workflow: "example", Seed: 1},
		Smearing:   []report.Smearing{sm},
	}
	names, err := report.Write(dir, run)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, n := range names {
		fmt.Println(n)
	}
	// Output:
	// plots/smearing-smeared-auc.svg
	// plots/smearing-smeared-auc.png
	// plots/smearing-smeared-rejection.svg
	// plots/smearing-smeared-rejection.png
	// plots/smearing-smeared-empty.svg
	// plots/smearing-smeared-empty.png
	// report.html
}
