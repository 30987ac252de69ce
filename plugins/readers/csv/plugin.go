// Package csv is the reader plugin for particle CSV files: one row per
// particle with columns jet_index, pt, rapidity, phi, pid, label (any
// order, named by a header line) and an optional weight, the rows of a jet
// contiguous. It streams jets in batches through the shared selection
// options (see package selection) and produces exactly the jet.Jets that
// the npz reader produces for the same data.
package csv

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// Name is the plugin's name; Version its version.
const (
	Name    = "csv"
	Version = "0.1.0"
)

// DefaultBatchSize is the number of jets per emitted batch when the
// request does not say.
const DefaultBatchSize = 1000

// Reader is the csv reader plugin. The zero value is ready to use.
type Reader struct{}

// New returns the csv reader plugin.
func New() *Reader { return &Reader{} }

var _ plugin.Reader = (*Reader)(nil)

// Info describes the plugin and its parameters.
func (*Reader) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindReader,
		Name:       Name,
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "Reads jets from particle CSV files (one row per particle: jet_index, pt, rapidity, phi, pid, label)",
		Doc:        doc,
		Params:     Spec(),
	}
}

const doc = `Reads labelled jets from CSV files with one row per particle, such as
` + "`shared/data/pythia8-qg-small-particles.csv`" + `.

**Layout.** A header line names the columns, in any order: ` + "`jet_index`" + ` (integer), ` + "`pt`" + ` [GeV], ` + "`rapidity`" + `,
` + "`phi`" + ` [rad], ` + "`pid`" + ` (integer PDG id; "22.0" is accepted), ` + "`label`" + ` (1 = quark, 0 = gluon) and optionally
` + "`weight`" + ` (per jet, default 1). Other columns are an error, or skipped with ` + "`extra_columns: ignore`" + `. Fields are
separated by commas, without quoting; spaces around values are ignored; lines end in LF or CRLF. The rows of one
jet are contiguous and keep their order; jet_index increases from one jet to the next (gaps are allowed: the
jet's ` + "`source_index`" + ` counts jets in the stream, not jet_index). Values are parsed with Go's strconv.ParseFloat, so
shortest round-trip decimals give the exact float64 of the original, and the jets equal those the npz reader
reads from the same data, bit for bit.

**Errors** name FILE:LINE: a non-numeric, NaN or infinite value, a wrong number of fields, a missing or
duplicated column, jet_index going backwards (rows of a jet not contiguous), the label or weight changing within
a jet, an empty line, and a last line without end-of-line (a truncated file). With ` + "`validate`" + ` (default) a
non-positive pt is an error naming the file and jet index.

**Files and streaming** as for the npz reader: ` + "`path`" + ` is a file or a glob (sorted, concatenated); batches of the
request's batch size (default 1000); reading stops once ` + "`sample: first`" + ` counts are filled.`

// Spec returns the parameter specification: the file options followed by
// selection.Spec().
func Spec() plugin.Spec {
	s := plugin.Spec{
		{Name: "path", Type: plugin.TypePath, Required: true,
			Doc: "The CSV file, or a glob matching several (read in sorted order and concatenated)."},
		{Name: "extra_columns", Type: plugin.TypeString, Default: "error", Enum: []string{"error", "ignore"},
			Doc: "What to do with columns other than jet_index, pt, rapidity, phi, pid, label and weight: error, or ignore them."},
	}
	return append(s, selection.Spec()...)
}
