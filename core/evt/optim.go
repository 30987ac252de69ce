package evt

import (
	"math"
	"sort"
)

// optResult is the outcome of a maximisation.
type optResult struct {
	p         []float64
	ll        float64
	iter      int
	converged bool
	msg       string
}

// maximizeLM maximises the log-likelihood from p0 by Newton's method with
// Levenberg-Marquardt damping (diagonal scaling): the step solves
// (-H + lambda diag|H|) step = grad and is accepted only if it raises the
// log-likelihood and keeps the sample inside the support. Convergence:
// the Newton decrement grad^T (-H)^{-1} grad falls below 1e-10 (1 + |ll|)
// with -H positive definite, after which one last full Newton step is
// taken (so the result is at the quadratic-convergence limit).
func maximizeLM(m *model, p0 []float64, maxIter int) optResult {
	d := m.dim()
	p := append([]float64(nil), p0...)
	g := make([]float64, d)
	h := make([]float64, d*d)
	a := make([]float64, d*d)
	step := make([]float64, d)
	trial := make([]float64, d)
	ll, ok := m.derivs(p, g, h)
	if !ok {
		return optResult{p: p, ll: ll, msg: "starting point outside the parameter domain or the sample outside the support"}
	}
	newton := func() (dec float64, pd bool) {
		for i := range a {
			a[i] = -h[i]
		}
		if !cholesky(a, d) {
			return math.Inf(1), false
		}
		cholSolve(a, d, g, step)
		dec = 0
		for i := range g {
			dec += g[i] * step[i]
		}
		return dec, true
	}
	lambda := 0.0
	for it := 1; it <= maxIter; it++ {
		dec, pd := newton()
		if pd && dec <= 1e-10*(1+math.Abs(ll)) {
			for i := range p {
				trial[i] = p[i] + step[i]
			}
			if llT, okT := m.value(trial); okT && llT >= ll-1e-12*(1+math.Abs(ll)) {
				copy(p, trial)
				ll = llT
			}
			return optResult{p: p, ll: ll, iter: it, converged: true}
		}
		accepted := false
		for try := 0; try < 60; try++ {
			for i := range a {
				a[i] = -h[i]
			}
			if lambda > 0 {
				for i := 0; i < d; i++ {
					a[i*d+i] += lambda * math.Max(math.Abs(h[i*d+i]), 1e-300)
				}
			}
			if !cholesky(a, d) {
				lambda = math.Max(lambda*10, 1e-6)
				continue
			}
			cholSolve(a, d, g, step)
			small := true
			for i := range p {
				trial[i] = p[i] + step[i]
				if math.Abs(step[i]) > 1e-15*(math.Abs(p[i])+1e-300) {
					small = false
				}
			}
			if small {
				break
			}
			if llT, okT := m.value(trial); okT && llT > ll {
				copy(p, trial)
				accepted = true
				lambda /= 10
				if lambda < 1e-9 {
					lambda = 0
				}
				break
			}
			lambda = math.Max(lambda*10, 1e-6)
			if lambda > 1e30 {
				break
			}
		}
		if !accepted {
			// No step improves the log-likelihood: we are at the rounding
			// limit if the decrement is small, stuck otherwise.
			if pd && dec <= 1e-9*(1+math.Abs(ll)) {
				return optResult{p: p, ll: ll, iter: it, converged: true}
			}
			return optResult{p: p, ll: ll, iter: it, msg: "damped Newton could not improve the log-likelihood (not at a maximum)"}
		}
		ll, ok = m.derivs(p, g, h)
		if !ok {
			return optResult{p: p, ll: ll, iter: it, msg: "iterate left the support"}
		}
	}
	return optResult{p: p, ll: ll, iter: maxIter, msg: "damped Newton: iteration limit reached"}
}

// nelderMead minimises f from x0 with initial simplex steps step (standard
// coefficients 1, 2, 1/2, 1/2). It stops when the spread of f over the
// simplex is below ftol (1 + |f_best|) or after maxIter iterations.
func nelderMead(f func([]float64) float64, x0, step []float64, maxIter int, ftol float64) (xbest []float64, fbest float64, iter int) {
	d := len(x0)
	pts := make([][]float64, d+1)
	fv := make([]float64, d+1)
	for i := range pts {
		pts[i] = append([]float64(nil), x0...)
		if i > 0 {
			pts[i][i-1] += step[i-1]
		}
		fv[i] = f(pts[i])
	}
	idx := make([]int, d+1)
	cen := make([]float64, d)
	xr := make([]float64, d)
	xe := make([]float64, d)
	xc := make([]float64, d)
	at := func(dst []float64, t float64, worst []float64) {
		for j := range dst {
			dst[j] = cen[j] + t*(worst[j]-cen[j])
		}
	}
	for iter = 0; iter < maxIter; iter++ {
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return fv[idx[a]] < fv[idx[b]] })
		best, worst, second := idx[0], idx[d], idx[d-1]
		if !math.IsInf(fv[worst], 1) && fv[worst]-fv[best] <= ftol*(1+math.Abs(fv[best])) {
			break
		}
		for j := range cen {
			cen[j] = 0
			for _, i := range idx[:d] {
				cen[j] += pts[i][j]
			}
			cen[j] /= float64(d)
		}
		at(xr, -1, pts[worst])
		fr := f(xr)
		switch {
		case fr < fv[best]:
			at(xe, -2, pts[worst])
			if fe := f(xe); fe < fr {
				copy(pts[worst], xe)
				fv[worst] = fe
			} else {
				copy(pts[worst], xr)
				fv[worst] = fr
			}
		case fr < fv[second]:
			copy(pts[worst], xr)
			fv[worst] = fr
		default:
			if fr < fv[worst] {
				at(xc, -0.5, pts[worst])
			} else {
				at(xc, 0.5, pts[worst])
			}
			if fc := f(xc); fc < math.Min(fr, fv[worst]) {
				copy(pts[worst], xc)
				fv[worst] = fc
			} else {
				for _, i := range idx[1:] {
					for j := range pts[i] {
						pts[i][j] = pts[best][j] + 0.5*(pts[i][j]-pts[best][j])
					}
					fv[i] = f(pts[i])
				}
			}
		}
	}
	b := 0
	for i := range fv {
		if fv[i] < fv[b] {
			b = i
		}
	}
	return pts[b], fv[b], iter
}
