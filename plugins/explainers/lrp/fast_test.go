package lrp

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
)

// TestFastMatchesNaive compares the optimised propagation with the
// direct transcription of the rules (naive_test.go) on a random XAUG
// network (8 low-level inputs → [7, 5], 3 expert inputs joined before a
// [4] head) with random biases and inputs of both signs and exact zeros,
// for every rule and bias mode: per layer to 1e-12 relative, dropped
// relevance and dropped units identical.
func TestFastMatchesNaive(t *testing.T) {
	feats := append(nn.LowLevelNames(3)[:8], "mass", "n_const", "pTD")
	net, err := nn.Build(feats, nn.Architecture{Hidden: []int{7, 5}, Head: []int{4}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 5))
	for l := range net.Layers {
		for k := range net.Layers[l].B {
			net.Layers[l].B[k] = 0.3 * rng.NormFloat64()
		}
	}
	var inputs [][]float64
	for i := 0; i < 200; i++ {
		x := make([]float64, len(feats))
		for j := range x {
			if rng.Float64() > 0.2 {
				x[j] = rng.NormFloat64()
			}
		}
		inputs = append(inputs, x)
	}
	dropped := 0
	for _, rule := range AllRules {
		for _, inc := range []bool{true, false} {
			cfg := Config{Rule: rule, BiasIncluded: inc, Epsilon: 0.05, Gamma: 0.3, Alpha: 1.5, Beta: 0.5}
			fast, err := NewExplainer(net, cfg)
			if err != nil {
				t.Fatal(err)
			}
			slow := fast.Clone()
			slow.naive = (*Explainer).layerNaive
			rf, rs := fast.NewResult(), slow.NewResult()
			for i, x := range inputs {
				fast.Explain(x, rf)
				slow.Explain(x, rs)
				for l := range rs.Layers {
					for k, want := range rs.Layers[l] {
						if got := rf.Layers[l][k]; math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
							t.Fatalf("%s bias %v input %d layer %d unit %d: %v, naive %v", rule, inc, i, l, k, got, want)
						}
					}
				}
				for l := range rs.Report {
					if rf.Report[l].DroppedUnits != rs.Report[l].DroppedUnits || math.Abs(rf.Report[l].Dropped-rs.Report[l].Dropped) > 1e-12 {
						t.Fatalf("%s bias %v input %d layer %d: report %+v, naive %+v", rule, inc, i, l, rf.Report[l], rs.Report[l])
					}
					dropped += rs.Report[l].DroppedUnits
				}
			}
		}
	}
	if dropped == 0 {
		t.Error("no neuron dropped relevance: the zero-denominator path is not exercised")
	}
}

// BenchmarkLayerPropagation compares the optimised propagation with the
// direct transcription (naive_test.go) on one goroutine, for an
// XAUG-sized network (90 low-level inputs with 30% zeros → [64, 32],
// 4 expert inputs joined before a [32] head); jets/s.
func BenchmarkLayerPropagation(b *testing.B) {
	feats := append(nn.LowLevelNames(30), "mass", "n_const", "pTD", "girth")
	net, err := nn.Build(feats, nn.Architecture{Hidden: []int{64, 32}, Head: []int{32}}, 2)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 5))
	x := make([]float64, len(feats))
	for j := range x {
		if rng.Float64() > 0.3 {
			x[j] = rng.NormFloat64()
		}
	}
	for _, rule := range []Rule{LRP0, AlphaBeta} {
		for _, naive := range []bool{false, true} {
			name := string(rule) + "/fast"
			if naive {
				name = string(rule) + "/naive"
			}
			b.Run(name, func(b *testing.B) {
				e, err := NewExplainer(net, Config{Rule: rule, BiasIncluded: true, Alpha: 2, Beta: 1})
				if err != nil {
					b.Fatal(err)
				}
				if naive {
					e.naive = (*Explainer).layerNaive
				}
				r := e.NewResult()
				for i := 0; i < b.N; i++ {
					e.Explain(x, r)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jets/s")
			})
		}
	}
}
