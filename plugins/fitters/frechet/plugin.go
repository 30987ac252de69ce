// Package frechet is the "frechet" fitter plugin: maximum-likelihood fits
// of the Frechet distribution (scipy.stats.invweibull). The algorithm
// lives in core/evt.
package frechet

import (
	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Plugin is the frechet fitter.
type Plugin struct{}

// New returns the frechet fitter plugin.
func New() *Plugin { return &Plugin{} }

var spec = plugin.Spec{
	evt.LocParam,
	evt.NBootParam,
}

const doc = `Fits the Frechet distribution (for maxima, heavy upper tail) by maximum
likelihood, in scipy's ` + "`invweibull(c, loc, scale)`" + ` parameterisation:

    F(x) = exp(-((x - loc)/scale)^(-c)),   x > loc,  c > 0, scale > 0

* ` + "`loc: fixed`" + ` (default): loc = 0. If X is Frechet(c, s), 1/X is
  Weibull(c, 1/s) with the same likelihood maximum, so the fit solves the
  Weibull profile equation on 1/x. Zero or negative values are an error.
* ` + "`loc: free`" + `: the likelihood is profiled over loc < min(x), then all three
  parameters are polished by damped Newton. If the profile keeps
  increasing as loc -> -inf (the sample is closer to the Gumbel limit),
  the fit is reported as not converged with a message.

Results (one per sample): c, loc, scale with standard errors from the
observed information (NaN for a fixed loc), log-likelihood, AIC,
Kolmogorov-Smirnov D, Anderson-Darling A^2 and their parametric-bootstrap
p-values (n_boot refits, seeded by the request seed, independent of the
number of cores), the fitted pdf/cdf at the requested points and
quantiles at the requested probabilities.`

// Info describes the plugin.
func (*Plugin) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindFitter,
		Name:       "frechet",
		Version:    "0.1.0",
		APIVersion: plugin.APIVersion,
		Summary:    "maximum-likelihood Frechet fit, scipy invweibull, loc fixed at 0 or free",
		Doc:        doc,
		Params:     spec,
	}
}
