package evt

import (
	"math"
	"testing"

	"github.com/smearflow/smearflow/core/evt/evttest"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// checkFitAgainst compares a Fit with one reference fit report, with the
// tolerances of reference/README-analysis.md ("Tolerances (evt)").
func checkFitAgainst(t *testing.T, name string, x []float64, ref refFit) *Result {
	t.Helper()
	fam := Family(ref.Family)
	_, fixed := ref.Fixed["loc"]
	r, err := Fit(fam, x, Options{FreeLoc: !fixed && fam != GumbelR && fam != GumbelL && fam != GenExtreme})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !r.Converged {
		t.Fatalf("%s: not converged: %s", name, r.Message)
	}
	if r.N != ref.N {
		t.Errorf("%s: n = %d, want %d", name, r.N, ref.N)
	}
	// MLE parameters: 1e-6 relative; GEV shape 1e-5 absolute.
	for pname, want := range ref.MLE {
		p, ok := r.Param(pname)
		if !ok {
			t.Errorf("%s: no parameter %s", name, pname)
			continue
		}
		tol, e := 1e-6, relErr(p.Value, want)
		if fam == GenExtreme && pname == "c" {
			tol, e = 1e-5, math.Abs(p.Value-want)
		}
		if e > tol {
			t.Errorf("%s: %s = %.15g, want %.15g (err %.2g > %.0g)", name, pname, p.Value, want, e, tol)
		}
		t.Logf("%s: %s = %.12g ref %.12g err %.2g", name, pname, p.Value, want, e)
	}
	if ref.XiMLE != nil {
		p, _ := r.Param("xi")
		if math.Abs(p.Value-*ref.XiMLE) > 1e-5 {
			t.Errorf("%s: xi = %v, want %v", name, p.Value, *ref.XiMLE)
		}
	}
	// Against scipy's own (early-stopped) fit: 1e-3 relative.
	for pname, want := range ref.ScipyFit {
		p, _ := r.Param(pname)
		if e := relErr(p.Value, want); e > 1e-3 && math.Abs(want) > 0 {
			t.Errorf("%s: %s = %v vs scipy_fit %v (err %.2g > 1e-3)", name, pname, p.Value, want, e)
		}
	}
	// Log-likelihood at our MLE: 1e-8 relative; AIC likewise.
	if e := relErr(r.LogLik, ref.LogLikAtMLE); e > 1e-8 {
		t.Errorf("%s: loglik = %.15g, want %.15g (err %.2g)", name, r.LogLik, ref.LogLikAtMLE, e)
	}
	if e := relErr(r.AIC, ref.AIC); e > 1e-8 {
		t.Errorf("%s: AIC = %.15g, want %.15g (err %.2g)", name, r.AIC, ref.AIC, e)
	}
	t.Logf("%s: loglik %.15g ref %.15g err %.2g; KS %.6g; A2 %.6g", name, r.LogLik, ref.LogLikAtMLE, relErr(r.LogLik, ref.LogLikAtMLE), r.KS, r.AD)
	// Standard errors from the observed information: 1e-3 relative.
	for _, pname := range ref.FreeParams {
		p, _ := r.Param(pname)
		want := ref.StdErr[pname]
		if e := relErr(p.StdErr, want); !(e <= 1e-3) {
			t.Errorf("%s: stderr(%s) = %.10g, want %.10g (err %.2g > 1e-3)", name, pname, p.StdErr, want, e)
		} else {
			t.Logf("%s: stderr(%s) = %.10g ref %.10g err %.2g", name, pname, p.StdErr, want, e)
		}
	}
	if got, want := len(r.Free), len(ref.FreeParams); got != want {
		t.Errorf("%s: %d free parameters, want %d", name, got, want)
	}
	// Statistics evaluated at the file's parameters: 1e-10 relative.
	d := refDist(ref, ref.MLE)
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"KS at mle", KS(d, x), ref.KS},
		{"A2 at mle", AD(d, x), ref.A2},
		{"loglik at mle", d.LogLik(x), ref.LogLikAtMLE},
		{"loglik at scipy_fit", refDist(ref, ref.ScipyFit).LogLik(x), ref.LogLikAtScipy},
	} {
		if e := relErr(c.got, c.want); !(e <= 1e-10) {
			t.Errorf("%s: %s = %.16g, want %.16g (err %.2g > 1e-10)", name, c.what, c.got, c.want, e)
		} else {
			t.Logf("%s: %s err %.2g", name, c.what, e)
		}
	}
	return r
}

// TestSyntheticReference checks every family against
// reference/evt/synthetic_<family>.csv and synthetic_fits.json.
func TestSyntheticReference(t *testing.T) {
	var refs map[string]refFit
	sharedtest.ReadJSON(t, "reference/evt/synthetic_fits.json", &refs)
	for _, fam := range Families {
		t.Run(string(fam), func(t *testing.T) {
			ref, ok := refs[string(fam)]
			if !ok {
				t.Fatalf("no reference for %s", fam)
			}
			_, cols := sharedtest.ReadCSVColumns(t, "reference/evt/"+ref.File)
			checkFitAgainst(t, string(fam), cols["x"], ref)
		})
	}
}

// TestNNWeibullReference checks the loc-0 Weibull fits of the 500
// nearest-neighbour SEMD distances (reference/evt/nn_distances_500.csv,
// nn_weibull_fit.json): all jets, quark queries and gluon queries.
func TestNNWeibullReference(t *testing.T) {
	refs := evttest.NNFits(t)
	all, quark, gluon := evttest.NNDistances(t)
	for _, c := range []struct {
		key string
		x   []float64
	}{{"all_500", all}, {"quark_queries_only", quark}, {"gluon_queries_only", gluon}} {
		t.Run(c.key, func(t *testing.T) {
			ref, ok := refs[c.key]
			if !ok {
				t.Fatalf("no reference %s", c.key)
			}
			checkFitAgainst(t, c.key, c.x, ref)
		})
	}
}
