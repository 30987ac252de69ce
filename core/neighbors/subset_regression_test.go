package neighbors

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// Random (non-contiguous) subsets larger than a tile mix diagonal and
// off-diagonal tiles in one pass; a reused work buffer once lacked room
// for the diagonal pairs (found running the extreme-value ladder).
func TestSubsetNearestLargeRandomSubsets(t *testing.T) {
	const n = 900
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()
	}
	d := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d[i*n+j] = math.Abs(x[i] - x[j])
		}
	}
	space, err := MatrixSpace(n, d)
	if err != nil {
		t.Fatal(err)
	}
	subsets := [][]int{rng.Perm(n)[:700], rng.Perm(n)[:300], rng.Perm(n)[:650]}
	got, _, err := SubsetNearest(context.Background(), space, subsets, Config{TileSize: 64, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for k, sub := range subsets {
		for a, i := range sub {
			best := math.Inf(1)
			for _, j := range sub {
				if j != i && d[i*n+j] < best {
					best = d[i*n+j]
				}
			}
			if got[k][a] != best {
				t.Fatalf("subset %d jet %d: nearest %v, want %v", k, i, got[k][a], best)
			}
		}
	}
}
