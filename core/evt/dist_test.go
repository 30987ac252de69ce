package evt

import (
	"math"
	"testing"
)

// testDists covers every family with a few parameter sets, including GEV
// shapes of both signs, zero and very small.
var testDists = []Dist{
	{Family: WeibullMin, C: 3, Loc: 0, Scale: 0.02},
	{Family: WeibullMin, C: 0.7, Loc: 1, Scale: 2},
	{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2},
	{Family: GenExtreme, C: 0.4, Loc: -1, Scale: 0.5},
	{Family: GenExtreme, C: 0, Loc: 0, Scale: 1},
	{Family: GenExtreme, C: 1e-9, Loc: 0, Scale: 1},
	{Family: GumbelR, Loc: 0.5, Scale: 1.5},
	{Family: GumbelL, Loc: -1, Scale: 0.7},
	{Family: InvWeibull, C: 4, Loc: 0, Scale: 1.5},
	{Family: InvWeibull, C: 1.2, Loc: -2, Scale: 3},
}

// TestDistIdentities checks, for every family, Quantile(CDF(x)) = x,
// CDF + SF = 1, exp(LogCDF) = CDF, exp(LogSF) = SF and PDF = dCDF/dx
// (central differences) at the 5%, ..., 95% quantiles.
func TestDistIdentities(t *testing.T) {
	for _, d := range testDists {
		t.Run(d.String(), func(t *testing.T) {
			for _, p := range []float64{0.05, 0.2, 0.5, 0.8, 0.95} {
				x := d.Quantile(p)
				if e := math.Abs(d.CDF(x) - p); e > 1e-14 {
					t.Errorf("CDF(Quantile(%v)) = %v", p, d.CDF(x))
				}
				if e := math.Abs(d.CDF(x) + d.SF(x) - 1); e > 1e-15 {
					t.Errorf("CDF + SF - 1 = %v at %v", e, x)
				}
				if e := relErr(math.Exp(d.LogCDF(x)), d.CDF(x)); e > 1e-14 {
					t.Errorf("exp(LogCDF) vs CDF: %v", e)
				}
				if e := relErr(math.Exp(d.LogSF(x)), d.SF(x)); e > 1e-14 {
					t.Errorf("exp(LogSF) vs SF: %v", e)
				}
				h := 1e-5 * d.Scale
				num := (d.CDF(x+h) - d.CDF(x-h)) / (2 * h)
				if e := relErr(d.PDF(x), num); e > 1e-7 {
					t.Errorf("PDF(%v) = %v, numerical dCDF/dx = %v (err %.2g)", x, d.PDF(x), num, e)
				}
			}
		})
	}
}

