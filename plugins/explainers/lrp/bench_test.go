package lrp_test

import (
	"context"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/explainers/lrp"
)

// BenchmarkExplain: LRP throughput (jets/s) on the 500 small-sample jets
// with an XAUG-sized network (M = 30 → 90 low-level inputs, hidden
// [64, 32], 4 expert inputs joined before a [32] head; He-initialised
// weights with small biases), per rule, on all cores; the forward pass
// alone (Logits) is the baseline.
func BenchmarkExplain(b *testing.B) {
	jets := sharedtest.SmallSample(b)
	names := append(nn.LowLevelNames(30), "n_const", "sum_pt", "mass", "pTD")
	net, err := nn.Build(names, nn.Architecture{Hidden: []int{64, 32}, Head: []int{32}}, 1)
	if err != nil {
		b.Fatal(err)
	}
	for l := range net.Layers {
		for k := range net.Layers[l].B {
			net.Layers[l].B[k] = 0.01 * float64(k%5-2)
		}
	}
	lowX, err := nn.Matrix("bench", names[:90], jets, nil)
	if err != nil {
		b.Fatal(err)
	}
	n := jets.Len()
	raw := make([]float64, 0, n*len(names))
	for i := 0; i < n; i++ {
		v := jets.Jet(i)
		raw = append(raw, lowX[i*90:(i+1)*90]...)
		raw = append(raw, float64(len(v.Pt)), v.SumPt(), 50, 0.3)
	}
	b.Run("forward-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := net.Logits(raw, 0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "jets/s")
	})
	for _, rule := range lrp.AllRules {
		b.Run(string(rule), func(b *testing.B) {
			cfg := lrp.Config{Rule: rule, BiasIncluded: true, Epsilon: 0.01, Gamma: 0.25, Alpha: 2, Beta: 1}
			for i := 0; i < b.N; i++ {
				if _, _, err := lrp.Batch(context.Background(), net, cfg, raw, 0, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "jets/s")
		})
	}
}
