package plugintest_test

import (
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/plugintest"
)

// In a plugin's tests, Conformance runs every call of the plugin's kind
// directly and through the gRPC shim:
//
//	func TestConformance(t *testing.T) {
//		plugintest.Conformance(t, semd.New(), plugintest.Input{
//			Params: map[string]any{"beta": 1},
//			Jets:   sharedtest.SmallSample(t),
//		})
//	}
//
// Diff is the bit-for-bit comparison it uses.
func ExampleDiff() {
	a := []float64{1, math.NaN(), 0}
	b := []float64{1, math.NaN(), math.Copysign(0, -1)}
	fmt.Println(plugintest.Diff(a, a) == "")
	fmt.Println(plugintest.Diff(a, b))
	// Output:
	// true
	// value[2]: 0 (0x0000000000000000) vs -0 (0x8000000000000000)
}

// ToyNeighbors builds a consistent neighbour batch for a smearer's plan.
func ExampleToyNeighbors() {
	plan := plugin.SmearPlan{Axis: "eps", Points: []float64{0.1, 0.5}, Needs: plugin.NeighborRequest{Radii: []float64{0.1, 0.5}, KNearest: 5}}
	b := plugintest.ToyNeighbors(plan, 3, 1)
	fmt.Println(len(b.Queries), len(b.CountS), b.KOffsets[1] >= 5)
	// Output:
	// 3 6 true
}
