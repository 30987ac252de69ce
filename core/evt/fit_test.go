package evt

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
)

// TestRecovery fits seeded samples of known distributions and requires
// every fitted parameter within 3 stated standard errors of the truth
// (reference/README-analysis.md: "do not test against the generating
// parameters except loosely").
func TestRecovery(t *testing.T) {
	for i, c := range []struct {
		d       Dist
		freeLoc bool
		n       int
	}{
		{Dist{Family: WeibullMin, C: 2.3, Scale: 0.013}, false, 500},
		{Dist{Family: WeibullMin, C: 3, Loc: 0.5, Scale: 2}, true, 2000},
		{Dist{Family: WeibullMin, C: 0.8, Loc: 0, Scale: 1}, false, 1000},
		{Dist{Family: InvWeibull, C: 4, Scale: 1.5}, false, 1000},
		{Dist{Family: InvWeibull, C: 4, Loc: -1, Scale: 1.5}, true, 2000},
		{Dist{Family: GumbelR, Loc: 0.5, Scale: 1.5}, false, 1000},
		{Dist{Family: GumbelL, Loc: -1, Scale: 0.7}, false, 1000},
		{Dist{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2}, false, 2000},
		{Dist{Family: GenExtreme, C: 0.3, Loc: 0, Scale: 1}, false, 2000},
		{Dist{Family: GenExtreme, C: 0, Loc: 0, Scale: 1}, false, 2000},
	} {
		t.Run(c.d.String(), func(t *testing.T) {
			x := c.d.Sample(c.n, uint64(1000+i))
			r, err := Fit(c.d.Family, x, Options{FreeLoc: c.freeLoc})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Converged {
				t.Fatalf("not converged: %s", r.Message)
			}
			want := map[string]float64{"c": c.d.C, "loc": c.d.Loc, "scale": c.d.Scale, "xi": -c.d.C}
			for _, p := range r.Params {
				if p.Fixed {
					if p.Value != want[p.Name] || !math.IsNaN(p.StdErr) {
						t.Errorf("fixed %s = %v ± %v", p.Name, p.Value, p.StdErr)
					}
					continue
				}
				pull := (p.Value - want[p.Name]) / p.StdErr
				t.Logf("%s = %.5g ± %.3g (true %v, pull %+.2f)", p.Name, p.Value, p.StdErr, want[p.Name], pull)
				if !(math.Abs(pull) < 3) {
					t.Errorf("%s = %v ± %v is %.1f standard errors from %v", p.Name, p.Value, p.StdErr, pull, want[p.Name])
				}
			}
			for i, gi := range r.Gradient {
				// Gradient relative to the curvature: the offset it implies
				// must be negligible against the standard error.
				if off := math.Abs(gi) * r.Cov[i*len(r.Free)+i]; off > 1e-6*math.Sqrt(r.Cov[i*len(r.Free)+i]) {
					t.Errorf("gradient %v in %s is not at a maximum", gi, r.Free[i])
				}
			}
		})
	}
}

// TestFitBadInput checks the errors for samples that cannot be fitted.
func TestFitBadInput(t *testing.T) {
	ok := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		name string
		fam  Family
		x    []float64
		opt  Options
		want string
	}{
		{"empty", WeibullMin, nil, Options{}, "at least 5 points"},
		{"too few", GumbelR, []float64{1, 2, 3, 4}, Options{}, "at least 5 points"},
		{"too few for 3 params", GenExtreme, []float64{1, 2, 3, 4, 5, 6}, Options{}, "at least 10 points"},
		{"NaN", GumbelL, []float64{1, 2, math.NaN(), 4, 5}, Options{}, "x[2] = NaN"},
		{"Inf", GenExtreme, append([]float64{math.Inf(1)}, ok...), Options{}, "x[0] = +Inf"},
		{"zero for loc-0 weibull", WeibullMin, []float64{0.1, 0.2, 0, 0.4, 0.5}, Options{}, "x[2] = 0"},
		{"negative for loc-0 frechet", InvWeibull, []float64{0.1, -0.2, 0.3, 0.4, 0.5}, Options{}, "x[1] = -0.2"},
		{"below fixed loc", WeibullMin, []float64{1.1, 1.2, 1.3, 1.4, 0.9}, Options{Loc: 1}, "x[4] = 0.9"},
		{"all equal", GumbelR, []float64{2, 2, 2, 2, 2, 2}, Options{}, "no spread"},
		{"all equal weibull", WeibullMin, []float64{2, 2, 2, 2, 2, 2}, Options{}, "no spread"},
		{"two values for 3 params", GenExtreme, []float64{1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, Options{}, "3 distinct"},
		{"non-finite fixed loc", WeibullMin, ok, Options{Loc: math.NaN()}, "fixed loc"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Fit(c.fam, c.x, c.opt)
			if err == nil {
				t.Fatalf("no error, got %+v", r)
			}
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q: want ErrInput mentioning %q", err, c.want)
			}
		})
	}
	if _, err := Fit("normal", []float64{1, 2, 3, 4, 5}, Options{}); err == nil {
		t.Error("unknown family accepted")
	}
}

