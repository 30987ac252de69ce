package evt

import "math"

// model is the log-likelihood of a sample for one family with some
// parameters held fixed. Free parameters are ordered as scipy orders them:
// [c] [loc] scale (c only for families with a shape, loc only when free).
type model struct {
	fam     Family
	x       []float64
	freeC   bool
	freeLoc bool
	c, loc  float64 // values used when not free
}

func (m *model) dim() int {
	k := 1
	if m.freeC {
		k++
	}
	if m.freeLoc {
		k++
	}
	return k
}

// names returns the free parameter names.
func (m *model) names() []string {
	var s []string
	if m.freeC {
		s = append(s, "c")
	}
	if m.freeLoc {
		s = append(s, "loc")
	}
	return append(s, "scale")
}

// unpack returns (c, loc, scale) from the free vector p.
func (m *model) unpack(p []float64) (c, loc, scale float64) {
	c, loc = m.c, m.loc
	i := 0
	if m.freeC {
		c = p[i]
		i++
	}
	if m.freeLoc {
		loc = p[i]
		i++
	}
	return c, loc, p[i]
}

// pack returns the free vector of (c, loc, scale).
func (m *model) pack(c, loc, scale float64) []float64 {
	var p []float64
	if m.freeC {
		p = append(p, c)
	}
	if m.freeLoc {
		p = append(p, loc)
	}
	return append(p, scale)
}

func (m *model) dist(p []float64) Dist {
	c, loc, s := m.unpack(p)
	return Dist{Family: m.fam, C: c, Loc: loc, Scale: s}
}

// valid reports whether the parameters are admissible (not whether the
// sample is inside the support).
func (m *model) valid(c, scale float64) bool {
	if !(scale > 0) || math.IsInf(scale, 0) || math.IsNaN(c) {
		return false
	}
	if m.fam == WeibullMin || m.fam == InvWeibull {
		return c > 0 && !math.IsInf(c, 0)
	}
	return !math.IsInf(c, 0)
}

// value returns the log-likelihood, or ok = false when the parameters are
// inadmissible or a point lies outside the open support.
func (m *model) value(p []float64) (ll float64, ok bool) {
	c, loc, s := m.unpack(p)
	if !m.valid(c, s) {
		return math.Inf(-1), false
	}
	sum := 0.0
	for _, v := range m.x {
		g := logKernel(m.fam, (v-loc)/s, c)
		if math.IsInf(g, 0) || math.IsNaN(g) {
			return math.Inf(-1), false
		}
		sum += g
	}
	return sum - float64(len(m.x))*math.Log(s), true
}

// derivs returns the log-likelihood with its gradient (len dim) and
// Hessian (dim*dim, row-major) in the free parameters.
func (m *model) derivs(p []float64, grad, hess []float64) (ll float64, ok bool) {
	c, loc, s := m.unpack(p)
	if !m.valid(c, s) {
		return math.Inf(-1), false
	}
	var k kd
	var sg, sgz, sgzz, sgzzZ, sgzzZ2, sgzZ, sgc, sgcc, sgzc, sgzcZ float64
	for _, v := range m.x {
		z := (v - loc) / s
		if !kernelDerivs(m.fam, z, c, &k) {
			return math.Inf(-1), false
		}
		sg += k.g
		sgz += k.gz
		sgzZ += k.gz * z
		sgzz += k.gzz
		sgzzZ += k.gzz * z
		sgzzZ2 += k.gzz * z * z
		sgc += k.gc
		sgcc += k.gcc
		sgzc += k.gzc
		sgzcZ += k.gzc * z
	}
	n := float64(len(m.x))
	ll = sg - n*math.Log(s)
	if math.IsNaN(ll) || math.IsInf(ll, 0) {
		return math.Inf(-1), false
	}
	// Indices of the free parameters; -1 when fixed.
	ic, il, is := -1, -1, 0
	i := 0
	if m.freeC {
		ic = i
		i++
	}
	if m.freeLoc {
		il = i
		i++
	}
	is = i
	d := i + 1
	set := func(a, b int, v float64) {
		hess[a*d+b] = v
		hess[b*d+a] = v
	}
	grad[is] = -n/s - sgzZ/s
	set(is, is, (n+sgzzZ2+2*sgzZ)/(s*s))
	if il >= 0 {
		grad[il] = -sgz / s
		set(il, il, sgzz/(s*s))
		set(il, is, (sgz+sgzzZ)/(s*s))
	}
	if ic >= 0 {
		grad[ic] = sgc
		set(ic, ic, sgcc)
		set(ic, is, -sgzcZ/s)
		if il >= 0 {
			set(ic, il, -sgzc/s)
		}
	}
	return ll, true
}
