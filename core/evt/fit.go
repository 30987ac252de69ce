package evt

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// ErrInput is wrapped by every error about an unusable sample.
var ErrInput = errors.New("evt: bad input")

// Options control Fit.
type Options struct {
	// FreeLoc fits the location of weibull_min and invweibull (3 free
	// parameters); when false the location is held at Loc. The GEV and
	// Gumbel families always fit their location.
	FreeLoc bool
	// Loc is the fixed location of weibull_min and invweibull when
	// FreeLoc is false (0 in the project's fits). Every x must exceed it.
	Loc float64
	// MaxIter bounds the damped-Newton iterations (0 means 200).
	MaxIter int
}

// MinPoints returns the smallest sample Fit accepts for a fit with k free
// parameters: 5 for two, 10 for three.
func MinPoints(k int) int {
	if k >= 3 {
		return 10
	}
	return 5
}

// Param is one parameter of a fit.
type Param struct {
	Name   string
	Value  float64
	StdErr float64 // from the observed information; NaN if unavailable or fixed
	Fixed  bool    // held fixed, not fitted
}

// Result is a maximum-likelihood fit of one family to one sample.
type Result struct {
	Family  Family
	Options Options
	Dist    Dist // the fitted distribution
	N       int
	// Params lists c (families with a shape), loc and scale in scipy's
	// order; genextreme appends xi = -c (same standard error as c).
	Params []Param
	// Free names the fitted parameters, in the order of Cov.
	Free []string
	// Cov is the inverse of the observed information (the Hessian of the
	// negative log-likelihood at the maximum) over Free, row-major; nil
	// when that Hessian is not positive definite.
	Cov []float64
	// Gradient of the log-likelihood at the reported parameters (over
	// Free): a check that the maximum was reached.
	Gradient []float64
	LogLik   float64
	AIC      float64 // 2 len(Free) - 2 LogLik
	KS       float64 // Kolmogorov-Smirnov D at Dist
	AD       float64 // Anderson-Darling A^2 at Dist
	// Converged is false when no maximum was found (see Message); the
	// parameters are then the last iterate and must not be used as an
	// estimate.
	Converged bool
	Message   string // why the fit did not converge, or caveats
	Iter      int    // damped-Newton iterations (0 for closed-form solutions)

	sorted []float64
}

