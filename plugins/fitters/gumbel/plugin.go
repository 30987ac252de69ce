// Package gumbel is the "gumbel" fitter plugin: maximum-likelihood fits
// of the Gumbel distribution for minima (scipy.stats.gumbel_l, the
// default) or maxima (scipy.stats.gumbel_r). The algorithm lives in
// core/evt.
package gumbel

import (
	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Plugin is the gumbel fitter.
type Plugin struct{}

// New returns the gumbel fitter plugin.
func New() *Plugin { return &Plugin{} }

var spec = plugin.Spec{
	{Name: "side", Type: plugin.TypeString, Default: "min", Enum: []string{"min", "max"},
		Doc: "min: Gumbel for minima (gumbel_l, the limit law of nearest-neighbour distances with an unbounded lower tail); max: Gumbel for maxima (gumbel_r)."},
	evt.NBootParam,
}

const doc = `Fits the Gumbel distribution by maximum likelihood, in scipy's
parameterisations (z = (x - loc)/scale, scale > 0):

    side: min  ->  gumbel_l(loc, scale):  F(x) = 1 - exp(-exp(z))   (minima)
    side: max  ->  gumbel_r(loc, scale):  F(x) = exp(-exp(-z))      (maxima)

(-X is gumbel_r(-loc, scale) when X is gumbel_l(loc, scale).) The scale
solves b = mean(x) - sum x e^(-x/b) / sum e^(-x/b) (Brent's method; on -x
for minima), then loc = -b ln(mean e^(-x/b)).

Results (one per sample): loc and scale with standard errors from the
observed information, log-likelihood, AIC = 4 - 2 ln L,
Kolmogorov-Smirnov D, Anderson-Darling A^2 and their parametric-bootstrap
p-values (n_boot refits, seeded by the request seed, independent of the
number of cores), the fitted pdf/cdf at the requested points and
quantiles at the requested probabilities.`

// Info describes the plugin.
func (*Plugin) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindFitter,
		Name:       "gumbel",
		Version:    "0.1.0",
		APIVersion: plugin.APIVersion,
		Summary:    "maximum-likelihood Gumbel fit for minima (gumbel_l) or maxima (gumbel_r)",
		Doc:        doc,
		Params:     spec,
	}
}
