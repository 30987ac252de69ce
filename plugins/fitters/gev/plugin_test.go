package gev

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
	evttest.CheckFitterInfo(t, New(), "gev", "F(x) = exp(-(1 + xi (x - loc)/scale)^(-1/xi)),   xi = -c")
}

// TestReferenceSynthetic fits reference/evt/synthetic_genextreme.csv
// (c = -0.0806205, xi = +0.0806205 in synthetic_fits.json).
func TestReferenceSynthetic(t *testing.T) {
	res := evttest.FitSynthetic(t, New(), "genextreme", nil, "synthetic")
	got := map[string]plugin.Estimate{}
	for _, p := range res.Params {
		got[p.Name] = p
	}
	if got["xi"].Value != -got["c"].Value || got["xi"].StdErr != got["c"].StdErr {
		t.Errorf("xi %+v is not -c %+v", got["xi"], got["c"])
	}
}

// TestBootstrapAndPlots checks reproducible p-values and the quantile /
// CDF outputs.
func TestBootstrapAndPlots(t *testing.T) {
	x := evt.Dist{Family: evt.GenExtreme, C: 0.2, Loc: 1, Scale: 2}.Sample(300, 5)
	req := plugin.FitRequest{Params: plugin.Params{"n_boot": int64(40)}, Seed: 11,
		Samples: []plugin.Sample{{Name: "a", Values: x}, {Name: "b", Values: x}},
		Eval:    []float64{0, 1, 2}, Probabilities: []float64{0.25, 0.75}}
	a, err := New().Fit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New().Fit(context.Background(), req)
	if a[0].KSPValue != b[0].KSPValue || a[0].ADPValue != b[0].ADPValue || !(a[0].KSPValue > 0.01) {
		t.Errorf("p-values %v %v vs %v %v", a[0].KSPValue, a[0].ADPValue, b[0].KSPValue, b[0].ADPValue)
	}
	if len(a[0].Params) != 4 || a[0].Params[3].Name != "xi" {
		t.Errorf("params %+v", a[0].Params)
	}
	for _, r := range a {
		for i, p := range req.Probabilities {
			d := evt.Dist{Family: evt.GenExtreme, C: r.Params[0].Value, Loc: r.Params[1].Value, Scale: r.Params[2].Value}
			if e := math.Abs(d.CDF(r.Quantiles[i]) - p); e > 1e-14 {
				t.Errorf("CDF(quantile(%v)) - p = %v", p, e)
			}
		}
	}
}

// TestNotConverged: GEV data with c > 1 has no MLE; the result says so
// instead of returning numbers as if they were estimates.
func TestNotConverged(t *testing.T) {
	x := evt.Dist{Family: evt.GenExtreme, C: 1.5, Loc: 1, Scale: 2}.Sample(300, 5)
	res, err := New().Fit(context.Background(), plugin.FitRequest{Params: plugin.Params{"n_boot": int64(20)},
		Samples: []plugin.Sample{{Name: "x", Values: x}}, Eval: []float64{1}})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Converged || r.Message == "" || r.PDF != nil || !math.IsNaN(r.KSPValue) || !math.IsNaN(r.Params[0].StdErr) {
		t.Errorf("unexpected result %+v", r)
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		req  plugin.FitRequest
		want string
	}{
		{"too few", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: []float64{1, 2, 3, 4, 5}}}}, "at least 10"},
		{"inf", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, math.Inf(-1)}}}}, "x[9] = -Inf"},
		{"bad n_boot", plugin.FitRequest{Params: plugin.Params{"n_boot": "many"}, Samples: []plugin.Sample{{Name: "s", Values: []float64{1}}}}, `"n_boot"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New().Fit(context.Background(), c.req); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %s", err, c.want)
			}
		})
	}
}
