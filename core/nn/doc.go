// Package nn is smearflow's small dense neural network: the
// expert-augmented (XAUG) quark/gluon tagger of Agarwal et al.
// (arXiv:2011.13466), its documented JSON model format, feature building
// from jets and expert tables, and deterministic training.
//
// A Network is a chain of dense layers (ReLU hidden layers, one linear
// output unit: the logit) with input routing: each layer's input is the
// previous layer's output followed by the network inputs routed to it
// (Layer.Inputs). The low-level constituent features are routed to the
// first layer, the standardised expert variables to the first layer after
// the low-level branch, which is exactly the XAUG concatenation and lets
// layerwise relevance propagation treat the concatenation without
// pass-through units (plugins/explainers/lrp).
//
// Low-level features of constituent i (from 0, pt descending) are named
// cII_z (pt fraction), cII_dy and cII_dphi (relative to the pt-weighted
// centroid, Δφ wrapped); every other feature name is an expert-table
// column (Matrix). Build makes an He-initialised network, Train fits it
// with Adam on the binary cross-entropy with early stopping, bit-identical
// for a seed whatever the number of workers, and Marshal/Unmarshal read
// and write the "smearflow-mlp/1" model format (README.md), which also
// accepts the layout of reference/lrp/mlp.json.
package nn
