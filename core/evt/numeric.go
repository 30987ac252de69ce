package evt

import (
	"errors"
	"math"
)

const eps = 2.220446049250313e-16

// brentMin minimises f on [a, b] (Brent's golden-section and parabolic
// interpolation), starting at x in (a, b), to the tolerance tol.
func brentMin(f func(float64) float64, a, b, x, tol float64, maxIter int) (xmin, fmin float64) {
	const cgold = 0.3819660112501051
	w, v := x, x
	fx := f(x)
	fw, fv := fx, fx
	d, e := 0.0, 0.0
	for it := 0; it < maxIter; it++ {
		xm := 0.5 * (a + b)
		tol1 := tol*math.Abs(x) + 1e-12
		tol2 := 2 * tol1
		if math.Abs(x-xm) <= tol2-0.5*(b-a) {
			break
		}
		if math.Abs(e) > tol1 {
			r := (x - w) * (fx - fv)
			q := (x - v) * (fx - fw)
			p := (x-v)*q - (x-w)*r
			q = 2 * (q - r)
			if q > 0 {
				p = -p
			}
			q = math.Abs(q)
			etemp := e
			e = d
			if math.Abs(p) >= math.Abs(0.5*q*etemp) || p <= q*(a-x) || p >= q*(b-x) {
				if x >= xm {
					e = a - x
				} else {
					e = b - x
				}
				d = cgold * e
			} else {
				d = p / q
				u := x + d
				if u-a < tol2 || b-u < tol2 {
					d = math.Copysign(tol1, xm-x)
				}
			}
		} else {
			if x >= xm {
				e = a - x
			} else {
				e = b - x
			}
			d = cgold * e
		}
		var u float64
		if math.Abs(d) >= tol1 {
			u = x + d
		} else {
			u = x + math.Copysign(tol1, d)
		}
		fu := f(u)
		if fu <= fx {
			if u >= x {
				a = x
			} else {
				b = x
			}
			v, w, x = w, x, u
			fv, fw, fx = fw, fx, fu
		} else {
			if u < x {
				a = u
			} else {
				b = u
			}
			if fu <= fw || w == x {
				v, w = w, u
				fv, fw = fw, fu
			} else if fu <= fv || v == x || v == w {
				v, fv = u, fu
			}
		}
	}
	return x, fx
}

// cholesky factors the symmetric d*d matrix a (row-major) in place into
// its lower factor and reports whether a is positive definite.
func cholesky(a []float64, d int) bool {
	for j := 0; j < d; j++ {
		s := a[j*d+j]
		for k := 0; k < j; k++ {
			s -= a[j*d+k] * a[j*d+k]
		}
		if !(s > 0) || math.IsInf(s, 0) {
			return false
		}
		s = math.Sqrt(s)
		a[j*d+j] = s
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := 0; k < j; k++ {
				t -= a[i*d+k] * a[j*d+k]
			}
			a[i*d+j] = t / s
		}
	}
	return true
}

// cholSolve solves (L L^T) x = b with the factor from cholesky.
func cholSolve(l []float64, d int, b, x []float64) {
	for i := 0; i < d; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*d+k] * x[k]
		}
		x[i] = s / l[i*d+i]
	}
	for i := d - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < d; k++ {
			s -= l[k*d+i] * x[k]
		}
		x[i] = s / l[i*d+i]
	}
}

// spdInverse returns the inverse of the symmetric positive definite d*d
// matrix a, or ok = false if it is not positive definite.
func spdInverse(a []float64, d int) (inv []float64, ok bool) {
	l := append([]float64(nil), a...)
	if !cholesky(l, d) {
		return nil, false
	}
	inv = make([]float64, d*d)
	e := make([]float64, d)
	col := make([]float64, d)
	for j := 0; j < d; j++ {
		for i := range e {
			e[i] = 0
		}
		e[j] = 1
		cholSolve(l, d, e, col)
		for i := 0; i < d; i++ {
			inv[i*d+j] = col[i]
		}
	}
	return inv, true
}

// rootIncreasing finds the unique root on (0, inf) of an increasing
// function with f(0+) < 0 < f(inf), starting from x0 > 0: Newton steps
// inside the bracket known so far, falling back to bisection (geometric
// while the bracket is unbounded or spans decades) when a step leaves
// it. fd returns f and f'. It stops when the step is below 4 eps x.
func rootIncreasing(fd func(float64) (float64, float64), x0 float64, maxIter int) (float64, error) {
	xl, xh := 0.0, math.Inf(1)
	x := x0
	for it := 0; it < maxIter; it++ {
		f, df := fd(x)
		if math.IsNaN(f) {
			return math.NaN(), errors.New("function is NaN")
		}
		if f == 0 {
			return x, nil
		}
		if f < 0 {
			xl = x
		} else {
			xh = x
		}
		next := x - f/df
		if !(df > 0) || !(next > xl && next < xh) || math.IsInf(next, 0) {
			switch {
			case math.IsInf(xh, 1):
				next = 4 * x
			case xl == 0:
				next = x / 4
			default:
				next = math.Sqrt(xl * xh)
				if xh < 4*xl {
					next = 0.5 * (xl + xh)
				}
			}
		}
		if math.Abs(next-x) <= 4*eps*x || next == xl || next == xh {
			return next, nil
		}
		x = next
	}
	return x, errors.New("no convergence within the iteration limit")
}
