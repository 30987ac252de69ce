package evt

import (
	"math"
	"slices"
)

// KS returns the two-sided Kolmogorov-Smirnov statistic
// D = sup_x |F_n(x) - F(x)| of the sample x against d (scipy.stats.kstest).
func KS(d Dist, x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	ks, _ := gofSorted(d, s)
	return ks
}

// AD returns the Anderson-Darling statistic
//
//	A^2 = -n - (1/n) sum_{i=1..n} (2i - 1) [ln F(x_(i)) + ln(1 - F(x_(n+1-i)))]
//
// of the sample x against d, with ln(1 - F) computed as ln SF for accuracy
// in the upper tail. A point outside the support gives +Inf.
func AD(d Dist, x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	_, ad := gofSorted(d, s)
	return ad
}

// gofSorted returns the KS and AD statistics of the sorted sample xs,
// evaluating the distribution's tail once per point.
func gofSorted(d Dist, xs []float64) (ks, ad float64) {
	if !d.ok() {
		return math.NaN(), math.NaN()
	}
	n := len(xs)
	fn := float64(n)
	var sLogF, sLogS float64 // sum (2i+1) ln F(x_i), sum (2(n-1-i)+1) ln S(x_i)
	for i, x := range xs {
		if math.IsNaN(x) {
			return math.NaN(), math.NaN()
		}
		w, expLower := d.tail(x)
		var f, logF, logS float64
		if expLower {
			f = math.Exp(-w)
			logF = -w
			logS = math.Log(-math.Expm1(-w))
		} else {
			f = -math.Expm1(-w)
			logF = math.Log(f)
			logS = -w
		}
		ks = math.Max(ks, math.Max(float64(i+1)/fn-f, f-float64(i)/fn))
		sLogF += float64(2*i+1) * logF
		sLogS += float64(2*(n-1-i)+1) * logS
	}
	return ks, -fn - (sLogF+sLogS)/fn
}
