package frechet

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
	evttest.CheckFitterInfo(t, New(), "frechet", "F(x) = exp(-((x - loc)/scale)^(-c))")
}

// TestReferenceSynthetic fits reference/evt/synthetic_invweibull.csv.
func TestReferenceSynthetic(t *testing.T) {
	evttest.FitSynthetic(t, New(), "invweibull", nil, "synthetic")
}

// TestFreeLocBootstrap recovers a shifted Frechet within 3 standard errors
// and checks reproducible p-values and quantiles.
func TestFreeLocBootstrap(t *testing.T) {
	x := evt.Dist{Family: evt.InvWeibull, C: 4, Loc: -1, Scale: 1.5}.Sample(1000, 8)
	req := plugin.FitRequest{Params: plugin.Params{"loc": "free", "n_boot": int64(20)}, Seed: 4,
		Samples: []plugin.Sample{{Name: "x", Values: x}}, Probabilities: []float64{0.5}}
	a, err := New().Fit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New().Fit(context.Background(), req)
	r := a[0]
	if r.KSPValue != b[0].KSPValue || r.ADPValue != b[0].ADPValue || !(r.KSPValue > 0.01) {
		t.Errorf("p-values %v %v / %v %v", r.KSPValue, r.ADPValue, b[0].KSPValue, b[0].ADPValue)
	}
	want := map[string]float64{"c": 4, "loc": -1, "scale": 1.5}
	for _, p := range r.Params {
		if p.Fixed || math.Abs(p.Value-want[p.Name]) > 3*p.StdErr {
			t.Errorf("%s = %v ± %v, want %v", p.Name, p.Value, p.StdErr, want[p.Name])
		}
	}
	c, loc, s := r.Params[0].Value, r.Params[1].Value, r.Params[2].Value
	if q := loc + s*math.Pow(math.Ln2, -1/c); evttest.RelErr(r.Quantiles[0], q) > 1e-14 {
		t.Errorf("median %v, want %v", r.Quantiles[0], q)
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []struct {
		name string
		req  plugin.FitRequest
		want string
	}{
		{"negative with loc 0", plugin.FitRequest{Samples: []plugin.Sample{{Name: "s", Values: []float64{1, 2, -3, 4, 5}}}}, "x[2] = -3"},
		{"bad loc", plugin.FitRequest{Params: plugin.Params{"loc": 0.0}, Samples: []plugin.Sample{{Name: "s", Values: []float64{1, 2, 3, 4, 5}}}}, `"loc"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := New().Fit(context.Background(), c.req); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one mentioning %s", err, c.want)
			}
		})
	}
}
