package knn_test

import (
	"fmt"

	"github.com/smearflow/smearflow/plugins/smearers/knn"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

// Smearing eight jets on a line (quarks at 0..3, gluons at 2.5..5.5)
// through the host with leave-one-out reference sets (smeartest.LineLOO:
// neighbors.MatrixSpace, neighbors.Smear with this plugin, ROC per point).
func Example() {
	res, err := smeartest.LineLOO(knn.New(), map[string]any{"k": []any{1, 2, 3}})
	if err != nil {
		panic(err)
	}
	for _, p := range res.PerPoint {
		fmt.Printf("%s=%v AUC=%.4f empty=%d\n", res.Axis, p.Value, p.AUC, p.Empty)
	}
	// Output:
	// k=1 AUC=0.5000 empty=0
	// k=2 AUC=0.6875 empty=0
	// k=3 AUC=0.9375 empty=0
}
