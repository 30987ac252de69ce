package gumbel

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/evt/evttest"
	"github.com/smearflow/smearflow/core/plugin"
)

var _ plugin.Fitter = New()

func TestInfo(t *testing.T) {
	evttest.CheckFitterInfo(t, New(), "gumbel", "F(x) = 1 - exp(-exp(z))", "F(x) = exp(-exp(-z))")
}

// TestReferenceSynthetic fits reference/evt/synthetic_gumbel_l.csv with
// side min and synthetic_gumbel_r.csv with side max.
func TestReferenceSynthetic(t *testing.T) {
	for _, c := range []struct{ side, family string }{{"min", "gumbel_l"}, {"max", "gumbel_r"}} {
		t.Run(c.side, func(t *testing.T) {
			evttest.FitSynthetic(t, New(), c.family, plugin.Params{"side": c.side}, c.family)
		})
	}
}

// TestPlotsAndBootstrap checks the quantiles against the closed form and
// reproducible p-values; the default side is min.
func TestPlotsAndBootstrap(t *testing.T) {
	x, _ := evttest.Synthetic(t, "gumbel_l")
	req := plugin.FitRequest{Params: plugin.Params{"n_boot": int64(30)}, Seed: 2,
		Samples: []plugin.Sample{{Name: "x", Values: x[:300]}}, Eval: []float64{-1}, Probabilities: []float64{0.5}}
	a, err := New().Fit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New().Fit(context.Background(), req)
	r := a[0]
	if r.Family != "gumbel_l" || r.KSPValue != b[0].KSPValue || !(r.ADPValue > 0) {
		t.Errorf("family %s p-values %v %v", r.Family, r.KSPValue, b[0].KSPValue)
	}
	loc, s := r.Params[0].Value, r.Params[1].Value
	if q := loc + s*math.Log(math.Ln2); evttest.RelErr(r.Quantiles[0], q) > 1e-14 {
		t.Errorf("median %v, want %v", r.Quantiles[0], q)
	}
	if cdf := 1 - math.Exp(-math.Exp((-1-loc)/s)); evttest.RelErr(r.CDF[0], cdf) > 1e-14 {
		t.Errorf("cdf %v, want %v", r.CDF[0], cdf)
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		req  plugin.FitRequest
		want string
	}{
		{"all equal", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: []float64{1, 1, 1, 1, 1}}}}, "no spread"},
		{"bad side", plugin.FitRequest{Params: plugin.Params{"side": "left"}, Samples: []plugin.Sample{{Name: "s", Values: []float64{1, 2, 3, 4, 5}}}}, `"side"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New().Fit(context.Background(), c.req); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %s", err, c.want)
			}
		})
	}
}
