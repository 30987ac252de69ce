package lrp_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/nn/nntest"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/explainers/lrp"
)

// refConfig is the rule configuration of reference/lrp/relevances.json
// ("params": epsilon 0.01, gamma 0.25, alpha 2, beta 1).
func refConfig(ref *nntest.Reference, rule, mode string) lrp.Config {
	return lrp.Config{Rule: lrp.Rule(rule), BiasIncluded: mode == "bias_included",
		Epsilon: ref.Params.Epsilon, Gamma: ref.Params.Gamma, Alpha: ref.Params.Alpha, Beta: ref.Params.Beta}
}

// close reports |a - b| <= 1e-12 max(1, |b|), the README-analysis.md
// tolerance for relevances.
func close(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// TestReferenceRelevances compares every rule × bias mode on the ten
// inputs of reference/lrp/inputs.json with relevances.json: input
// relevance, relevance at every layer, the sum and sum - logit.
func TestReferenceRelevances(t *testing.T) {
	ref := nntest.Load(t)
	for _, rule := range nntest.Rules {
		for _, mode := range nntest.BiasModes {
			t.Run(rule+"/"+mode, func(t *testing.T) {
				want := ref.Rules[rule][mode]
				ex, err := lrp.NewExplainer(ref.Net, refConfig(ref, rule, mode))
				if err != nil {
					t.Fatal(err)
				}
				res := ex.NewResult()
				worst := 0.0
				for i, x := range ref.Inputs {
					ex.Explain(x, res)
					for l, layer := range want.PerLayer[i] {
						if len(res.Layers[l]) != len(layer) {
							t.Fatalf("input %d, layer %d: %d relevances, reference %d", i, l, len(res.Layers[l]), len(layer))
						}
						for k, w := range layer {
							worst = max(worst, math.Abs(res.Layers[l][k]-w))
							if !close(res.Layers[l][k], w) {
								t.Errorf("input %d, layer %d, unit %d: R = %.17g, reference %.17g", i, l, k, res.Layers[l][k], w)
							}
						}
					}
					for j, w := range want.InputRelevance[i] {
						if !close(res.Input[j], w) {
							t.Errorf("input %d, feature %d: R = %.17g, reference %.17g", i, j, res.Input[j], w)
						}
					}
					if !close(res.Sum, want.Sum[i]) || !close(-res.Lost, want.SumMinusLogit[i]) {
						t.Errorf("input %d: sum %.17g lost %.17g, reference sum %.17g, sum - logit %.17g", i, res.Sum, res.Lost, want.Sum[i], want.SumMinusLogit[i])
					}
				}
				t.Logf("max |ΔR| = %.2g", worst)
			})
		}
	}
}

// TestReferenceIdentities checks the identities of README-analysis.md
// ("Identities (verified)") with our implementation, with the values of
// checks_numpy.json where it gives them.
func TestReferenceIdentities(t *testing.T) {
	ref := nntest.Load(t)
	explain := func(net *nn.Network, rule lrp.Rule, included bool, x []float64) *lrp.Result {
		cfg := refConfig(ref, string(rule), "bias_excluded")
		cfg.BiasIncluded = included
		ex, err := lrp.NewExplainer(net, cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := ex.NewResult()
		ex.Explain(x, r)
		return r
	}
	gxi := func(net *nn.Network, x []float64) []float64 {
		tr := net.NewTrace()
		net.Forward(x, tr)
		g := make([]float64, len(x))
		net.InputGradient(tr, g)
		for j := range g {
			g[j] *= x[j]
		}
		return g
	}
	zero := ref.Net.Clone()
	for l := range zero.Layers {
		clear(zero.Layers[l].B)
	}
	var maxGXI, maxGXIExcluded, maxConsLRP0, maxConsGamma, maxConsGen, maxZeroGXI, maxZeroCons float64
	for i, x := range ref.Inputs {
		g := gxi(ref.Net, x)
		a := explain(ref.Net, lrp.LRP0, true, x)
		b := explain(ref.Net, lrp.LRP0, false, x)
		for j := range g {
			maxGXI = max(maxGXI, math.Abs(a.Input[j]-g[j]))
			maxGXIExcluded = max(maxGXIExcluded, math.Abs(b.Input[j]-g[j]))
		}
		maxConsLRP0 = max(maxConsLRP0, math.Abs(b.Lost))
		maxConsGamma = max(maxConsGamma, math.Abs(explain(ref.Net, lrp.Gamma, false, x).Lost))
		maxConsGen = max(maxConsGen, math.Abs(explain(ref.Net, lrp.GammaGeneralized, false, x).Lost))
		gz := gxi(zero, x)
		for _, inc := range []bool{true, false} {
			z := explain(zero, lrp.LRP0, inc, x)
			for j := range gz {
				maxZeroGXI = max(maxZeroGXI, math.Abs(z.Input[j]-gz[j]))
			}
			maxZeroCons = max(maxZeroCons, math.Abs(z.Lost))
		}
		_ = i
	}
	checks := []struct {
		name     string
		got, lim float64
	}{
		{"LRP-0 bias included = gradient×input", maxGXI, 1e-12},
		{"LRP-0 bias excluded conserves", maxConsLRP0, 1e-12},
		{"LRP-γ bias excluded conserves", maxConsGamma, 1e-12},
		{"generalised γ bias excluded conserves", maxConsGen, 1e-12},
		{"zero-bias copy: LRP-0 = gradient×input", maxZeroGXI, 1e-12},
		{"zero-bias copy: LRP-0 conserves", maxZeroCons, 1e-12},
	}
	for _, c := range checks {
		if c.got > c.lim {
			t.Errorf("%s: max deviation %.2g > %.0g", c.name, c.got, c.lim)
		}
		t.Logf("%s: %.2g", c.name, c.got)
	}
	// The identity that must fail with nonzero biases (reference: 15.7).
	if want := ref.Check(t, "lrp0_bias_excluded_vs_gradient_x_input_maxabs"); math.Abs(maxGXIExcluded-want) > 1e-11 {
		t.Errorf("LRP-0 bias excluded vs gradient×input: max |Δ| %v, reference %v", maxGXIExcluded, want)
	}
}

// TestReferenceLostRelevance: the lost relevance (logit - sum) of every
// rule and mode has the maximum of checks_numpy.json; for z+ without
// biases all of it is dropped by neurons without positive contributions,
// which the layer reports account for exactly.
func TestReferenceLostRelevance(t *testing.T) {
	ref := nntest.Load(t)
	for _, rule := range nntest.Rules {
		for _, mode := range nntest.BiasModes {
			ex, err := lrp.NewExplainer(ref.Net, refConfig(ref, rule, mode))
			if err != nil {
				t.Fatal(err)
			}
			res := ex.NewResult()
			worst := 0.0
			for i, x := range ref.Inputs {
				ex.Explain(x, res)
				worst = max(worst, math.Abs(res.Lost))
				// The layer reports add up to the total loss.
				acc := 0.0
				for _, r := range res.Report {
					acc += r.Out - r.In
				}
				if math.Abs(acc-res.Lost) > 1e-12 {
					t.Errorf("%s/%s input %d: layer balances add to %v, lost %v", rule, mode, i, acc, res.Lost)
				}
				if rule == "zplus" && mode == "bias_excluded" {
					dropped := 0.0
					for _, r := range res.Report {
						dropped += r.Dropped
					}
					if math.Abs(dropped-res.Lost) > 1e-12 {
						t.Errorf("zplus/bias_excluded input %d: dropped %v, lost %v", i, dropped, res.Lost)
					}
				}
			}
			key := fmt.Sprintf("%s_%s_max_abs_sum_minus_logit", rule, mode)
			if want := ref.Check(t, key); math.Abs(worst-want) > 1e-12 {
				t.Errorf("%s: max |lost| %v, checks_numpy.json %v", key, worst, want)
			}
		}
	}
}

// TestBatchMatchesSingle: Batch (the plugin path) gives the same numbers
// as Explain for every input, for 1 and 2 workers.
func TestBatchMatchesSingle(t *testing.T) {
	ref := nntest.Load(t)
	var raw []float64
	for _, x := range ref.Inputs {
		raw = append(raw, x...)
	}
	cfg := refConfig(ref, "alphabeta", "bias_included")
	ex, _ := lrp.NewExplainer(ref.Net, cfg)
	res := ex.NewResult()
	for _, w := range []int{1, 2} {
		expl, sum, err := lrp.Batch(context.Background(), ref.Net, cfg, raw, w, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range ref.Inputs {
			ex.Explain(x, res)
			for j := range x {
				if expl.Relevance[i*6+j] != res.Input[j] {
					t.Errorf("workers %d input %d feature %d: %v vs %v", w, i, j, expl.Relevance[i*6+j], res.Input[j])
				}
			}
			if expl.Output[i] != res.Logit || expl.Sum[i] != res.Sum || expl.Lost[i] != res.Lost {
				t.Errorf("workers %d input %d: output/sum/lost differ", w, i)
			}
		}
		if want := ref.Check(t, "alphabeta_bias_included_max_abs_sum_minus_logit"); sum.Jets != 10 || math.Abs(sum.MaxAbsLost-want) > 1e-12 {
			t.Errorf("summary %+v", sum)
		}
	}
}

// TestReferenceCSV compares with the CSV forms of the reference:
// relevances.csv (rule, bias_mode, input, R0..R5, sum_R, logit) and
// gradient_x_input.csv (LRP-0 with bias = gradient × input), 1e-12
// relative to max(1, |R|).
func TestReferenceCSV(t *testing.T) {
	ref := nntest.Load(t)
	read := func(name string) [][]string { return sharedtest.ReadCSV(t, "reference/lrp/"+name)[1:] }
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rows := read("relevances.csv")
	if len(rows) != len(nntest.Rules)*len(nntest.BiasModes)*10 {
		t.Fatalf("relevances.csv has %d rows", len(rows))
	}
	for _, row := range rows {
		ex, err := lrp.NewExplainer(ref.Net, refConfig(ref, row[0], row[1]))
		if err != nil {
			t.Fatal(err)
		}
		res := ex.NewResult()
		i, _ := strconv.Atoi(row[2])
		ex.Explain(ref.Inputs[i], res)
		for j := 0; j < 6; j++ {
			if want := num(row[3+j]); !close(res.Input[j], want) {
				t.Errorf("%s/%s input %d R%d: %v, relevances.csv %v", row[0], row[1], i, j, res.Input[j], want)
			}
		}
		if !close(res.Sum, num(row[9])) || math.Abs(res.Logit-num(row[10])) > 1e-14 {
			t.Errorf("%s/%s input %d: sum %v logit %v, relevances.csv %s %s", row[0], row[1], i, res.Sum, res.Logit, row[9], row[10])
		}
	}
	ex, _ := lrp.NewExplainer(ref.Net, lrp.Config{Rule: lrp.LRP0, BiasIncluded: true})
	res := ex.NewResult()
	for _, row := range read("gradient_x_input.csv") {
		i, _ := strconv.Atoi(row[0])
		ex.Explain(ref.Inputs[i], res)
		for j := 0; j < 6; j++ {
			if want := num(row[1+j]); math.Abs(res.Input[j]-want) > 1e-14 {
				t.Errorf("input %d gxi%d: LRP-0 %v, gradient_x_input.csv %v", i, j, res.Input[j], want)
			}
		}
	}
}
