// Package mlp is the "mlp" tagger plugin: the expert-augmented (XAUG)
// dense neural network of Agarwal et al. (arXiv:2011.13466). The leading
// constituents of each jet feed dense ReLU layers; the standardised
// expert variables are joined just before the final dense layers; the
// output is the logit of the quark probability. The network, its model
// file format and training live in core/nn.
package mlp

import "github.com/smearflow/smearflow/core/plugin"

// Version is the plugin version.
const Version = "0.1.0"

// Plugin is the mlp tagger.
type Plugin struct{}

// New returns the mlp tagger plugin.
func New() *Plugin { return &Plugin{} }

// Variants of the network inputs.
const (
	VariantLowLevel = "lowlevel"
	VariantExpert   = "expert"
	VariantBoth     = "both"
)

var spec = plugin.Spec{
	{Name: "variant", Type: plugin.TypeString, Default: VariantBoth, Enum: []string{VariantLowLevel, VariantExpert, VariantBoth},
		Doc: "Network inputs: `lowlevel` (leading constituents only), `expert` (expert variables only) or `both` (XAUG: expert variables joined before the head). `expert` and `both` need an expert table as the step's second input."},
	{Name: "constituents", Type: plugin.TypeInt, Default: int64(30), Min: plugin.Bound(1), Max: plugin.Bound(500),
		Doc: "M, the number of leading constituents (by pT) in the low-level input; each gives z = pT/ΣpT, Δy and Δφ to the pT-weighted jet centroid; shorter jets are zero-padded."},
	{Name: "hidden", Type: plugin.TypeIntList, Default: []int64{64, 32}, Min: plugin.Bound(1), Max: plugin.Bound(4096),
		Doc: "Widths of the dense ReLU layers of the low-level branch (before the expert variables are joined); unused by the `expert` variant."},
	{Name: "head", Type: plugin.TypeIntList, Default: []int64{32}, Min: plugin.Bound(1), Max: plugin.Bound(4096),
		Doc: "Widths of the dense ReLU layers after the join, before the linear output unit (may be empty)."},
	{Name: "epochs", Type: plugin.TypeInt, Default: int64(100), Min: plugin.Bound(1), Max: plugin.Bound(100000),
		Doc: "Maximum number of passes over the training set."},
	{Name: "batch_size", Type: plugin.TypeInt, Default: int64(128), Min: plugin.Bound(1), Max: plugin.Bound(1 << 20),
		Doc: "Jets per mini-batch."},
	{Name: "learning_rate", Type: plugin.TypeFloat, Default: 1e-3, Min: plugin.Bound(1e-9), Max: plugin.Bound(10),
		Doc: "Adam step size (β1 = 0.9, β2 = 0.999, ε = 1e-8)."},
	{Name: "patience", Type: plugin.TypeInt, Default: int64(10), Min: plugin.Bound(0), Max: plugin.Bound(100000),
		Doc: "Early stopping: stop after this many epochs without a lower validation loss (0: run every epoch). The weights of the best epoch are kept."},
	{Name: "validation_fraction", Type: plugin.TypeFloat, Default: 0.2, Min: plugin.Bound(0.01), Max: plugin.Bound(0.9),
		Doc: "Fraction of the training jets held out for validation when no validation set is given: within each class, in input order, every jet where ⌊(p+1)f⌋ > ⌊pf⌋ (p = position in the class); independent of the seed."},
	{Name: "expert_columns", Type: plugin.TypeStringList, Default: []string{},
		Doc: "Expert-table columns used as inputs; empty = every float column except jet_index, label and weight."},
	{Name: "model_file", Type: plugin.TypePath, Default: "",
		Doc: "Use this trained model (the documented smearflow-mlp/1 JSON format of core/nn, or the plain layer list of shared/reference/lrp/mlp.json) instead of training: every seed gets the same model, which is then evaluated and can be explained. Lets an analysis explain a network trained elsewhere whose weights were exported to that format."},
	{Name: "standardize_lowlevel", Type: plugin.TypeBool, Default: false,
		Doc: "Also standardise the low-level inputs (by default only expert variables are standardised, so zero padding stays exactly 0 and gets no relevance)."},
}

const doc = `A dense neural network tagger for quark/gluon jets with expert variables
joined before the final layers (the XAUG architecture of Agarwal et al.,
arXiv:2011.13466). Outputs are quark probabilities (sigmoid of the logit).

**Inputs.** Low-level: for the M = ` + "`constituents`" + ` hardest constituents (pT
descending, ties in input order) the features ` + "`cNN_z`" + ` = pT/ΣpT (sum over all
constituents), ` + "`cNN_dy`" + ` = y - y_axis and ` + "`cNN_dphi`" + ` = φ - φ_axis wrapped to
[-π, π], with the pT-weighted centroid as the axis; NN counts from 00 (the
hardest); missing constituents are zero. Expert: the columns of the expert
table (one row per jet, in jet order), standardised with the training
mean and standard deviation (a constant column is only centred).

**Network.** Low-level inputs → ` + "`hidden`" + ` dense ReLU layers → concatenated with
the expert variables → ` + "`head`" + ` dense ReLU layers → one linear unit (the logit).
The ` + "`expert`" + ` variant is expert → head → logit. The concatenation is stored
as input routing: the first head layer's W has rows for the branch
outputs followed by rows for the expert variables (core/nn model format).

**Training.** Adam on the weighted binary cross-entropy of the logit
(jet weights), He-initialised weights (N(0, 2/fan_in), zero biases),
mini-batches from a seeded shuffle, early stopping on the validation loss
keeping the best epoch. One model per seed of the step; the result is
bit-identical for a seed whatever the number of cores. ` + "`Keep`" + ` (reduced-set
retraining) restricts the inputs to the named features; a variant left
without low-level (or expert) inputs drops that branch.

**Outputs.** Model format ` + "`smearflow-mlp/1`" + ` (documented JSON, see core/nn);
history per epoch: epoch, train_loss, val_loss, val_auc.`

// Info describes the plugin.
func (*Plugin) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindTagger,
		Name:       "mlp",
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "dense neural network on leading constituents with expert variables joined before the head (XAUG)",
		Doc:        doc,
		Params:     spec,
	}
}