// TestDistClosedForms checks values computed by hand from the formulas of
// reference/README-analysis.md ("Distributions").
func TestDistClosedForms(t *testing.T) {
	e1 := math.Exp(-1)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"weibull_min(2,0,1) CDF(1)", Dist{Family: WeibullMin, C: 2, Scale: 1}.CDF(1), 1 - e1},
		{"weibull_min(2,0,1) PDF(1)", Dist{Family: WeibullMin, C: 2, Scale: 1}.PDF(1), 2 * e1},
		{"weibull_min(2,1,3) CDF(4)", Dist{Family: WeibullMin, C: 2, Loc: 1, Scale: 3}.CDF(4), 1 - e1},
		{"weibull_min CDF below loc", Dist{Family: WeibullMin, C: 2, Loc: 1, Scale: 3}.CDF(0.5), 0},
		{"weibull_min(1) PDF at loc", Dist{Family: WeibullMin, C: 1, Scale: 2}.PDF(0), 0.5},
		{"gumbel_r CDF(loc)", Dist{Family: GumbelR, Loc: 2, Scale: 5}.CDF(2), e1},
		{"gumbel_r PDF(loc)", Dist{Family: GumbelR, Loc: 2, Scale: 5}.PDF(2), e1 / 5},
		{"gumbel_l CDF(loc)", Dist{Family: GumbelL, Loc: 2, Scale: 5}.CDF(2), 1 - e1},
		{"gumbel_l quantile", Dist{Family: GumbelL, Loc: 2, Scale: 5}.Quantile(1 - e1), 2},
		{"invweibull(1) CDF(1)", Dist{Family: InvWeibull, C: 1, Scale: 1}.CDF(1), e1},
		{"invweibull(3,0,2) PDF(2)", Dist{Family: InvWeibull, C: 3, Scale: 2}.PDF(2), 3 * e1 / 2},
		{"genextreme c=0.5 CDF(1)", Dist{Family: GenExtreme, C: 0.5, Scale: 1}.CDF(1), math.Exp(-0.25)},
		{"genextreme c=-1 CDF(1)", Dist{Family: GenExtreme, C: -1, Scale: 1}.CDF(1), math.Exp(-0.5)},
		{"genextreme c=0 = gumbel_r", Dist{Family: GenExtreme, Loc: 1, Scale: 2}.LogPDF(3.3), Dist{Family: GumbelR, Loc: 1, Scale: 2}.LogPDF(3.3)},
		{"genextreme c=1e-16 ~ gumbel_r", Dist{Family: GenExtreme, C: 1e-16, Loc: 1, Scale: 2}.CDF(3.3), Dist{Family: GumbelR, Loc: 1, Scale: 2}.CDF(3.3)},
		{"genextreme c>0 above end point", Dist{Family: GenExtreme, C: 0.5, Scale: 1}.CDF(2.5), 1},
		{"genextreme c<0 below end point", Dist{Family: GenExtreme, C: -0.5, Scale: 1}.CDF(-2.5), 0},
		{"genextreme c=0.5 quantile", Dist{Family: GenExtreme, C: 0.5, Scale: 1}.Quantile(math.Exp(-0.25)), 1},
		// 1/X of a Frechet(c, s) is a Weibull(c, 1/s).
		{"frechet/weibull duality", Dist{Family: InvWeibull, C: 2.5, Scale: 4}.SF(1 / 0.3), Dist{Family: WeibullMin, C: 2.5, Scale: 0.25}.CDF(0.3)},
	} {
		if e := relErr(c.got, c.want); e > 1e-14 {
			t.Errorf("%s = %.17g, want %.17g (err %.2g)", c.name, c.got, c.want, e)
		}
	}
	lo, hi := Dist{Family: GenExtreme, C: -0.5, Loc: 1, Scale: 2}.Support()
	if lo != -3 || !math.IsInf(hi, 1) {
		t.Errorf("genextreme c=-0.5 support (%v, %v), want (-3, inf)", lo, hi)
	}
	if xi := (Dist{Family: GenExtreme, C: -0.1}).Xi(); xi != 0.1 {
		t.Errorf("xi = %v", xi)
	}
}

// TestDistInvalid checks that invalid parameters are rejected and give NaN.
func TestDistInvalid(t *testing.T) {
	for _, d := range []Dist{
		{Family: WeibullMin, C: 0, Scale: 1},
		{Family: WeibullMin, C: -1, Scale: 1},
		{Family: InvWeibull, C: 2, Scale: 0},
		{Family: GumbelR, Scale: math.NaN()},
		{Family: GenExtreme, C: math.Inf(1), Scale: 1},
		{Family: GumbelL, Loc: math.Inf(1), Scale: 1},
		{Family: "normal", Scale: 1},
	} {
		if d.Validate() == nil {
			t.Errorf("%v: Validate accepted it", d)
		}
		if !math.IsNaN(d.CDF(1)) || !math.IsNaN(d.LogPDF(1)) || !math.IsNaN(d.Quantile(0.5)) || !math.IsNaN(d.LogLik([]float64{1})) {
			t.Errorf("%v: methods did not return NaN", d)
		}
	}
	d := Dist{Family: GumbelR, Scale: 1}
	if !math.IsNaN(d.Quantile(1.5)) || !math.IsNaN(d.Quantile(-0.1)) || !math.IsNaN(d.CDF(math.NaN())) {
		t.Error("out-of-range probability or NaN x did not give NaN")
	}
	if _, err := ParseFamily("weibull_max"); err == nil {
		t.Error("ParseFamily accepted weibull_max")
	}
}

// TestSampleMatchesCDF draws seeded samples and checks them with the KS
// statistic (the 0.1% critical value for n = 4000 is 1.95/sqrt(n) = 0.031)
// and that the same seed reproduces the same numbers.
func TestSampleMatchesCDF(t *testing.T) {
	for i, d := range testDists {
		x := d.Sample(4000, uint64(100+i))
		if D := KS(d, x); D > 0.031 {
			t.Errorf("%v: KS D = %v for its own sample", d, D)
		}
		y := d.Sample(4000, uint64(100+i))
		for j := range x {
			if x[j] != y[j] {
				t.Fatalf("%v: same seed gave different samples", d)
			}
		}
		lo, hi := d.Support()
		for _, v := range x {
			if !(v > lo && v < hi) && !(v >= lo && d.Family == GenExtreme) {
				t.Fatalf("%v: draw %v outside the support (%v, %v)", d, v, lo, hi)
			}
		}
	}
}

