package evt

import "math"

// The log density of every family is g(z; c) - ln(scale) with
// z = (x - loc)/scale. This file holds g and its partial derivatives in z
// and c, from which the log-likelihood's gradient and Hessian in
// (c, loc, scale) are assembled (loglik.go).

// logKernel returns g(z; c) (-Inf outside the support, +Inf where the
// density is infinite).
func logKernel(f Family, z, c float64) float64 {
	switch f {
	case WeibullMin:
		switch {
		case z < 0:
			return math.Inf(-1)
		case z == 0:
			switch {
			case c < 1:
				return math.Inf(1)
			case c == 1:
				return 0
			}
			return math.Inf(-1)
		}
		return math.Log(c) + (c-1)*math.Log(z) - math.Pow(z, c)
	case InvWeibull:
		if z <= 0 {
			return math.Inf(-1)
		}
		lz := math.Log(z)
		return math.Log(c) - (c+1)*lz - math.Exp(-c*lz)
	case GumbelR:
		return -z - math.Exp(-z)
	case GumbelL:
		return z - math.Exp(z)
	default: // GenExtreme
		a := -c * z
		switch {
		case a < -1:
			return math.Inf(-1)
		case a == -1:
			switch {
			case c == 1:
				return 0
			case c > 1:
				return math.Inf(1)
			}
			return math.Inf(-1)
		}
		psi := -z * log1pOver(a) // ln(1 - c z)/c
		return -math.Exp(psi) + psi - math.Log1p(a)
	}
}

// kd holds g and its partial derivatives at one point.
type kd struct {
	g, gz, gzz, gc, gcc, gzc float64
}

// kernelDerivs fills k at (z, c) and reports whether z is inside the open
// support (where every derivative is finite).
func kernelDerivs(f Family, z, c float64, k *kd) bool {
	switch f {
	case WeibullMin:
		if !(z > 0) {
			return false
		}
		lz := math.Log(z)
		w := math.Exp(c * lz)
		k.g = math.Log(c) + (c-1)*lz - w
		k.gz = (c - 1 - c*w) / z
		k.gzz = -(c - 1) * (1 + c*w) / (z * z)
		k.gc = 1/c + lz*(1-w)
		k.gcc = -1/(c*c) - w*lz*lz
		k.gzc = (1 - w - c*w*lz) / z
	case InvWeibull:
		if !(z > 0) {
			return false
		}
		lz := math.Log(z)
		w := math.Exp(-c * lz)
		k.g = math.Log(c) - (c+1)*lz - w
		k.gz = (c*w - c - 1) / z
		k.gzz = (c + 1) * (1 - c*w) / (z * z)
		k.gc = 1/c - lz*(1-w)
		k.gcc = -1/(c*c) - w*lz*lz
		k.gzc = (w - 1 - c*w*lz) / z
	case GumbelR:
		e := math.Exp(-z)
		k.g = -z - e
		k.gz = -1 + e
		k.gzz = -e
	case GumbelL:
		e := math.Exp(z)
		k.g = z - e
		k.gz = 1 - e
		k.gzz = -e
	default: // GenExtreme, scipy shape c
		a := -c * z
		if !(a > -1) || math.IsInf(a, 1) {
			return false
		}
		t := 1 + a
		p0, p1, p2 := phis(a)
		psi := -z * p0 // ln(t)/c, stable as c -> 0
		L := math.Log1p(a)
		u := math.Exp(psi)
		it := 1 / t
		psiZ, psiC := -it, z*z*p1
		psiZZ, psiCC, psiZC := -c*it*it, -z*z*z*p2, -z*it*it
		lZ, lC := -c*it, -z*it
		lZZ, lCC, lZC := -c*c*it*it, -z*z*it*it, -it*it
		k.g = -u + psi - L
		k.gz = (1-u)*psiZ - lZ
		k.gc = (1-u)*psiC - lC
		k.gzz = (1-u)*psiZZ - u*psiZ*psiZ - lZZ
		k.gcc = (1-u)*psiCC - u*psiC*psiC - lCC
		k.gzc = (1-u)*psiZC - u*psiZ*psiC - lZC
	}
	return true
}

// log1pOver returns ln(1 + a)/a (1 at a = 0), accurately for small |a|.
func log1pOver(a float64) float64 {
	if math.Abs(a) < 1e-4 {
		// 1 - a/2 + a^2/3 - a^3/4 + a^4/5
		return 1 + a*(-1.0/2+a*(1.0/3+a*(-1.0/4+a/5)))
	}
	return math.Log1p(a) / a
}

// phis returns phi(a) = ln(1+a)/a and its first two derivatives, with a
// power series for small |a| where the closed forms cancel.
func phis(a float64) (p0, p1, p2 float64) {
	if math.Abs(a) < 0.05 {
		// phi   = sum_{k>=0} (-1)^k a^k / (k+1)
		// phi'  = sum_{k>=1} (-1)^k k a^(k-1) / (k+1)
		// phi'' = sum_{k>=2} (-1)^k k (k-1) a^(k-2) / (k+1)
		const terms = 20
		for k := terms; k >= 0; k-- {
			s := 1.0
			if k%2 == 1 {
				s = -1
			}
			fk := float64(k)
			p0 = p0*a + s/(fk+1)
			if k >= 1 {
				p1 = p1*a + s*fk/(fk+1)
			}
			if k >= 2 {
				p2 = p2*a + s*fk*(fk-1)/(fk+1)
			}
		}
		return p0, p1, p2
	}
	l := math.Log1p(a)
	p0 = l / a
	n := a/(1+a) - l
	p1 = n / (a * a)
	p2 = -1/(a*(1+a)*(1+a)) - 2*n/(a*a*a)
	return p0, p1, p2
}
