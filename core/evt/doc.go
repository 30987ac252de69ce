// Package evt fits extreme-value distributions to samples (typically
// nearest-neighbour distances) and the power-law scaling of the
// nearest-neighbour distance with the dataset size.
//
// Families use scipy.stats parameterisations and names, with z = (x - loc)/scale:
//
//	weibull_min(c, loc, scale)  F(x) = 1 - exp(-z^c),            z > 0
//	genextreme(c, loc, scale)   F(x) = exp(-(1 - c z)^(1/c)),    1 - c z > 0 (exp(-exp(-z)) at c = 0)
//	                            scipy's c is minus the usual xi: xi = -c
//	gumbel_r(loc, scale)        F(x) = exp(-exp(-z))             (maxima)
//	gumbel_l(loc, scale)        F(x) = 1 - exp(-exp(z))          (minima)
//	invweibull(c, loc, scale)   F(x) = exp(-z^(-c)),             z > 0 (Frechet)
//
// Maximum likelihood (Fit) starts from closed-form profile equations where
// they exist (Weibull and Frechet with a fixed location: the shape solves
// sum x^k ln x / sum x^k - 1/k - mean(ln x) = 0, an increasing function of
// k, by Newton's method safeguarded by bisection inside a bracket; Gumbel:
// the scale solves b = mean(x) - sum x e^(-x/b) / sum e^(-x/b)), profiles
// the likelihood over the location for free-location Weibull and Frechet
// fits, and uses probability-weighted moments followed by a damped Newton
// (Levenberg-Marquardt) iteration with analytic gradient and Hessian for
// the GEV, falling back to Nelder-Mead. Standard errors come from the
// analytic observed information at the maximum. Goodness of fit: the
// Kolmogorov-Smirnov D, the Anderson-Darling A^2 and their
// parametric-bootstrap p-values (Result.BootstrapGOF), seeded and
// independent of the number of workers.
//
// FitScaling takes, for a ladder of dataset sizes N, the nearest-neighbour
// distances of each subset and fits ln(stat) = intercept + slope ln N for
// the median and the mean, with bootstrap bands, local slopes and the
// implied dimension k = -1/slope (SCIENCE.md, "Extreme value theory").
package evt