// TestPhisSeries checks that the series and closed forms of ln(1+a)/a and
// its derivatives agree where they meet.
func TestPhisSeries(t *testing.T) {
	for _, a := range []float64{0.05, -0.05} {
		in := a * (1 - 1e-12)
		p0, p1, p2 := phis(in)
		q0, q1, q2 := phis(a * (1 + 1e-12))
		if relErr(p0, q0) > 1e-12 || relErr(p1, q1) > 1e-11 || relErr(p2, q2) > 1e-10 {
			t.Errorf("a = %v: series (%v %v %v) vs closed form (%v %v %v)", a, p0, p1, p2, q0, q1, q2)
		}
	}
	if p0, p1, p2 := phis(0); p0 != 1 || p1 != -0.5 || math.Abs(p2-2.0/3) > 1e-16 {
		t.Errorf("phis(0) = %v %v %v", p0, p1, p2)
	}
}

// TestDerivatives compares the analytic gradient and Hessian of the
// log-likelihood with central finite differences of the log-likelihood
// (and of the analytic gradient), for every family and parameter layout.
func TestDerivatives(t *testing.T) {
	cases := []struct {
		d       Dist
		freeLoc bool
		at      []float64 // evaluate at these (c, loc, scale), off the MLE
	}{
		{Dist{Family: WeibullMin, C: 2.5, Scale: 1}, false, []float64{2.2, 0, 1.1}},
		{Dist{Family: WeibullMin, C: 2.5, Loc: 1, Scale: 1}, true, []float64{2.2, 0.8, 1.1}},
		{Dist{Family: InvWeibull, C: 3, Scale: 1}, false, []float64{2.7, 0, 0.9}},
		{Dist{Family: InvWeibull, C: 3, Loc: -1, Scale: 1}, true, []float64{2.7, -1.3, 1.2}},
		{Dist{Family: GumbelR, Loc: 1, Scale: 2}, true, []float64{0, 1.2, 1.8}},
		{Dist{Family: GumbelL, Loc: 1, Scale: 2}, true, []float64{0, 0.8, 2.3}},
		{Dist{Family: GenExtreme, C: -0.2, Loc: 1, Scale: 2}, true, []float64{-0.15, 1.1, 2.1}},
		{Dist{Family: GenExtreme, C: 0.3, Loc: 1, Scale: 2}, true, []float64{0.25, 1.1, 2.1}},
		{Dist{Family: GenExtreme, C: 0, Loc: 1, Scale: 2}, true, []float64{0.004, 1.1, 2.1}},
		{Dist{Family: GenExtreme, C: 0, Loc: 1, Scale: 2}, true, []float64{1e-7, 1.1, 2.1}},
		{Dist{Family: GenExtreme, C: 0, Loc: 1, Scale: 2}, true, []float64{0, 1.1, 2.1}},
	}
	for _, c := range cases {
		x := c.d.Sample(300, 11)
		m := newModel(c.d.Family, x, Options{FreeLoc: c.freeLoc})
		p := m.pack(c.at[0], c.at[1], c.at[2])
		k := m.dim()
		g := make([]float64, k)
		h := make([]float64, k*k)
		ll, ok := m.derivs(p, g, h)
		if !ok {
			t.Fatalf("%v: derivs outside support", c.d)
		}
		if v, _ := m.value(p); relErr(v, ll) > 1e-13 {
			t.Errorf("%v: value %v vs derivs %v", c.d, v, ll)
		}
		gi := make([]float64, k)
		hi := make([]float64, k*k)
		for i := 0; i < k; i++ {
			step := 1e-5 * math.Max(math.Abs(p[i]), 0.1)
			q := append([]float64(nil), p...)
			q[i] = p[i] + step
			fp, _ := m.value(q)
			m.derivs(q, gi, hi)
			gp := append([]float64(nil), gi...)
			q[i] = p[i] - step
			fm, _ := m.value(q)
			m.derivs(q, gi, hi)
			num := (fp - fm) / (2 * step)
			if e := math.Abs(g[i] - num); e > 1e-6*(1+math.Abs(num)) {
				t.Errorf("%v at %v: d ll/d %s = %.10g, numerical %.10g", c.d, c.at, m.names()[i], g[i], num)
			}
			for j := 0; j < k; j++ {
				numH := (gp[j] - gi[j]) / (2 * step)
				if e := math.Abs(h[i*k+j] - numH); e > 1e-6*(1+math.Abs(numH)) {
					t.Errorf("%v at %v: H[%s,%s] = %.10g, numerical %.10g", c.d, c.at, m.names()[i], m.names()[j], h[i*k+j], numH)
				}
			}
		}
	}
}
