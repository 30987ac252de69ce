package roc

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func benchData(n int) ([]int8, []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	y := make([]int8, n)
	s := make([]float64, n)
	for i := range y {
		y[i] = int8(rng.IntN(2))
		s[i] = rng.NormFloat64() + float64(y[i])
	}
	return y, s
}

// BenchmarkAUC1e6 measures New + AUC on 1e6 continuous scores.
func BenchmarkAUC1e6(b *testing.B) {
	y, s := benchData(1_000_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := AUC(y, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAUC1e6Ranked measures AUC on an already ranked Sample (the
// cost of one bootstrap replicate without the resampling).
func BenchmarkAUC1e6Ranked(b *testing.B) {
	y, s := benchData(1_000_000)
	smp, _ := New(y, s, nil)
	b.ResetTimer()
	for b.Loop() {
		if _, err := smp.AUC(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBootstrap1e4x200 measures 200 replicates on 1e4 scores.
func BenchmarkBootstrap1e4x200(b *testing.B) {
	y, s := benchData(10_000)
	smp, _ := New(y, s, nil)
	b.ResetTimer()
	for b.Loop() {
		if _, err := smp.Bootstrap(BootstrapConfig{N: 200, Confidence: 0.68, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineSortFloats1e6 is the baseline: slices.Sort of the same
// 1e6 float64 scores (a comparison sort, no labels, no AUC).
func BenchmarkBaselineSortFloats1e6(b *testing.B) {
	_, s := benchData(1_000_000)
	buf := make([]float64, len(s))
	b.ResetTimer()
	for b.Loop() {
		copy(buf, s)
		slices.Sort(buf)
	}
}
