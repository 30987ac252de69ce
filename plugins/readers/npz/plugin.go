// Package npz is the reader plugin for the EnergyFlow quark/gluon .npz
// layout: X of shape (N, M, 4) = (pt, y, phi, pid), zero-padded, and y
// labels (1 = quark), as written by numpy.savez or savez_compressed. It
// streams the jets in batches through the shared selection options (see
// package selection).
package npz

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// Name is the plugin's name; Version its version.
const (
	Name    = "npz"
	Version = "0.1.0"
)

// DefaultBatchSize is the number of jets per emitted batch when the
// request does not say.
const DefaultBatchSize = 1000

// Reader is the npz reader plugin. The zero value is ready to use.
type Reader struct{}

// New returns the npz reader plugin.
func New() *Reader { return &Reader{} }

var _ plugin.Reader = (*Reader)(nil)

// Info describes the plugin and its parameters.
func (*Reader) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindReader,
		Name:       Name,
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "Reads jets from EnergyFlow-layout .npz files (X (N, M, 4) = pt, y, phi, pid; y labels)",
		Doc:        doc,
		Params:     Spec(),
	}
}

const doc = `Reads labelled jets from numpy ` + "`.npz`" + ` archives in the EnergyFlow quark/gluon layout, the format of the
public ` + "`qg_jets`" + ` samples and of the files in ` + "`shared/data`" + `.

**Layout.** ` + "`X`" + ` (name set by ` + "`x_key`" + `) has shape (N, M, 4) with columns pt [GeV], rapidity y, azimuth phi [rad]
and PDG id (stored as a float), float32 or float64, C order. Rows with pt == 0 are padding and are dropped
wherever they occur; the other rows are kept in their stored order (not re-sorted) and phi is kept as stored
(not wrapped). ` + "`y`" + ` (` + "`y_key`" + `) has shape (N,) and any numeric dtype (float64, int32, bool, ...); every label must be
0 (gluon) or 1 (quark). Optional (N,) members can be read as per-jet weights (` + "`weight_key`" + `) and aux columns
(` + "`aux_keys`" + `), which is how the engine's own ` + "`jets.npz`" + ` exports round-trip. Members may be stored or
DEFLATE-compressed.

**Files.** ` + "`path`" + ` is one file or a glob; several files are read in sorted name order and concatenated (the
selection, including ` + "`source_index`" + `, runs over the concatenated stream).

**Streaming.** Jets are read and emitted in batches of the request's batch size (default 1000), so memory is
one batch plus whatever the selection holds (a random subsample). With ` + "`sample: first`" + ` reading stops as soon
as the requested counts are filled.

**Errors** name the file and say what is wrong: wrong shape ("X in FILE has shape (100, 49) but must be (N, M, 4)"),
N differing between X and y, a label other than 0/1 or a non-integer pid (with the jet row), truncated or corrupted
archives, and (with ` + "`validate`" + `, the default) NaN/Inf values, negative pt or empty jets (with the jet index).

The selection options (counts, pT and rapidity cuts, random subsample, train/test split) are those shared by every
reader; see their parameter docs.`

// Spec returns the parameter specification: the file options followed by
// selection.Spec().
func Spec() plugin.Spec {
	s := plugin.Spec{
		{Name: "path", Type: plugin.TypePath, Required: true,
			Doc: "The .npz file, or a glob matching several (read in sorted order and concatenated)."},
		{Name: "x_key", Type: plugin.TypeString, Default: "X",
			Doc: "Name of the (N, M, 4) particle array (pt, y, phi, pid), with or without .npy."},
		{Name: "y_key", Type: plugin.TypeString, Default: "y",
			Doc: "Name of the (N,) label array (1 = quark, 0 = gluon)."},
		{Name: "weight_key", Type: plugin.TypeString, Default: "",
			Doc: "Name of an (N,) array of per-jet weights; empty = every weight is 1."},
		{Name: "aux_keys", Type: plugin.TypeStringList, Default: []string{},
			Doc: "Names of (N,) arrays to read as per-jet aux columns of the same name (source_index is replaced by the selection's)."},
	}
	return append(s, selection.Spec()...)
}
