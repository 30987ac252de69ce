// Package gev is the "gev" fitter plugin: maximum-likelihood fits of the
// generalised extreme value distribution (scipy.stats.genextreme), with
// both scipy's shape c and the usual xi = -c reported. The algorithm lives
// in core/evt.
package gev

import (
	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Plugin is the gev fitter.
type Plugin struct{}

// New returns the gev fitter plugin.
func New() *Plugin { return &Plugin{} }

var spec = plugin.Spec{
	evt.NBootParam,
}

const doc = `Fits the generalised extreme value distribution (for maxima) by maximum
likelihood, in scipy's ` + "`genextreme(c, loc, scale)`" + ` parameterisation. Mind
the sign: scipy's shape c is **minus** the usual xi.

    F(x) = exp(-(1 + xi (x - loc)/scale)^(-1/xi)),   xi = -c,   1 + xi (x - loc)/scale > 0
    F(x) = exp(-exp(-(x - loc)/scale))               at c = xi = 0 (Gumbel)

xi > 0 (c < 0) is the Frechet type (heavy upper tail, lower end point
loc - scale/xi); xi < 0 (c > 0) the Weibull type (upper end point
loc + scale/c). To fit minima (such as nearest-neighbour distances), fit
the negated sample.

Fitting: starting values from probability-weighted moments (Hosking,
Wallis & Wood 1985) and from the Gumbel fit, damped Newton
(Levenberg-Marquardt) with the analytic gradient and Hessian, Nelder-Mead
as a fallback. For c >= 1 (xi <= -1) the likelihood is unbounded at the
upper end point: the fit is reported as not converged. For 0.5 < c < 1
the fit converges with a note that the standard errors are not valid
(non-regular case, Smith 1985).

Results (one per sample): c, loc, scale and xi (xi has the standard
error of c) with standard errors from the observed information,
log-likelihood, AIC = 6 - 2 ln L, Kolmogorov-Smirnov D, Anderson-Darling
A^2 and their parametric-bootstrap p-values (n_boot refits, seeded by the
request seed, independent of the number of cores), the fitted pdf/cdf at
the requested points and quantiles at the requested probabilities.`

// Info describes the plugin.
func (*Plugin) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindFitter,
		Name:       "gev",
		Version:    "0.1.0",
		APIVersion: plugin.APIVersion,
		Summary:    "maximum-likelihood generalised extreme value fit, scipy genextreme (c = -xi)",
		Doc:        doc,
		Params:     spec,
	}
}
