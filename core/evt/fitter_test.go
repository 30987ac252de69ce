package evt

import (
	"context"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
)

// TestFitPlugin checks the plugin glue: parameters resolved against the
// spec (defaults filled in, bad values an error naming the plugin and
// the parameter), FreeLoc read from "loc", errors of FitSamples prefixed.
func TestFitPlugin(t *testing.T) {
	spec := plugin.Spec{LocParam, NBootParam}
	x := Dist{Family: WeibullMin, C: 2, Scale: 1}.Sample(200, 1)
	var got FitterConfig
	config := func(p plugin.Params) FitterConfig {
		got = FitterConfig{Family: WeibullMin, Options: FreeLoc(p), NBoot: p.Int("n_boot")}
		return got
	}
	for _, tc := range []struct {
		name   string
		params plugin.Params
		values []float64
		want   string // error substring; "" for success
		cfg    FitterConfig
	}{
		{"defaults", nil, x, "", FitterConfig{Family: WeibullMin, NBoot: 200}},
		{"free loc", plugin.Params{"loc": "free", "n_boot": int64(0)}, x, "", FitterConfig{Family: WeibullMin, Options: Options{FreeLoc: true}}},
		{"bad loc", plugin.Params{"loc": "open"}, x, `fitter/toy: parameter "loc"`, FitterConfig{}},
		{"negative n_boot", plugin.Params{"n_boot": int64(-1)}, x, `fitter/toy: parameter "n_boot"`, FitterConfig{}},
		{"bad sample", plugin.Params{"n_boot": int64(0)}, []float64{1, 2, -3}, "fitter/toy: ", FitterConfig{Family: WeibullMin}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = FitterConfig{}
			req := plugin.FitRequest{Params: tc.params, Samples: []plugin.Sample{{Name: "s", Values: tc.values}}}
			if tc.name == "defaults" {
				req.Samples[0].Values = x[:20] // 200 bootstrap refits of 20 values stay fast
			}
			res, err := FitPlugin(context.Background(), "toy", spec, req, config)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one containing %q", err, tc.want)
				}
			} else if err != nil || len(res) != 1 || !res[0].Converged {
				t.Fatalf("result %+v, error %v", res, err)
			}
			if got != tc.cfg {
				t.Errorf("config %+v, want %+v", got, tc.cfg)
			}
		})
	}
}
