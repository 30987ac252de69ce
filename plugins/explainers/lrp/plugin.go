// Package lrp is the "lrp" explainer plugin: layerwise relevance
// propagation (Bach et al. 2015; Montavon et al. 2019) through the dense
// ReLU networks of core/nn (the mlp tagger's smearflow-mlp/1 models,
// including the expert variables joined before the head), with the rules
// LRP-0, LRP-ε, LRP-γ (original and generalised), z+ and αβ, biases kept
// in or excluded from the denominators, a conservation report and a
// feature ranking (Rank). The rules are exactly those of
// ../shared/reference/README-analysis.md ("lrp/").
package lrp

import "github.com/smearflow/smearflow/core/plugin"

// Version is the plugin version.
const Version = "0.1.0"

// Plugin is the lrp explainer.
type Plugin struct{}

// New returns the lrp explainer plugin.
func New() *Plugin { return &Plugin{} }

var spec = plugin.Spec{
	{Name: "rule", Type: plugin.TypeString, Default: string(Epsilon),
		Enum: []string{string(LRP0), string(Epsilon), string(Gamma), string(GammaGeneralized), string(ZPlus), string(AlphaBeta)},
		Doc:  "Propagation rule, the same on every dense layer: `lrp0`, `epsilon`, `gamma` (original: w + γ w⁺ everywhere), `gamma_generalized` (zennit ≥ 0.5 Gamma), `zplus` or `alphabeta`."},
	{Name: "bias", Type: plugin.TypeString, Default: "included", Enum: []string{"included", "excluded"},
		Doc: "`included`: the biases (as modified by the rule) enter the denominators, relevance leaks into them; `excluded`: they are 0 there (LRP-0 and LRP-γ then conserve). The forward pass always uses the real biases."},
	{Name: "epsilon", Type: plugin.TypeFloat, Default: 0.01, Min: plugin.Bound(1e-300), Max: plugin.Bound(1e6),
		Doc: "Stabiliser of `epsilon`: the denominator s becomes s + ε sign(s) with sign(0) = +1 (in units of the logit)."},
	{Name: "gamma", Type: plugin.TypeFloat, Default: 0.25, Min: plugin.Bound(0), Max: plugin.Bound(1e6),
		Doc: "γ of `gamma` and `gamma_generalized`."},
	{Name: "alpha", Type: plugin.TypeFloat, Default: 2.0, Min: plugin.Bound(0), Max: plugin.Bound(1e6),
		Doc: "α of `alphabeta` (weight of positive contributions; conservation needs α − β = 1)."},
	{Name: "beta", Type: plugin.TypeFloat, Default: 1.0, Min: plugin.Bound(0), Max: plugin.Bound(1e6),
		Doc: "β of `alphabeta` (weight of negative contributions)."},
}

const doc = `Layerwise relevance propagation for ` + "`smearflow-mlp/1`" + ` models (the mlp
tagger, or any network in that format, including reference/lrp/mlp.json).

The relevance put on the output is the **logit**. Each dense layer maps the
relevance R_k of its outputs to its inputs j (a_j the layer input, z_jk =
a_j w_jk, b_k the bias, b'_k = 0 when ` + "`bias: excluded`" + `; x/0 := 0):

| rule | R_j = |
|---|---|
| lrp0 | Σ_k z_jk / (Σ_i z_ik + b'_k) R_k |
| epsilon | Σ_k z_jk / (s_k + ε sign(s_k)) R_k, s_k = Σ_i z_ik + b'_k, sign(0) = +1 |
| gamma | Σ_k a_j w'_jk / (Σ_i a_i w'_ik + b''_k) R_k, w' = w + γ max(w, 0), b'' = b' + γ max(b', 0) |
| gamma_generalized | z_k > 0: (z_jk + γ z_jk⁺) / (Σ_i (z_ik + γ z_ik⁺) + b'_k + γ b'_k⁺); z_k < 0: the same with min; z_k = 0: nothing |
| zplus | Σ_k z⁺_jk / (Σ_i z⁺_ik + max(b'_k, 0)) R_k |
| alphabeta | Σ_k [α z⁺_jk / (Σ_i z⁺_ik + max(b'_k, 0)) − β z⁻_jk / (Σ_i z⁻_ik + min(b'_k, 0))] R_k |

ReLUs pass relevance unchanged. The expert variables, joined before the
head, receive their relevance at the first head layer; low-level inputs at
the first layer. Relevance is that of the network's (standardised)
inputs; zero-padded constituents get none.

Per jet the explanation holds every input's relevance, the output (logit),
their sum and the lost relevance (logit − sum: absorbed by biases and
stabilisers, dropped by neurons whose denominators are all 0 under z⁺ and
αβ, or created by αβ when a neuron has only positive or only negative
contributions). Identities: LRP-0 with the bias included equals gradient ×
input; with biases excluded LRP-0 and LRP-γ conserve (sum = logit).

The feature ranking (mean |R| per input over the jets) is ` + "`lrp.Rank`" + ` in Go.`

// Info describes the plugin.
func (*Plugin) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindExplainer,
		Name:       "lrp",
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "layerwise relevance propagation (LRP-0, ε, γ, z+, αβ; bias in or out) for mlp tagger models",
		Doc:        doc,
		Params:     spec,
	}
}
