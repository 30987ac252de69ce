package weibull

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/evt/evttest"
	"github.com/smearflow/smearflow/core/plugin"
)

var _ plugin.Fitter = New()

func TestInfo(t *testing.T) {
	evttest.CheckFitterInfo(t, New(), "weibull", "F(x) = 1 - exp(-((x - loc)/scale)^c)")
}

// TestReferenceNN fits the 500 nearest-neighbour SEMD distances (all,
// quark and gluon queries) as reference/evt/nn_weibull_fit.json does.
func TestReferenceNN(t *testing.T) {
	all, quark, gluon := evttest.NNDistances(t)
	refs := evttest.NNFits(t)
	res, err := New().Fit(context.Background(), plugin.FitRequest{
		Params: plugin.Params{"n_boot": int64(0)},
		Samples: []plugin.Sample{
			{Name: "all_500", Values: all}, {Name: "quark_queries_only", Values: quark}, {Name: "gluon_queries_only", Values: gluon}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results", len(res))
	}
	for _, r := range res {
		evttest.CheckFitResult(t, r.Sample, r, refs[r.Sample])
		if !math.IsNaN(r.KSPValue) || !math.IsNaN(r.ADPValue) {
			t.Errorf("%s: n_boot = 0 gave p-values %v %v", r.Sample, r.KSPValue, r.ADPValue)
		}
	}
}

// TestReferenceSynthetic fits reference/evt/synthetic_weibull_min.csv.
func TestReferenceSynthetic(t *testing.T) {
	evttest.FitSynthetic(t, New(), "weibull_min", nil, "synthetic")
}

// TestEvalQuantilesBootstrap checks the plot outputs against closed forms
// and that the bootstrap p-values are reproducible for a seed.
func TestEvalQuantilesBootstrap(t *testing.T) {
	x := evt.Dist{Family: evt.WeibullMin, C: 2.5, Scale: 0.01}.Sample(400, 1)
	req := plugin.FitRequest{
		Params: plugin.Params{"n_boot": int64(60)}, Seed: 3,
		Samples:       []plugin.Sample{{Name: "nn", Values: x}},
		Eval:          []float64{0.002, 0.01, 0.02},
		Probabilities: []float64{0.1, 0.5, 0.9},
	}
	a, err := New().Fit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New().Fit(context.Background(), req)
	r := a[0]
	if r.KSPValue != b[0].KSPValue || r.ADPValue != b[0].ADPValue || !(r.KSPValue > 0 && r.KSPValue <= 1) {
		t.Errorf("p-values %v %v vs %v %v", r.KSPValue, r.ADPValue, b[0].KSPValue, b[0].ADPValue)
	}
	c, s := r.Params[0].Value, r.Params[2].Value
	for i, xe := range req.Eval {
		z := xe / s
		cdf := 1 - math.Exp(-math.Pow(z, c))
		pdf := c / s * math.Pow(z, c-1) * math.Exp(-math.Pow(z, c))
		if evttest.RelErr(r.CDF[i], cdf) > 1e-13 || evttest.RelErr(r.PDF[i], pdf) > 1e-13 {
			t.Errorf("at %v: pdf %v cdf %v, want %v %v", xe, r.PDF[i], r.CDF[i], pdf, cdf)
		}
	}
	for i, p := range req.Probabilities {
		if q := s * math.Pow(-math.Log(1-p), 1/c); evttest.RelErr(r.Quantiles[i], q) > 1e-13 {
			t.Errorf("quantile %v = %v, want %v", p, r.Quantiles[i], q)
		}
	}
}

// TestFreeLoc recovers a shifted Weibull within 3 standard errors.
func TestFreeLoc(t *testing.T) {
	x := evt.Dist{Family: evt.WeibullMin, C: 3, Loc: 0.005, Scale: 0.01}.Sample(2000, 2)
	res, err := New().Fit(context.Background(), plugin.FitRequest{
		Params: plugin.Params{"loc": "free", "n_boot": int64(0)}, Samples: []plugin.Sample{{Name: "x", Values: x}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"c": 3, "loc": 0.005, "scale": 0.01}
	for _, p := range res[0].Params {
		if p.Fixed || math.Abs(p.Value-want[p.Name]) > 3*p.StdErr {
			t.Errorf("%s = %v ± %v (fixed %v), want %v", p.Name, p.Value, p.StdErr, p.Fixed, want[p.Name])
		}
	}
}

// TestBadInput checks the errors for unusable requests.
func TestBadInput(t *testing.T) {
	good := []float64{0.1, 0.2, 0.3, 0.4, 0.5}
	for _, c := range []struct {
		name string
		req  plugin.FitRequest
		want string
	}{
		{"zero distance", plugin.FitRequest{Samples: []plugin.Sample{{Name: "nn", Values: []float64{0.1, 0, 0.3, 0.4, 0.5}}}}, `sample "nn"`},
		{"NaN", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: []float64{0.1, math.NaN(), 0.3, 0.4, 0.5}}}}, "x[1] = NaN"},
		{"too few", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: good[:3]}}}, "at least 5"},
		{"bad loc", plugin.FitRequest{Params: plugin.Params{"loc": "floating"}, Samples: []plugin.Sample{{Name: "s", Values: good}}}, `"loc"`},
		{"negative n_boot", plugin.FitRequest{Params: plugin.Params{"n_boot": int64(-1)}, Samples: []plugin.Sample{{Name: "s", Values: good}}}, `"n_boot"`},
		{"unknown param", plugin.FitRequest{Params: plugin.Params{"shape": 2.0}, Samples: []plugin.Sample{{Name: "s", Values: good}}}, `"shape"`},
		{"probability 1", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: good}}, Probabilities: []float64{0.5, 1}}, "Probabilities[1]"},
		{"NaN eval", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: good}}, Eval: []float64{math.NaN()}}, "Eval[0]"},
		{"no samples", plugin.FitRequest{}, "no samples"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := New().Fit(context.Background(), c.req)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %s", err, c.want)
			}
		})
	}
}
