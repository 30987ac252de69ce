package neighbors

import (
	"math/rand/v2"
	"testing"
)

// TestDistT checks the first-checkpoint kernel (assembly on amd64) against
// the portable one and a direct sum, for every block remainder.
func TestDistT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, nc := range []int{8, 16, 56, 64, 72, 128, 136, 256} {
		x := make([]float32, firstLevel)
		for q := range x {
			x[q] = float32(rng.NormFloat64())
		}
		cols := make([][]float32, nc)
		yT := make([]float32, nc*firstLevel)
		for c := range cols {
			cols[c] = make([]float32, firstLevel)
			for q := range cols[c] {
				cols[c][q] = float32(rng.NormFloat64())
				yT[transposeIndex(c, q)] = cols[c][q]
			}
		}
		got, port := make([]float32, nc), make([]float32, nc)
		distT(x, yT, nc, got)
		distTGo(x, yT, nc, port)
		for c := range got {
			want := 0.0
			for q := range x {
				e := float64(x[q]) - float64(cols[c][q])
				want += e * e
			}
			// Both float32 sums are within (16+2)·2^-24 of the exact sum.
			tol := 18 * 0x1p-24 * want
			if d := float64(got[c]) - want; d > tol || d < -tol {
				t.Fatalf("nc %d column %d: kernel %v, exact %v", nc, c, got[c], want)
			}
			if d := float64(port[c]) - want; d > tol || d < -tol {
				t.Fatalf("nc %d column %d: portable %v, exact %v", nc, c, port[c], want)
			}
		}
	}
}

func TestSqDist64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 15, 16, 17, 64, 1000, 1024} {
		x, y := make([]float64, n), make([]float64, n)
		want := 0.0
		for k := range x {
			x[k], y[k] = rng.NormFloat64(), rng.NormFloat64()
			e := x[k] - y[k]
			want += e * e
		}
		got := sqDist64(x, y)
		if d := got - want; d > float64(n+2)*0x1p-52*want || -d > float64(n+2)*0x1p-52*want {
			t.Fatalf("n %d: %v, want %v", n, got, want)
		}
	}
}
