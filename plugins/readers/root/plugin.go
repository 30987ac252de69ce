// Package root is the reader plugin for jets stored in ROOT TTrees, read
// with go-hep's pure-Go groot: one tree entry per jet, with jagged
// (variable-length) branches for the constituents' pt, rapidity or
// pseudorapidity, azimuth and PDG id, and scalar label and weight
// branches. Branch names are parameters; leaves may be float32 or float64
// (integers for ids and labels). Entries are streamed through rtree
// readers and the shared selection; see README.md.
package root

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// Name is the plugin's name; Version its version.
const (
	Name    = "root"
	Version = "0.1.0"
)

// Reader is the root reader plugin. The zero value is ready to use.
type Reader struct{}

// New returns the root reader plugin.
func New() *Reader { return &Reader{} }

var _ plugin.Reader = (*Reader)(nil)

// Info describes the plugin and its parameters.
func (*Reader) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindReader,
		Name:       Name,
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "Jets from ROOT TTrees (one entry per jet, jagged constituent branches) via go-hep groot",
		Doc:        doc,
		Params:     Spec(),
	}
}

// Parameter names.
const (
	ParamPath         = "path"
	ParamTree         = "tree"
	ParamPtBranch     = "pt_branch"
	ParamYBranch      = "y_branch"
	ParamEtaBranch    = "eta_branch"
	ParamPhiBranch    = "phi_branch"
	ParamPIDBranch    = "pid_branch"
	ParamLabel        = "label"
	ParamLabelBranch  = "label_branch"
	ParamWeightBranch = "weight_branch"
	ParamUnknownMass  = "unknown_mass"
	ParamSort         = "sort_constituents"
)

// Aux column names set on every jet (besides selection's source_index).
const (
	AuxEntry     = "entry"      // entry number in the tree
	AuxFileIndex = "file_index" // index of the file in the resolved input list
)

// Spec returns the parameter specification: the plugin's own parameters
// followed by the shared selection parameters.
func Spec() plugin.Spec {
	s := plugin.Spec{
		{Name: ParamPath, Type: plugin.TypePath, Required: true,
			Doc: "ROOT file or glob; files matching a glob are read in lexical order, each must hold the tree."},
		{Name: ParamTree, Type: plugin.TypeString, Default: "",
			Doc: "Name of the TTree (may include directories, `dir/jets`); empty = the file's only TTree."},
		{Name: ParamPtBranch, Type: plugin.TypeString, Default: "pt",
			Doc: "Jagged branch of constituent transverse momenta [GeV] (float32 or float64)."},
		{Name: ParamYBranch, Type: plugin.TypeString, Default: "",
			Doc: "Jagged branch of constituent rapidities. Give exactly one of `y_branch` and `eta_branch`."},
		{Name: ParamEtaBranch, Type: plugin.TypeString, Default: "",
			Doc: "Jagged branch of constituent pseudorapidities, converted to rapidity with the PDG mass of each constituent's pid: y = asinh(pt sinh(eta) / sqrt(pt^2 + m^2)). Without `pid_branch` constituents are massless (y = eta)."},
		{Name: ParamPhiBranch, Type: plugin.TypeString, Default: "phi",
			Doc: "Jagged branch of constituent azimuths [rad]."},
		{Name: ParamPIDBranch, Type: plugin.TypeString, Default: "",
			Doc: "Optional jagged branch of constituent PDG ids (integer or float leaves holding integers); empty = ids are 0 (unknown)."},
		{Name: ParamLabel, Type: plugin.TypeString, Default: "branch", Enum: []string{"branch", "quark", "gluon"},
			Doc: "Where labels come from: the scalar `label_branch` (1 = quark, 0 = gluon), or one label for every jet of the files."},
		{Name: ParamLabelBranch, Type: plugin.TypeString, Default: "label",
			Doc: "Scalar label branch (integer, bool or float leaf) used when `label` is `branch`; values must be 0 or 1."},
		{Name: ParamWeightBranch, Type: plugin.TypeString, Default: "",
			Doc: "Optional scalar weight branch (finite, non-negative); empty = weight 1."},
		{Name: ParamUnknownMass, Type: plugin.TypeString, Default: "error", Enum: []string{"error", "massless"},
			Doc: "With `eta_branch` and `pid_branch`: a pid without a tabulated mass (γ, e, μ, π±, K±, K0L, p, n are known) is an `error` naming the file and entry, or is taken `massless`."},
		{Name: ParamSort, Type: plugin.TypeBool, Default: true,
			Doc: "Sort each jet's constituents by decreasing pt (stable); false keeps the file's order."},
	}
	return append(s, selection.Spec()...)
}

const doc = `Reads jets from ROOT TTrees with go-hep's groot (pure Go, no ROOT installation needed).

**Layout.** One tree entry per jet. The constituents are jagged branches (` + "`Float_t x[n]`" + ` with a count leaf, or
` + "`std::vector<float>`" + `/` + "`std::vector<double>`" + `): ` + "`pt_branch`" + ` [GeV], either ` + "`y_branch`" + ` (rapidity) or
` + "`eta_branch`" + ` (pseudorapidity), ` + "`phi_branch`" + ` [rad] and optionally ` + "`pid_branch`" + ` (PDG ids). All of one entry
must have the same length. Labels come from a scalar ` + "`label_branch`" + ` (1 = quark, 0 = gluon) or are fixed with
` + "`label: quark`" + ` / ` + "`gluon`" + `; weights from an optional scalar ` + "`weight_branch`" + `. Leaves may be float32 or float64
(ids and labels also integers or bools).

**Pseudorapidity.** With ` + "`eta_branch`" + ` the rapidity is y = asinh(pt sinh(eta) / sqrt(pt² + m²)) with m the PDG mass of the
constituent's pid (core/jet's table: γ, e, μ, π±, K±, K0L, p, n); without ` + "`pid_branch`" + ` every constituent is massless
and y = eta. Other ids are an error unless ` + "`unknown_mass: massless`" + `.

**Output.** Constituents sorted by decreasing pt unless ` + "`sort_constituents: false`" + `; phi is kept as stored. Aux
columns ` + "`entry`" + ` (tree entry), ` + "`file_index`" + ` and the selection's ` + "`source_index`" + `. The shared selection
parameters apply. A missing tree or branch is an error naming the file and listing the trees or branches present;
mismatched jagged lengths, bad labels and unknown masses name the file and entry.`
