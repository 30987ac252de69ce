package evt

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Family names an extreme-value family with scipy.stats' name.
type Family string

// The supported families (scipy.stats names).
const (
	WeibullMin Family = "weibull_min" // Weibull for minima: F = 1 - exp(-z^c)
	GenExtreme Family = "genextreme"  // GEV for maxima, scipy shape c = -xi
	GumbelR    Family = "gumbel_r"    // Gumbel for maxima: F = exp(-exp(-z))
	GumbelL    Family = "gumbel_l"    // Gumbel for minima: F = 1 - exp(-exp(z))
	InvWeibull Family = "invweibull"  // Frechet: F = exp(-z^(-c))
)

// Families lists every supported family.
var Families = []Family{WeibullMin, GenExtreme, GumbelR, GumbelL, InvWeibull}

// ParseFamily returns the family with the given scipy name.
func ParseFamily(s string) (Family, error) {
	for _, f := range Families {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("evt: unknown family %q (want one of weibull_min, genextreme, gumbel_r, gumbel_l, invweibull)", s)
}

// HasShape reports whether the family has a shape parameter c.
func (f Family) HasShape() bool { return f == WeibullMin || f == GenExtreme || f == InvWeibull }

// Dist is one member of a family, in scipy's parameterisation: shape C
// (ignored by the Gumbel families), location Loc and scale Scale > 0.
// Methods of a Dist with invalid parameters (see Validate) return NaN.
type Dist struct {
	Family Family
	C      float64 // scipy shape c: weibull_min, invweibull need c > 0; genextreme c = -xi
	Loc    float64
	Scale  float64
}

// Validate checks the parameters.
func (d Dist) Validate() error {
	switch d.Family {
	case WeibullMin, GenExtreme, GumbelR, GumbelL, InvWeibull:
	default:
		return fmt.Errorf("evt: unknown family %q", d.Family)
	}
	if !(d.Scale > 0) || math.IsInf(d.Scale, 0) {
		return fmt.Errorf("evt: %s: scale must be finite and > 0, got %v", d.Family, d.Scale)
	}
	if math.IsNaN(d.Loc) || math.IsInf(d.Loc, 0) {
		return fmt.Errorf("evt: %s: loc must be finite, got %v", d.Family, d.Loc)
	}
	if d.Family.HasShape() {
		if math.IsNaN(d.C) || math.IsInf(d.C, 0) {
			return fmt.Errorf("evt: %s: shape c must be finite, got %v", d.Family, d.C)
		}
		if d.Family != GenExtreme && !(d.C > 0) {
			return fmt.Errorf("evt: %s: shape c must be > 0, got %v", d.Family, d.C)
		}
	}
	return nil
}

func (d Dist) ok() bool { return d.Validate() == nil }

// Xi returns the usual GEV shape xi = -c (meaningful for genextreme).
func (d Dist) Xi() float64 { return -d.C }

// Support returns the interval outside which the density is zero.
func (d Dist) Support() (lo, hi float64) {
	if !d.ok() {
		return math.NaN(), math.NaN()
	}
	switch d.Family {
	case WeibullMin, InvWeibull:
		return d.Loc, math.Inf(1)
	case GenExtreme:
		switch {
		case d.C > 0:
			return math.Inf(-1), d.Loc + d.Scale/d.C
		case d.C < 0:
			return d.Loc + d.Scale/d.C, math.Inf(1)
		}
	}
	return math.Inf(-1), math.Inf(1)
}

// tail returns w >= 0 such that, if expLower, F = exp(-w) (and
// S = 1 - exp(-w)); otherwise S = exp(-w) (F = 1 - exp(-w)). Outside the
// support w is 0 or +Inf accordingly.
func (d Dist) tail(x float64) (w float64, expLower bool) {
	z := (x - d.Loc) / d.Scale
	switch d.Family {
	case WeibullMin:
		if z <= 0 {
			return 0, false
		}
		return math.Pow(z, d.C), false
	case InvWeibull:
		if z <= 0 {
			return math.Inf(1), true
		}
		return math.Pow(z, -d.C), true
	case GumbelR:
		return math.Exp(-z), true
	case GumbelL:
		return math.Exp(z), false
	default: // GenExtreme
		a := -d.C * z
		if a <= -1 {
			if d.C > 0 {
				return 0, true // above the upper end point
			}
			return math.Inf(1), true // below the lower end point
		}
		return math.Exp(-z * log1pOver(a)), true
	}
}

// CDF returns P(X <= x).
func (d Dist) CDF(x float64) float64 {
	if !d.ok() || math.IsNaN(x) {
		return math.NaN()
	}
	w, expLower := d.tail(x)
	if expLower {
		return math.Exp(-w)
	}
	return -math.Expm1(-w)
}

// SF returns the survival function P(X > x) = 1 - CDF(x), accurately in
// the upper tail.
func (d Dist) SF(x float64) float64 {
	if !d.ok() || math.IsNaN(x) {
		return math.NaN()
	}
	w, expLower := d.tail(x)
	if expLower {
		return -math.Expm1(-w)
	}
	return math.Exp(-w)
}

// LogCDF returns ln CDF(x).
func (d Dist) LogCDF(x float64) float64 {
	if !d.ok() || math.IsNaN(x) {
		return math.NaN()
	}
	w, expLower := d.tail(x)
	if expLower {
		return -w
	}
	return math.Log(-math.Expm1(-w))
}

// LogSF returns ln SF(x).
func (d Dist) LogSF(x float64) float64 {
	if !d.ok() || math.IsNaN(x) {
		return math.NaN()
	}
	w, expLower := d.tail(x)
	if expLower {
		return math.Log(-math.Expm1(-w))
	}
	return -w
}

// LogPDF returns the log density (-Inf outside the support).
func (d Dist) LogPDF(x float64) float64 {
	if !d.ok() || math.IsNaN(x) {
		return math.NaN()
	}
	return logKernel(d.Family, (x-d.Loc)/d.Scale, d.C) - math.Log(d.Scale)
}

// PDF returns the density.
func (d Dist) PDF(x float64) float64 { return math.Exp(d.LogPDF(x)) }

// Quantile returns the p-quantile (the inverse of CDF) for p in [0, 1],
// NaN otherwise. Quantile(0) and Quantile(1) are the support's end points
// (possibly infinite).
func (d Dist) Quantile(p float64) float64 {
	if !d.ok() || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	var z float64
	switch d.Family {
	case WeibullMin:
		z = math.Pow(-math.Log1p(-p), 1/d.C)
	case InvWeibull:
		z = math.Pow(-math.Log(p), -1/d.C)
	case GumbelR:
		z = -math.Log(-math.Log(p))
	case GumbelL:
		z = math.Log(-math.Log1p(-p))
	default: // GenExtreme, as scipy's _ppf
		y := -math.Log(p)
		if d.C == 0 {
			z = -math.Log(y)
		} else {
			z = -math.Expm1(d.C*math.Log(y)) / d.C
		}
	}
	return d.Loc + d.Scale*z
}

// Rand draws one variate by inversion, using U uniform on the open
// interval (0, 1) so that the draw is always inside the support.
func (d Dist) Rand(r *rand.Rand) float64 {
	u := r.Float64()
	for u == 0 {
		u = r.Float64()
	}
	return d.Quantile(u)
}

// Sample returns n variates drawn with rand.NewPCG(seed, SampleStream).
func (d Dist) Sample(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, SampleStream))
	out := make([]float64, n)
	for i := range out {
		out[i] = d.Rand(r)
	}
	return out
}

// SampleStream is the second PCG seed word used by Dist.Sample.
const SampleStream = 0x9e3779b97f4a7c15

// LogLik returns sum_i LogPDF(x_i).
func (d Dist) LogLik(x []float64) float64 {
	if !d.ok() {
		return math.NaN()
	}
	s := 0.0
	ls := math.Log(d.Scale)
	for _, v := range x {
		s += logKernel(d.Family, (v-d.Loc)/d.Scale, d.C)
	}
	return s - float64(len(x))*ls
}

// String formats the distribution as scipy would be called.
func (d Dist) String() string {
	if d.Family.HasShape() {
		return fmt.Sprintf("%s(c=%g, loc=%g, scale=%g)", d.Family, d.C, d.Loc, d.Scale)
	}
	return fmt.Sprintf("%s(loc=%g, scale=%g)", d.Family, d.Loc, d.Scale)
}
