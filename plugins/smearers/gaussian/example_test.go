package gaussian_test

import (
	"fmt"

	"github.com/smearflow/smearflow/plugins/smearers/gaussian"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

// Smearing eight jets on a line (quarks at 0..3, gluons at 2.5..5.5)
// through the host with leave-one-out reference sets (smeartest.LineLOO:
// neighbors.MatrixSpace, neighbors.Smear with this plugin, ROC per point).
func Example() {
	res, err := smeartest.LineLOO(gaussian.New(), map[string]any{"eps": []any{0.5, 1.5, 10.0}})
	if err != nil {
		panic(err)
	}
	for _, p := range res.PerPoint {
		fmt.Printf("%s=%v AUC=%.4f empty=%d\n", res.Axis, p.Value, p.AUC, p.Empty)
	}
	// Output:
	// eps=0.5 AUC=0.7500 empty=0
	// eps=1.5 AUC=0.8125 empty=0
	// eps=10 AUC=0.9375 empty=0
}
