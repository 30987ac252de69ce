package ball_test

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
)

// Smearing eight jets on a line (quarks at 0..3, gluons at 2.5..5.5)
// through the host: leave-one-out reference sets (biased, see
// neighbors.LOO; the default K-fold mode needs more jets), the plugin, ROC.
func Example() {
	x := []float64{0, 1, 2, 3, 2.5, 3.5, 4.5, 5.5}
	labels := []int8{1, 1, 1, 1, 0, 0, 0, 0}
	d := make([]float64, 64)
	for i := range x {
		for j := range x {
			d[i*8+j] = math.Abs(x[i] - x[j])
		}
	}
	space, _ := neighbors.MatrixSpace(8, d)
	sm := ball.New()
	params, err := sm.Info().Params.Resolve(map[string]any{"eps": []any{0.5, 1.5, 10.0}})
	if err != nil {
		panic(err)
	}
	cfg := neighbors.SmearConfig{Config: neighbors.Config{Mode: neighbors.LOO}, Bootstrap: roc.BootstrapConfig{N: 0}}
	res, err := neighbors.Smear(context.Background(), space, labels, nil, cfg, sm, params)
	if err != nil {
		panic(err)
	}
	for _, p := range res.PerPoint {
		fmt.Printf("%s=%v AUC=%.4f empty=%d\n", res.Axis, p.Value, p.AUC, p.Empty)
	}
	// Output:
	// eps=0.5 AUC=0.1250 empty=4
	// eps=1.5 AUC=0.8125 empty=0
	// eps=10 AUC=0.5000 empty=0
}
