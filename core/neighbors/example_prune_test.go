package neighbors_test

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
)

// planeSpace holds points (x, y) of the plane with y >= 0; its lower-bound
// embedding is v = x with residual r = y, an orthogonal projection whose
// residuals are non-negatively correlated (Orthogonal and Monotone).
type planeSpace struct{ x, y []float64 }

func (p planeSpace) Len() int { return len(p.x) }
func (p planeSpace) d(i, j int) float64 {
	return math.Hypot(p.x[i]-p.x[j], p.y[i]-p.y[j])
}
func (p planeSpace) Block(_ context.Context, rows, cols plugin.Range, out []float64) error {
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			out[(i-rows.Lo)*cols.Len()+j-cols.Lo] = p.d(i, j)
		}
	}
	return nil
}
func (p planeSpace) Pairs(_ context.Context, i, j []int32, out []float64) error {
	for k := range i {
		out[k] = p.d(int(i[k]), int(j[k]))
	}
	return nil
}
func (p planeSpace) Close() error { return nil }
func (p planeSpace) LowerBound(context.Context) (*plugin.Embedding, error) {
	return &plugin.Embedding{Dim: 1, Vectors: p.x, Residuals: p.y}, nil
}

// The pruned pass computes only the pairs its bounds cannot decide; the
// counts are those of the brute-force pass.
func ExampleWithEmbeddingForm() {
	pts := planeSpace{x: []float64{0, 3, 10, 10.5, 20, 40}, y: []float64{0, 0, 0.1, 0.1, 0.2, 4}}
	space := neighbors.WithEmbeddingForm(pts, neighbors.EmbeddingForm{Orthogonal: true, Monotone: true})
	labels := []int8{1, 0, 1, 0, 1, 0}
	cfg := neighbors.Config{Mode: neighbors.LOO, Prune: neighbors.PruneOn}
	setup, _ := neighbors.Prepare(space.Len(), labels, nil, cfg)
	req := plugin.NeighborRequest{Radii: []float64{1, 5}}
	st, err := neighbors.Run(context.Background(), space, setup, cfg, req, func(b *plugin.NeighborBatch) error {
		for k, q := range b.Queries {
			fmt.Printf("jet %d: signal within 1, 5: %v, background: %v\n", q, b.CountS[2*k:2*k+2], b.CountB[2*k:2*k+2])
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d of %d pairs computed exactly\n", st.Pairs, st.Candidates)
	// Output:
	// jet 0: signal within 1, 5: [0 0], background: [0 1]
	// jet 1: signal within 1, 5: [0 1], background: [0 0]
	// jet 2: signal within 1, 5: [0 0], background: [1 1]
	// jet 3: signal within 1, 5: [1 1], background: [0 0]
	// jet 4: signal within 1, 5: [0 0], background: [0 0]
	// jet 5: signal within 1, 5: [0 0], background: [0 0]
	// 0 of 15 pairs computed exactly
}
