// Package nntest loads the independent LRP reference of
// ../shared/reference/lrp (README-analysis.md, "lrp/") for tests of
// core/nn and of the lrp explainer: the 6→5→4→1 network of mlp.json, the
// ten inputs of inputs.json and every value of relevances.json and
// checks_numpy.json.
package nntest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// Rules are the rule keys of relevances.json, BiasModes its bias modes.
var (
	Rules     = []string{"lrp0", "epsilon", "gamma", "gamma_generalized", "zplus", "alphabeta"}
	BiasModes = []string{"bias_included", "bias_excluded"}
)

// RuleResult is relevances.json rules[rule][bias_mode].
type RuleResult struct {
	InputRelevance [][]float64   `json:"input_relevance"`     // [input][feature]
	Sum            []float64     `json:"sum"`                 // [input]
	SumMinusLogit  []float64     `json:"sum_minus_logit"`     // [input]
	PerLayer       [][][]float64 `json:"relevance_per_layer"` // [input][layer][unit]: input, hidden 1, hidden 2, [logit]
}

// Reference is the content of reference/lrp.
type Reference struct {
	ModelJSON []byte      // mlp.json as stored
	Net       *nn.Network // mlp.json loaded by nn.Unmarshal
	Inputs    [][]float64 // inputs.json
	Params    struct {
		Epsilon, Gamma, Alpha, Beta float64
	}
	Logit                []float64
	HiddenPreactivations [][][]float64 // [input][hidden layer][unit]
	Gradient             [][]float64
	GradientXInput       [][]float64
	Rules                map[string]map[string]RuleResult
	Checks               map[string]any // checks_numpy.json
}

// Load reads reference/lrp (skipping the test when ../shared is absent).
func Load(t testing.TB) *Reference {
	t.Helper()
	r := &Reference{}
	read := func(name string, v any) []byte {
		p := sharedtest.Path(t, "reference/lrp/"+name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if v != nil {
			if err := json.Unmarshal(b, v); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
		return b
	}
	r.ModelJSON = read("mlp.json", nil)
	net, err := nn.Unmarshal(r.ModelJSON)
	if err != nil {
		t.Fatalf("reference/lrp/mlp.json: %v", err)
	}
	r.Net = net
	var in struct{ Inputs [][]float64 }
	read("inputs.json", &in)
	r.Inputs = in.Inputs
	var rel struct {
		Params struct {
			Epsilon float64 `json:"epsilon"`
			Gamma   float64 `json:"gamma"`
			Alpha   float64 `json:"alpha"`
			Beta    float64 `json:"beta"`
		} `json:"params"`
		Logit                []float64                        `json:"logit"`
		HiddenPreactivations [][][]float64                    `json:"hidden_preactivations"`
		Gradient             [][]float64                      `json:"gradient"`
		GradientXInput       [][]float64                      `json:"gradient_x_input"`
		Rules                map[string]map[string]RuleResult `json:"rules"`
	}
	read("relevances.json", &rel)
	r.Params.Epsilon, r.Params.Gamma, r.Params.Alpha, r.Params.Beta = rel.Params.Epsilon, rel.Params.Gamma, rel.Params.Alpha, rel.Params.Beta
	r.Logit, r.HiddenPreactivations, r.Gradient, r.GradientXInput, r.Rules = rel.Logit, rel.HiddenPreactivations, rel.Gradient, rel.GradientXInput, rel.Rules
	read("checks_numpy.json", &r.Checks)
	if len(r.Inputs) != 10 || len(r.Logit) != 10 || len(r.Rules) != len(Rules) {
		t.Fatalf("reference/lrp: unexpected content (%d inputs, %d logits, %d rules)", len(r.Inputs), len(r.Logit), len(r.Rules))
	}
	return r
}

// Check returns a float of checks_numpy.json.
func (r *Reference) Check(t testing.TB, key string) float64 {
	t.Helper()
	v, ok := r.Checks[key].(float64)
	if !ok {
		t.Fatalf("checks_numpy.json has no number %q", key)
	}
	return v
}