// Param returns the parameter with the given name.
func (r *Result) Param(name string) (Param, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// Fit fits the family to the sample x by maximum likelihood. Errors (all
// wrapping ErrInput) are returned for samples that cannot be fitted: too
// few points (MinPoints), non-finite values, values at or below a fixed
// location, or no spread at all. A fit that fails to find a maximum is
// not an error: it returns Converged = false with a Message.
func Fit(fam Family, x []float64, opt Options) (*Result, error) {
	if _, err := ParseFamily(string(fam)); err != nil {
		return nil, err
	}
	if opt.MaxIter <= 0 {
		opt.MaxIter = 200
	}
	if err := checkSample(fam, x, opt); err != nil {
		return nil, err
	}
	s := slices.Clone(x)
	slices.Sort(s)
	fr, err := fitSorted(fam, s, opt)
	if err != nil {
		return nil, err
	}
	return finish(fam, s, opt, fr), nil
}

func freeCount(fam Family, opt Options) int {
	switch fam {
	case GenExtreme:
		return 3
	case GumbelR, GumbelL:
		return 2
	}
	if opt.FreeLoc {
		return 3
	}
	return 2
}

func fixedLoc(fam Family, opt Options) bool {
	return (fam == WeibullMin || fam == InvWeibull) && !opt.FreeLoc
}

// checkSample validates a sample for a family.
func checkSample(fam Family, x []float64, opt Options) error {
	k := freeCount(fam, opt)
	if len(x) < MinPoints(k) {
		return fmt.Errorf("%w: %s fit with %d free parameters needs at least %d points, got %d", ErrInput, fam, k, MinPoints(k), len(x))
	}
	if fixedLoc(fam, opt) && (math.IsNaN(opt.Loc) || math.IsInf(opt.Loc, 0)) {
		return fmt.Errorf("%w: %s: fixed loc must be finite, got %v", ErrInput, fam, opt.Loc)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s: x[%d] = %v is not finite", ErrInput, fam, i, v)
		}
		if fixedLoc(fam, opt) && !(v > opt.Loc) {
			return fmt.Errorf("%w: %s with loc fixed at %v needs every x > %v, but x[%d] = %v (zeros and negative values have zero likelihood; use loc = free or drop them)", ErrInput, fam, opt.Loc, opt.Loc, i, v)
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if lo == hi {
		return fmt.Errorf("%w: %s: all %d values equal %v (no spread, the scale would be 0)", ErrInput, fam, len(x), lo)
	}
	if k == 3 && countDistinct(x, 3) < 3 {
		return fmt.Errorf("%w: %s: a 3-parameter fit needs at least 3 distinct values (the sample has only %v and %v)", ErrInput, fam, lo, hi)
	}
	return nil
}

// countDistinct counts distinct values of x up to limit.
func countDistinct(x []float64, limit int) int {
	var seen []float64
	for _, v := range x {
		if !slices.Contains(seen, v) {
			seen = append(seen, v)
			if len(seen) >= limit {
				break
			}
		}
	}
	return len(seen)
}

// fitRaw is the outcome of a family-specific fitter.
type fitRaw struct {
	d         Dist
	converged bool
	msg       []string
	iter      int
}

// fitSorted dispatches to the family's fitter; xs is sorted ascending and
// already validated.
func fitSorted(fam Family, xs []float64, opt Options) (fitRaw, error) {
	switch fam {
	case GumbelR, GumbelL:
		loc, scale, err := fitGumbel(xs, fam == GumbelL)
		if err != nil {
			return fitRaw{}, err
		}
		return fitRaw{d: Dist{Family: fam, Loc: loc, Scale: scale}, converged: true}, nil
	case GenExtreme:
		return fitGEV(xs, opt), nil
	}
	if opt.FreeLoc {
		return fitFreeLoc(fam, xs, opt), nil
	}
	y := make([]float64, len(xs))
	for i, v := range xs {
		y[i] = v - opt.Loc
		if fam == InvWeibull {
			y[i] = 1 / y[i]
		}
	}
	c, scale, _, err := fitWeibull0(y, 0, nil)
	if err != nil {
		return fitRaw{}, fmt.Errorf("%w: %s: %v", ErrInput, fam, err)
	}
	if fam == InvWeibull {
		scale = 1 / scale
	}
	return fitRaw{d: Dist{Family: fam, C: c, Loc: opt.Loc, Scale: scale}, converged: true}, nil
}

// finish computes the log-likelihood, standard errors, AIC and
// goodness-of-fit statistics at the fitted parameters.
func finish(fam Family, xs []float64, opt Options, fr fitRaw) *Result {
	m := newModel(fam, xs, opt)
	r := &Result{Family: fam, Options: opt, Dist: fr.d, N: len(xs), Free: m.names(),
		Converged: fr.converged, Iter: fr.iter, sorted: xs}
	k := m.dim()
	p := m.pack(fr.d.C, fr.d.Loc, fr.d.Scale)
	g := make([]float64, k)
	h := make([]float64, k*k)
	msgs := fr.msg
	ll, ok := m.derivs(p, g, h)
	if !ok {
		ll, _ = m.value(p)
		r.Converged = false
		msgs = append(msgs, "the sample is not inside the open support of the reported parameters")
	} else {
		r.Gradient = g
		for i := range h {
			h[i] = -h[i]
		}
		if cov, ok := spdInverse(h, k); ok {
			r.Cov = cov
		} else {
			msgs = append(msgs, "observed information is not positive definite: no standard errors")
		}
	}
	if !r.Converged {
		r.Cov = nil
	}
	r.LogLik = ll
	r.AIC = 2*float64(k) - 2*ll
	r.KS, r.AD = gofSorted(fr.d, xs)
	se := func(name string) float64 {
		for i, n := range r.Free {
			if n == name && r.Cov != nil {
				return math.Sqrt(r.Cov[i*k+i])
			}
		}
		return math.NaN()
	}
	add := func(name string, v float64, fixed bool) {
		r.Params = append(r.Params, Param{Name: name, Value: v, StdErr: se(name), Fixed: fixed})
	}
	if fam.HasShape() {
		add("c", fr.d.C, false)
	}
	add("loc", fr.d.Loc, fixedLoc(fam, opt))
	add("scale", fr.d.Scale, false)
	if fam == GenExtreme {
		add("xi", -fr.d.C, false)
		r.Params[len(r.Params)-1].StdErr = se("c")
	}
	r.Message = strings.Join(msgs, "; ")
	return r
}

func newModel(fam Family, xs []float64, opt Options) *model {
	m := &model{fam: fam, x: xs, freeC: fam.HasShape(), freeLoc: true}
	if fixedLoc(fam, opt) {
		m.freeLoc = false
		m.loc = opt.Loc
	}
	return m
}

// fitWeibull0 fits weibull_min with loc 0 to y > 0 by solving the profile
// equation sum y^k ln y / sum y^k - 1/k - mean(ln y) = 0 (the left side
// increases monotonically in k, from -inf to a positive limit) by Newton
// steps inside the bracket known so far, with bisection fallback
// (rootIncreasing), then scale = (mean y^k)^(1/k). kHint > 0 is the
// starting shape (else the moment estimate). It returns the maximised
// log-likelihood n ln c - n c ln scale + (c - 1) sum ln y - n. work, if
// long enough, is used as scratch space.
func fitWeibull0(y []float64, kHint float64, work []float64) (c, scale, ll float64, err error) {
	n := len(y)
	if cap(work) < n {
		work = make([]float64, n)
	}
	u := work[:n]
	lmax := math.Inf(-1)
	sumLog := 0.0
	for i, v := range y {
		u[i] = math.Log(v)
		sumLog += u[i]
		lmax = math.Max(lmax, u[i])
	}
	for i := range u {
		u[i] -= lmax
	}
	mean, sd := meanSD(u)
	if !(sd > 0) {
		return 0, 0, 0, errors.New("no spread in ln x")
	}
	var s0 float64
	// g(k) and g'(k) = Var_w(ln y) + 1/k^2 with weights w = y^k.
	profD := func(k float64) (float64, float64) {
		s0, s1, s2 := 0.0, 0.0, 0.0
		for _, v := range u {
			e := math.Exp(k * v)
			s0 += e
			s1 += v * e
			s2 += v * v * e
		}
		m1 := s1 / s0
		return m1 - 1/k - mean, s2/s0 - m1*m1 + 1/(k*k)
	}
	k0 := kHint
	if !(k0 > 0) || math.IsInf(k0, 0) {
		k0 = math.Pi / (math.Sqrt(6) * sd) // moment estimate: Var ln X = pi^2/(6 k^2)
	}
	c, err = rootIncreasing(profD, k0, 500)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("Weibull profile equation: %v", err)
	}
	s0 = 0
	for _, v := range u {
		s0 += math.Exp(c * v)
	}
	lnScale := lmax + math.Log(s0/float64(n))/c
	fn := float64(n)
	ll = fn*math.Log(c) - fn*c*lnScale + (c-1)*sumLog - fn
	return c, math.Exp(lnScale), ll, nil
}

// fitGumbel fits gumbel_r (or gumbel_l when left, through -x) by solving
// b = mean(x) - sum x e^(-x/b) / sum e^(-x/b) (monotone in b) by safeguarded
// Newton; loc = -b ln(mean e^(-x/b)). xs is sorted ascending.
func fitGumbel(xs []float64, left bool) (loc, scale float64, err error) {
	n := len(xs)
	// y = x - min(x) >= 0 for gumbel_r; for gumbel_l y = max(x) - x.
	y := make([]float64, n)
	var x0 float64
	if left {
		x0 = -xs[n-1]
		for i, v := range xs {
			y[i] = -v - x0
		}
	} else {
		x0 = xs[0]
		for i, v := range xs {
			y[i] = v - x0
		}
	}
	mean, sd := meanSD(y)
	if !(sd > 0) {
		return 0, 0, fmt.Errorf("%w: gumbel: no spread", ErrInput)
	}
	// h(b) and h'(b) = 1 + Var_w(y)/b^2 with weights w = e^(-y/b).
	hD := func(b float64) (float64, float64) {
		s0, s1, s2 := 0.0, 0.0, 0.0
		for _, v := range y {
			e := math.Exp(-v / b)
			s0 += e
			s1 += v * e
			s2 += v * v * e
		}
		m1 := s1 / s0
		return b - mean + m1, 1 + (s2/s0-m1*m1)/(b*b)
	}
	b0 := sd * math.Sqrt(6) / math.Pi // moment estimate
	b, err := rootIncreasing(hD, b0, 500)
	if err != nil {
		return 0, 0, fmt.Errorf("evt: gumbel scale equation: %v", err)
	}
	s0 := 0.0
	for _, v := range y {
		s0 += math.Exp(-v / b)
	}
	loc = x0 - b*math.Log(s0/float64(n))
	if left {
		loc = -loc
	}
	return loc, b, nil
}

// fitFreeLoc fits weibull_min or invweibull with a free location by
// maximising the profile log-likelihood over loc = min(x) - sd(x) e^theta
// (theta on a grid from -16 to 6 in steps of 2, then Brent's minimiser
// between the grid neighbours of the best point), each point being a
// closed-form loc-fixed fit, and polishing all three parameters with the
// damped Newton iteration. A maximum at either end of the theta range is
// reported as not converged: loc -> min(x) (weibull_min with shape < 1,
// where the likelihood is unbounded) or loc -> -inf (the sample is closer
// to the Gumbel limit of the family).
func fitFreeLoc(fam Family, xs []float64, opt Options) fitRaw {
	n := len(xs)
	xmin := xs[0]
	_, sd := meanSD(xs)
	y := make([]float64, n)
	work := make([]float64, n)
	hint := 0.0
	type pt struct{ ll, c, scale float64 }
	prof := func(theta float64) pt {
		delta := sd * math.Exp(theta)
		jac := 0.0
		for i, v := range xs {
			d := (v - xmin) + delta
			if fam == InvWeibull {
				y[i] = 1 / d
				jac += math.Log(d)
			} else {
				y[i] = d
			}
		}
		c, sc, ll, err := fitWeibull0(y, hint, work)
		if err != nil {
			return pt{ll: math.Inf(-1)}
		}
		hint = c
		if fam == InvWeibull {
			return pt{ll: ll - 2*jac, c: c, scale: 1 / sc}
		}
		return pt{ll: ll, c: c, scale: sc}
	}
	const tlo, thi, tstep = -16.0, 6.0, 2.0
	best, bestT := pt{ll: math.Inf(-1)}, tlo
	for t := tlo; t <= thi; t += tstep {
		if q := prof(t); q.ll > best.ll {
			best, bestT = q, t
		}
	}
	locOf := func(t float64) float64 { return xmin - sd*math.Exp(t) }
	if math.IsInf(best.ll, -1) {
		return fitRaw{d: Dist{Family: fam, C: 1, Loc: xmin - sd, Scale: sd}, msg: []string{"the profile likelihood could not be evaluated"}}
	}
	limit := map[Family]string{WeibullMin: "gumbel_l", InvWeibull: "gumbel_r"}[fam]
	switch bestT {
	case tlo:
		return fitRaw{d: Dist{Family: fam, C: best.c, Loc: locOf(tlo), Scale: best.scale},
			msg: []string{fmt.Sprintf("MLE at the boundary loc -> min(x): the profile likelihood keeps increasing as loc approaches min(x) = %v (shape there c = %.4g; for c < 1 the likelihood is unbounded and no MLE exists); reported values are at loc = min(x) - %.3g", xmin, best.c, sd*math.Exp(tlo))}}
	case thi:
		return fitRaw{d: Dist{Family: fam, C: best.c, Loc: locOf(thi), Scale: best.scale},
			msg: []string{fmt.Sprintf("MLE at the boundary loc -> -inf: the profile likelihood keeps increasing as loc decreases (shape c = %.4g and growing), the sample is closer to the %s limit; reported values are at loc = min(x) - %.3g", best.c, limit, sd*math.Exp(thi))}}
	}
	// A coarse optimum suffices: the damped Newton step below polishes it.
	tOpt, _ := brentMin(func(t float64) float64 { return -prof(t).ll }, bestT-tstep, bestT+tstep, bestT, 1e-4, 200)
	q := prof(tOpt)
	if q.ll < best.ll {
		q, tOpt = best, bestT
	}
	m := newModel(fam, xs, opt)
	p0 := m.pack(q.c, locOf(tOpt), q.scale)
	res := maximizeLM(m, p0, opt.MaxIter)
	out := fitRaw{d: Dist{Family: fam, C: q.c, Loc: locOf(tOpt), Scale: q.scale}, converged: true, iter: res.iter}
	// Compare with the same summation (the profile's closed form rounds
	// differently).
	if ll0, _ := m.value(p0); res.converged && res.ll >= ll0 {
		out.d = m.dist(res.p)
	} else if !res.converged {
		out.msg = append(out.msg, "Newton polishing did not converge; reporting the profile maximum ("+res.msg+")")
	}
	if fam == WeibullMin {
		switch c := out.d.C; {
		case c < 1:
			out.msg = append(out.msg, fmt.Sprintf("shape c = %.4g < 1: the likelihood is unbounded as loc -> min(x); this is a local maximum and the standard errors are not valid", c))
		case c <= 2:
			out.msg = append(out.msg, fmt.Sprintf("shape c = %.4g <= 2: non-regular location estimation (Smith 1985), standard errors are approximate", c))
		}
	}
	return out
}

// fitGEV fits genextreme: starting values from probability-weighted
// moments (Hosking, Wallis & Wood 1985) and from the Gumbel fit (c = 0),
// damped Newton from the better one, then from the other and from a
// Nelder-Mead run if that fails.
func fitGEV(xs []float64, opt Options) fitRaw {
	m := &model{fam: GenExtreme, x: xs, freeC: true, freeLoc: true}
	var starts [][]float64
	if p, ok := gevPWM(xs); ok {
		starts = append(starts, p)
	}
	if loc, sc, err := fitGumbel(xs, false); err == nil {
		starts = append(starts, []float64{0, loc, sc})
	}
	// Order the starts by log-likelihood (infeasible ones last).
	lls := make([]float64, len(starts))
	for i, p := range starts {
		lls[i], _ = m.value(p)
	}
	if len(starts) == 2 && lls[1] > lls[0] {
		starts[0], starts[1] = starts[1], starts[0]
		lls[0], lls[1] = lls[1], lls[0]
	}
	var best optResult
	best.ll = math.Inf(-1)
	iters := 0
	for i, p := range starts {
		if math.IsInf(lls[i], -1) {
			continue
		}
		r := maximizeLM(m, p, opt.MaxIter)
		iters += r.iter
		if r.converged && r.ll > best.ll || best.p == nil {
			best = r
		}
		if r.converged {
			break
		}
	}
	if !best.converged && len(starts) > 0 {
		x0 := best.p
		if x0 == nil {
			x0 = starts[len(starts)-1]
		}
		f := func(q []float64) float64 {
			ll, ok := m.value([]float64{q[0], q[1], math.Exp(q[2])})
			if !ok {
				return math.Inf(1)
			}
			return -ll
		}
		q, _, it := nelderMead(f, []float64{x0[0], x0[1], math.Log(x0[2])}, []float64{0.1, 0.2 * x0[2], 0.2}, 1500, 1e-15)
		iters += it
		r := maximizeLM(m, []float64{q[0], q[1], math.Exp(q[2])}, opt.MaxIter)
		iters += r.iter
		if r.converged || best.p == nil || r.ll > best.ll {
			best = r
		}
	}
	if best.p == nil {
		return fitRaw{d: Dist{Family: GenExtreme, C: 0, Loc: xs[0], Scale: 1}, msg: []string{"no feasible starting point"}}
	}
	out := fitRaw{d: m.dist(best.p), converged: best.converged, iter: iters}
	if !best.converged {
		out.msg = append(out.msg, best.msg)
	}
	switch c := out.d.C; {
	case c >= 1:
		out.converged = false
		out.msg = append(out.msg, fmt.Sprintf("shape c = %.4g >= 1 (xi <= -1): the GEV likelihood is unbounded at the upper end point, no MLE", c))
	case c > 0.5:
		out.msg = append(out.msg, fmt.Sprintf("shape c = %.4g > 0.5 (xi < -0.5): non-regular case (Smith 1985), standard errors are not valid", c))
	}
	return out
}

// gevPWM returns genextreme starting values (c, loc, scale) from
// probability-weighted moments; Hosking's k equals scipy's c.
func gevPWM(xs []float64) ([]float64, bool) {
	n := float64(len(xs))
	var b0, b1, b2 float64
	for i, v := range xs {
		fi := float64(i)
		b0 += v
		b1 += fi / (n - 1) * v
		b2 += fi * (fi - 1) / ((n - 1) * (n - 2)) * v
	}
	b0 /= n
	b1 /= n
	b2 /= n
	l1, l2, l3 := b0, 2*b1-b0, 6*b2-6*b1+b0
	if !(l2 > 0) {
		return nil, false
	}
	t3 := l3 / l2
	z := 2/(3+t3) - math.Ln2/math.Log(3)
	k := 7.8590*z + 2.9554*z*z
	k = math.Max(math.Min(k, 0.9), -0.9)
	var alpha, xi float64
	if math.Abs(k) < 1e-6 {
		alpha = l2 / math.Ln2
		xi = l1 - 0.5772156649015329*alpha
		k = 0
	} else {
		g := math.Gamma(1 + k)
		alpha = l2 * k / ((1 - math.Pow(2, -k)) * g)
		xi = l1 - alpha*(1-g)/k
	}
	if !(alpha > 0) || math.IsNaN(xi) {
		return nil, false
	}
	return []float64{k, xi, alpha}, true
}

// meanSD returns the mean and the population standard deviation
// (divisor n) of v, summed in order.
func meanSD(v []float64) (mean, sd float64) {
	n := float64(len(v))
	for _, x := range v {
		mean += x
	}
	mean /= n
	m2 := 0.0
	for _, x := range v {
		m2 += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(m2 / n)
}
