package neighbors_test

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
)

// Six jets on a line, distances |x_i - x_j|: quarks at 0, 1, 2 and gluons
// at 2, 5, 6.
func lineMatrix() (*neighbors.Matrix, []int8) {
	x := []float64{0, 1, 2, 2, 5, 6}
	labels := []int8{1, 1, 1, 0, 0, 0}
	d := make([]float64, 36)
	for i := range x {
		for j := range x {
			d[i*6+j] = math.Abs(x[i] - x[j])
		}
	}
	m, err := neighbors.MatrixSpace(6, d)
	if err != nil {
		panic(err)
	}
	return m, labels
}

// Leave-one-out counts within radius 1 and the 2 nearest (plus ties).
func ExampleRun() {
	m, labels := lineMatrix()
	cfg := neighbors.Config{Mode: neighbors.LOO}
	setup, err := neighbors.Prepare(m.Len(), labels, nil, cfg)
	if err != nil {
		panic(err)
	}
	req := plugin.NeighborRequest{Radii: []float64{1}, KNearest: 2}
	_, err = neighbors.Run(context.Background(), m, setup, cfg, req, func(b *plugin.NeighborBatch) error {
		for q, jet := range b.Queries {
			var near []int32
			for _, n := range b.KList[b.KOffsets[q]:b.KOffsets[q+1]] {
				near = append(near, n.Index)
			}
			fmt.Printf("jet %d: n_s=%v n_b=%v N_s=%v N_b=%v nearest %v\n", jet, b.CountS[q], b.CountB[q], b.NormS[q], b.NormB[q], near)
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// jet 0: n_s=1 n_b=0 N_s=2 N_b=3 nearest [1 2 3]
	// jet 1: n_s=2 n_b=1 N_s=2 N_b=3 nearest [0 2 3]
	// jet 2: n_s=1 n_b=1 N_s=2 N_b=3 nearest [3 1]
	// jet 3: n_s=2 n_b=0 N_s=3 N_b=2 nearest [2 1]
	// jet 4: n_s=0 n_b=1 N_s=3 N_b=2 nearest [5 2 3]
	// jet 5: n_s=0 n_b=1 N_s=3 N_b=2 nearest [4 2 3]
}

// Stratified folds: position within the class modulo K.
func ExampleFolds() {
	labels := []int8{1, 0, 1, 1, 0, 0, 1}
	fmt.Println(neighbors.Folds(labels, 2, false, 0))
	// Output: [0 0 1 0 1 0 1]
}

// Nearest neighbours within the reference set, overall and per class.
func ExampleNearest() {
	m, labels := lineMatrix()
	setup, _ := neighbors.Prepare(m.Len(), labels, nil, neighbors.Config{Mode: neighbors.LOO})
	nn, _, err := neighbors.Nearest(context.Background(), m, setup, neighbors.Config{})
	if err != nil {
		panic(err)
	}
	fmt.Println(nn.Dist, nn.Index)
	fmt.Println(nn.DistB, nn.IndexB)
	// Output:
	// [1 1 0 0 1 1] [1 0 3 2 5 4]
	// [2 1 0 3 1 1] [3 3 3 4 5 4]
}
