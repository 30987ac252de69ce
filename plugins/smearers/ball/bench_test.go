package ball

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/roc"
)

// synthetic returns an n×n Euclidean distance matrix of points in R^6
// (signal points shifted by 0.3 along every axis) and their labels.
func synthetic(n int) (*neighbors.Matrix, []int8) {
	rng := rand.New(rand.NewPCG(4, 5))
	const dim = 6
	x := make([]float64, n*dim)
	labels := make([]int8, n)
	for i := 0; i < n; i++ {
		labels[i] = int8(i % 2)
		for k := 0; k < dim; k++ {
			x[i*dim+k] = rng.NormFloat64() + 0.3*float64(labels[i])
		}
	}
	d := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			var s float64
			for k := 0; k < dim; k++ {
				t := x[i*dim+k] - x[j*dim+k]
				s += t * t
			}
			d[i*n+j] = math.Sqrt(s) / 10
			d[j*n+i] = d[i*n+j]
		}
	}
	m, err := neighbors.MatrixSpace(n, d)
	if err != nil {
		panic(err)
	}
	return m, labels
}

// BenchmarkKFoldBall4000 is the whole K-fold ball smearing of 4000 jets
// over a precomputed matrix: 10-fold reference sets, counts at the 25
// default radii, scores, and per point the AUC, rejection and (with
// n_boot = 200, the host default) bootstrap bands.
func BenchmarkKFoldBall4000(b *testing.B) {
	m, labels := synthetic(4000)
	sm := New()
	params, err := sm.Info().Params.Resolve(nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, nb := range []int{0, 200} {
		name := map[int]string{0: "nboot0", 200: "nboot200"}[nb]
		b.Run(name, func(b *testing.B) {
			cfg := neighbors.SmearConfig{Bootstrap: roc.BootstrapConfig{N: nb, Confidence: 0.68, Seed: 1}}
			var res *neighbors.Result
			for b.Loop() {
				res, err = neighbors.Smear(context.Background(), m, labels, nil, cfg, sm, params)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.PerPoint[res.Best()].AUC, "best_auc")
			b.ReportMetric(float64(res.Stats.BytesHeld), "bytes_held")
		})
	}
}

// BenchmarkBaselineSerialKFoldCounts is the baseline for
// BenchmarkKFoldBall4000: one goroutine, a plain double loop over the
// unordered pairs of the same matrix with the fold test and the same
// per-class histogram over the 25 radii (counts only: no scores, no ROC).
func BenchmarkBaselineSerialKFoldCounts(b *testing.B) {
	const n = 4000
	m, labels := synthetic(n)
	fold := neighbors.Folds(labels, 10, false, 0)
	params, _ := New().Info().Params.Resolve(nil)
	radii := params.Floats("eps")
	R := len(radii)
	hist := make([]float64, n*2*R)
	for b.Loop() {
		clear(hist)
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if fold[i] == fold[j] {
					continue
				}
				d := m.At(i, j)
				if d > radii[R-1] {
					continue
				}
				k, _ := slices.BinarySearch(radii, d)
				hist[(i*2+int(labels[j]))*R+k]++
				hist[(j*2+int(labels[i]))*R+k]++
			}
		}
	}
}
