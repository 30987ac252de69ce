// Package weibull is the "weibull" fitter plugin: maximum-likelihood fits
// of the Weibull distribution for minima (scipy.stats.weibull_min) to
// nearest-neighbour distances or any positive sample, with standard
// errors, AIC and bootstrapped goodness of fit. The algorithm lives in
// core/evt.
package weibull

import (
	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Plugin is the weibull fitter.
type Plugin struct{}

// New returns the weibull fitter plugin.
func New() *Plugin { return &Plugin{} }

// spec is the parameter specification.
var spec = plugin.Spec{
	evt.LocParam,
	evt.NBootParam,
}

const doc = `Fits the Weibull distribution for minima by maximum likelihood, in
scipy's ` + "`weibull_min(c, loc, scale)`" + ` parameterisation:

    F(x) = 1 - exp(-((x - loc)/scale)^c),   x > loc,  c > 0, scale > 0

For nearest-neighbour distances D_N, P(D_N > eps) ~ exp(-N C eps^k), so the
shape c estimates the local dimension k of the data at the scale of D_N
(SCIENCE.md, "Extreme value theory").

* ` + "`loc: fixed`" + ` (default): loc = 0, the shape solves the profile equation
  sum x^c ln x / sum x^c - 1/c - mean(ln x) = 0 (Brent), scale = (mean x^c)^(1/c).
  Zero or negative values are an error.
* ` + "`loc: free`" + `: the likelihood is profiled over loc < min(x), then all three
  parameters are polished by damped Newton. For c < 1 the likelihood is
  unbounded as loc -> min(x): the fit is then reported as not converged
  (Converged = false, with a message); for 1 < c <= 2 it converges with a
  note that the standard errors are approximate (non-regular case).

Results (one per sample): parameters c, loc, scale with standard errors
from the observed information (the Hessian of the negative
log-likelihood at the maximum; NaN for a fixed loc), log-likelihood, AIC =
2k - 2 ln L, Kolmogorov-Smirnov D, Anderson-Darling A^2 and their
parametric-bootstrap p-values (n_boot refits, seeded by the request seed,
independent of the number of cores), the fitted pdf/cdf at the requested
points and quantiles at the requested probabilities.`

// Info describes the plugin.
func (*Plugin) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindFitter,
		Name:       "weibull",
		Version:    "0.1.0",
		APIVersion: plugin.APIVersion,
		Summary:    "maximum-likelihood Weibull (minimum) fit, scipy weibull_min, loc fixed at 0 or free",
		Doc:        doc,
		Params:     spec,
	}
}
