package semd

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/parallel"
)

// LowerBound returns the K-bin embedding (K = bound_bins): v_i =
// sqrt(T/K)·(averages of Q_i over the K equal bins of t ∈ [0, T]) and r_i =
// ‖Q_i − its bin-average step function‖ (L2 on [0, T]), so that
// |v_i − v_j| ≤ SEMD(i, j) ≤ |v_i − v_j| + r_i + r_j. Both are computed
// exactly from the sorted spectrum (r directly as Σ step·(ω − bin mean)²,
// without cancellation). It is computed once and shared; callers must not
// modify it. It is an error when the jets' total spectral weights differ
// (GeV energies with unequal Σpt).
func (s *Space) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.boundOnce.Do(func() { s.bound, s.boundErr = s.lowerBound() })
	return s.bound, s.boundErr
}

func (s *Space) lowerBound() (*plugin.Embedding, error) {
	if !s.equal {
		return nil, fmt.Errorf("semd: no lower-bound embedding for GeV energies with unequal total weights (Σpt)²: " +
			"the padding entry depends on the pair, so no per-jet embedding bounds SEMD from both sides; use normalize: true")
	}
	k := s.opt.BoundBins
	n := s.Len()
	emb := &plugin.Embedding{Dim: k, Vectors: make([]float64, n*k), Residuals: make([]float64, n), Orthogonal: true, Monotone: true}
	// Jets in parallel, each written to its own rows: the result does not
	// depend on the number of workers.
	type scratch struct{ integ, mean []float64 }
	parallel.ForEach(context.Background(), n, 0, func() scratch { return scratch{make([]float64, k), make([]float64, k)} }, func(i int, sc scratch) {
		emb.Residuals[i] = binAverages(s.spectrum(i), s.total[i], emb.Vectors[i*k:(i+1)*k], sc.integ, sc.mean)
	})
	return emb, nil
}

// binAverages writes v_k = sqrt(T/K)·(average of Q over bin k) for the K =
// len(v) equal bins of [0, T] (sqrt of each bin's actual width, which the
// rounding of T·b/K makes equal to T/K within an ulp) and returns the residual norm
// ‖Q − bin-average step function‖.
func binAverages(spec []entry, T float64, v, integ, mean []float64) float64 {
	k := len(v)
	n := len(spec) - 1
	// First pass: integrals of Q over each bin.
	edge := func(b int) float64 {
		if b == k {
			return T
		}
		return T * float64(b) / float64(k)
	}
	clear(integ)
	forSegments(spec[:n], k, edge, func(b int, lo, hi, w float64) { integ[b] += (hi - lo) * w })
	for b := range integ {
		mean[b] = integ[b] / (edge(b+1) - edge(b))
	}
	res := 0.0
	forSegments(spec[:n], k, edge, func(b int, lo, hi, w float64) {
		d := w - mean[b]
		res += (hi - lo) * d * d
	})
	for b := range v {
		v[b] = math.Sqrt(edge(b+1)-edge(b)) * mean[b]
	}
	return math.Sqrt(res)
}

// forSegments calls f(bin, lo, hi, ω) for every piece of the step function
// of spec (without sentinel) intersected with the bins [edge(b), edge(b+1)).
func forSegments(spec []entry, k int, edge func(int) float64, f func(b int, lo, hi, w float64)) {
	b := 0
	t := 0.0
	for _, e := range spec {
		for t < e.c && b < k {
			hi := min(e.c, edge(b+1))
			if hi > t {
				f(b, t, hi, e.w)
			}
			t = hi
			if t >= edge(b+1) {
				b++
			}
		}
	}
}