// TestFitBoundaries checks that fits without a maximum are reported as
// not converged, with a message, and no standard errors.
func TestFitBoundaries(t *testing.T) {
	for _, c := range []struct {
		name string
		d    Dist
		fam  Family
		want string
	}{
		// Weibull with c < 1 and free loc: the likelihood is unbounded as
		// loc -> min(x).
		{"weibull shape < 1", Dist{Family: WeibullMin, C: 0.7, Loc: 1, Scale: 2}, WeibullMin, "boundary loc -> min(x)"},
		// GEV data with c > 1: unbounded at the upper end point.
		{"gev c > 1", Dist{Family: GenExtreme, C: 1.5, Loc: 1, Scale: 2}, GenExtreme, "c = "},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Fit(c.fam, c.d.Sample(500, 3), Options{FreeLoc: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.Converged || !strings.Contains(r.Message, c.want) || r.Cov != nil {
				t.Errorf("converged=%v cov=%v message %q (want %q)", r.Converged, r.Cov, r.Message, c.want)
			}
			for _, p := range r.Params {
				if !math.IsNaN(p.StdErr) {
					t.Errorf("%s has a standard error %v on a failed fit", p.Name, p.StdErr)
				}
			}
			if _, err := r.BootstrapGOF(context.Background(), 10, 1, 1); err == nil {
				t.Error("bootstrap of a failed fit did not fail")
			}
			t.Log(r.Message)
		})
	}
	// A Weibull shape in (1, 2] with free loc converges with a caveat.
	r, err := Fit(WeibullMin, Dist{Family: WeibullMin, C: 1.5, Loc: 1, Scale: 2}.Sample(1000, 4), Options{FreeLoc: true})
	if err != nil || !r.Converged || !strings.Contains(r.Message, "non-regular") {
		t.Errorf("weibull c=1.5 free loc: err %v converged %v message %q", err, r.Converged, r.Message)
	}
}

