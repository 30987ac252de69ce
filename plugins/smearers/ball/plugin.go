// Package ball is the built-in smearer plugin "ball": the hard-ball smeared
// likelihood of Larkoski (arXiv:2501.07643). A jet's score at resolution
// eps compares the signal and background weight of its reference set
// within distance eps (inclusive).
//
// See README.md for the conventions and parameters.
package ball

import (
	"github.com/smearflow/smearflow/core/plugin"
)

// Version is the plugin version.
const Version = "0.1.0"

// Smearer is the ball smearer plugin. The zero value is ready to use.
type Smearer struct{}

// New returns the ball smearer plugin.
func New() *Smearer { return &Smearer{} }

var spec = plugin.Spec{
	{Name: "eps", Type: plugin.TypeGrid, Default: plugin.Geomspace(1e-3, 0.3, 25), Min: plugin.Bound(0),
		Unit: "metric units (SEMD with normalised energies: dimensionless, ΔR for β = 1)",
		Doc:  "Ball radii ε scanned: a list or {log: [start, stop, n]} / {linear: [start, stop, n]}. Reference jets with d ≤ ε count (inclusive). Values must be distinct."},
}

const doc = `Hard-ball smeared likelihood (Larkoski 2025). For a query jet x with
reference set S(x) (K-fold by default, see the host parameter ` + "`reference`" + `)
and radius ε:

- n_s, n_b = signal (quark) and background (gluon) weight of the jets of S(x)
  with d(x, x') ≤ ε (inclusive);
- N_s, N_b = signal and background weight of S(x);
- score P = n_s N_b / (n_s N_b + n_b N_s), the smeared likelihood ratio
  (n_s/N_s)/(n_b/N_b) mapped to [0, 1];
- an empty ball (n_s = n_b = 0) scores 1/2 and is flagged empty;
- the count reported is n_s + n_b (the ball population).

**Exact ties.** With unit or integer weights the products are integers,
formed exactly, and divided once, so equal ratios (e.g. (1, 1) and (3, 3))
give bit-identical scores; the literal formula (n_s/N_s)/(n_s/N_s + n_b/N_b)
splits such ties and moves the AUC (by up to 6.4e-5 on the reference sample).

Expected physics: the AUC rises as ε decreases until ε approaches the
nearest-neighbour scale and balls empty; at ε above the largest distance
every ball holds its whole reference set and P = 1/2 for every jet in K-fold
mode.`

// Info describes the plugin.
func (*Smearer) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindSmearer,
		Name:       "ball",
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "hard-ball smeared likelihood: signal vs background weight within distance ε, exact ties",
		Doc:        doc,
		Params:     spec,
	}
}

var _ plugin.Smearer = (*Smearer)(nil)