// TestBootstrapGOF checks the parametric-bootstrap p-values: reproducible
// for a seed, independent of the worker count, sensitive to the seed, in
// (0, 1], and small for the loc-0 Weibull of the 500 nearest-neighbour
// distances, which the reference calls a poor fit (KS D = 0.1177,
// reference/evt/nn_weibull_fit.json).
func TestBootstrapGOF(t *testing.T) {
	ctx := context.Background()
	x := Dist{Family: WeibullMin, C: 3, Scale: 0.02}.Sample(500, 9)
	r, err := Fit(WeibullMin, x, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.BootstrapGOF(ctx, 100, 77, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.BootstrapGOF(ctx, 100, 77, 4)
	c, _ := r.BootstrapGOF(ctx, 100, 78, 2)
	if a.KS != b.KS || a.AD != b.AD || len(a.KSBoot) != len(b.KSBoot) {
		t.Fatalf("worker count changed the p-values: %v/%v vs %v/%v", a.KS, a.AD, b.KS, b.AD)
	}
	for i := range a.KSBoot {
		if a.KSBoot[i] != b.KSBoot[i] || a.ADBoot[i] != b.ADBoot[i] {
			t.Fatalf("replicate %d differs between worker counts", i)
		}
	}
	if a.KSBoot[0] == c.KSBoot[0] {
		t.Error("another seed gave the same first replicate")
	}
	for _, p := range []float64{a.KS, a.AD} {
		if !(p > 0 && p <= 1) {
			t.Errorf("p-value %v outside (0, 1]", p)
		}
	}
	if a.KS < 0.01 || a.AD < 0.01 {
		t.Errorf("well-specified fit: p-values KS %v AD %v", a.KS, a.AD)
	}
	if a.Failed != 0 || a.NBoot != 100 {
		t.Errorf("failed %d of %d", a.Failed, a.NBoot)
	}
	t.Logf("well-specified weibull_min n=500: KS D=%.4f p=%.3f, A2=%.3f p=%.3f", r.KS, a.KS, r.AD, a.AD)

	_, cols := sharedtest.ReadCSVColumns(t, "reference/evt/nn_distances_500.csv")
	nn, err := Fit(WeibullMin, cols["nn_distance"], Options{})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := nn.BootstrapGOF(ctx, 200, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if pv.KS != 1.0/201 || pv.AD != 1.0/201 {
		t.Errorf("nn distances: p-values KS %v AD %v, want the minimum 1/201", pv.KS, pv.AD)
	}
	t.Logf("nn distances loc-0 weibull: KS D=%.4f p=%.4f, A2=%.2f p=%.4f (n_boot=200)", nn.KS, pv.KS, nn.AD, pv.AD)

	if _, err := r.BootstrapGOF(ctx, 0, 1, 1); err == nil {
		t.Error("n_boot = 0 accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.BootstrapGOF(cctx, 50, 1, 2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestBootstrapAllFamilies runs a small bootstrap for every family and
// layout: no replicate may fail on well-specified data.
func TestBootstrapAllFamilies(t *testing.T) {
	for i, c := range []struct {
		d       Dist
		freeLoc bool
	}{
		{Dist{Family: WeibullMin, C: 3, Loc: 0.5, Scale: 2}, true},
		{Dist{Family: InvWeibull, C: 4, Scale: 1.5}, false},
		{Dist{Family: InvWeibull, C: 4, Loc: -1, Scale: 1.5}, true},
		{Dist{Family: GumbelR, Loc: 0.5, Scale: 1.5}, false},
		{Dist{Family: GumbelL, Loc: -1, Scale: 0.7}, false},
		{Dist{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2}, false},
	} {
		r, err := Fit(c.d.Family, c.d.Sample(200, uint64(50+i)), Options{FreeLoc: c.freeLoc})
		if err != nil || !r.Converged {
			t.Fatalf("%v: %v %v", c.d, err, r.Message)
		}
		pv, err := r.BootstrapGOF(context.Background(), 40, 3, 0)
		if err != nil {
			t.Fatal(err)
		}
		if pv.Failed != 0 || !(pv.KS > 0.01) || !(pv.AD > 0.01) {
			t.Errorf("%v: failed %d, p-values KS %v AD %v", c.d, pv.Failed, pv.KS, pv.AD)
		}
	}
}

// TestPullCalibration checks that the standard errors are calibrated:
// over 150 seeded samples the pulls (estimate - truth)/stderr have mean
// near 0 and standard deviation near 1 (for 150 draws, a 4-sigma window
// is |mean| < 0.33 and sd within [0.77, 1.23]).
func TestPullCalibration(t *testing.T) {
	for _, c := range []struct {
		d       Dist
		freeLoc bool
	}{
		{Dist{Family: WeibullMin, C: 2.5, Scale: 0.012}, false},
		{Dist{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2}, false},
		{Dist{Family: InvWeibull, C: 3, Loc: 1, Scale: 2}, true},
	} {
		want := map[string]float64{"c": c.d.C, "loc": c.d.Loc, "scale": c.d.Scale, "xi": -c.d.C}
		sum, sum2 := map[string]float64{}, map[string]float64{}
		const reps = 150
		for s := uint64(1); s <= reps; s++ {
			r, err := Fit(c.d.Family, c.d.Sample(500, s), Options{FreeLoc: c.freeLoc})
			if err != nil || !r.Converged {
				t.Fatalf("%v seed %d: %v %v", c.d, s, err, r)
			}
			for _, p := range r.Params {
				if !p.Fixed {
					z := (p.Value - want[p.Name]) / p.StdErr
					sum[p.Name] += z
					sum2[p.Name] += z * z
				}
			}
		}
		for name := range sum {
			m := sum[name] / reps
			sd := math.Sqrt(sum2[name]/reps - m*m)
			t.Logf("%v %s: pull mean %+.3f sd %.3f", c.d, name, m, sd)
			if math.Abs(m) > 0.33 || sd < 0.77 || sd > 1.23 {
				t.Errorf("%v %s: pull mean %v sd %v", c.d, name, m, sd)
			}
		}
	}
}

// TestEquivariance checks that fitting a x + b gives loc a loc + b,
// scale a scale and the same shape and log-likelihood up to n ln a, for
// affine maps spanning many orders of magnitude.
func TestEquivariance(t *testing.T) {
	for _, c := range []struct {
		d       Dist
		freeLoc bool
	}{
		{Dist{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2}, false},
		{Dist{Family: GumbelL, Loc: -1, Scale: 0.7}, false},
		{Dist{Family: WeibullMin, C: 3, Loc: 0.5, Scale: 2}, true},
		{Dist{Family: InvWeibull, C: 4, Loc: -1, Scale: 1.5}, true},
	} {
		x := c.d.Sample(1000, 21)
		base, err := Fit(c.d.Family, x, Options{FreeLoc: c.freeLoc})
		if err != nil || !base.Converged {
			t.Fatalf("%v: %v", c.d, err)
		}
		for _, m := range []struct{ a, b float64 }{{1e-4, 0}, {1e-3, 50}, {1e5, -3e5}} {
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = m.a*v + m.b
			}
			r, err := Fit(c.d.Family, y, Options{FreeLoc: c.freeLoc})
			if err != nil || !r.Converged {
				t.Fatalf("%v a=%v b=%v: %v %v", c.d, m.a, m.b, err, r.Message)
			}
			checks := []struct {
				what      string
				got, want float64
			}{
				{"c", r.Dist.C, base.Dist.C},
				{"scale", r.Dist.Scale, m.a * base.Dist.Scale},
				{"loglik", r.LogLik, base.LogLik - float64(len(x))*math.Log(m.a)},
			}
			for _, ck := range checks {
				if e := math.Abs(ck.got - ck.want); e > 1e-6*math.Max(1, math.Abs(ck.want)) {
					t.Errorf("%v a=%v b=%v: %s = %.12g, want %.12g", c.d, m.a, m.b, ck.what, ck.got, ck.want)
				}
			}
			// loc relative to the scale (b may dwarf it).
			if e := math.Abs(r.Dist.Loc-(m.a*base.Dist.Loc+m.b)) / r.Dist.Scale; e > 1e-6 {
				t.Errorf("%v a=%v b=%v: loc %.12g, want %.12g", c.d, m.a, m.b, r.Dist.Loc, m.a*base.Dist.Loc+m.b)
			}
		}
	}
}

// TestRootIncreasing solves increasing equations from far-off starts.
func TestRootIncreasing(t *testing.T) {
	// f(x) = ln x - ln r has f(0+) = -inf and f(inf) = inf.
	for _, r := range []float64{1e-6, 0.3, 7, 1e9} {
		for _, x0 := range []float64{1e-12, 1, 1e12} {
			fd := func(x float64) (float64, float64) { return math.Log(x) - math.Log(r), 1 / x }
			got, err := rootIncreasing(fd, x0, 500)
			if err != nil || relErr(got, r) > 1e-14 {
				t.Errorf("root %v from %v: got %v, %v", r, x0, got, err)
			}
		}
	}
	// The Weibull profile equation from bad hints gives the same shape.
	y := Dist{Family: WeibullMin, C: 2.5, Scale: 1}.Sample(500, 2)
	c0, _, _, _ := fitWeibull0(y, 0, nil)
	for _, hint := range []float64{1e-6, 1e6} {
		c, _, _, err := fitWeibull0(y, hint, nil)
		if err != nil || relErr(c, c0) > 1e-13 {
			t.Errorf("hint %v: c = %v (%v), want %v", hint, c, err, c0)
		}
	}
}

// TestExtremeShapes fits Weibull samples with very small and very large
// shapes and a Gumbel with a tiny scale (within 3 standard errors).
func TestExtremeShapes(t *testing.T) {
	for i, d := range []Dist{
		{Family: WeibullMin, C: 0.2, Scale: 1e-3},
		{Family: WeibullMin, C: 50, Scale: 7},
		{Family: InvWeibull, C: 0.3, Scale: 2},
		{Family: GumbelR, Loc: 1e6, Scale: 1e-3},
	} {
		r, err := Fit(d.Family, d.Sample(1000, uint64(30+i)), Options{})
		if err != nil || !r.Converged {
			t.Fatalf("%v: %v", d, err)
		}
		for _, p := range r.Params {
			want := map[string]float64{"c": d.C, "loc": d.Loc, "scale": d.Scale}[p.Name]
			if !p.Fixed && !(math.Abs(p.Value-want) < 3*p.StdErr) {
				t.Errorf("%v: %s = %v ± %v", d, p.Name, p.Value, p.StdErr)
			}
		}
	}
}
