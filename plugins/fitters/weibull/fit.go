package weibull

import (
	"context"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits weibull_min to every sample of the request (one result per
// sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	return evt.FitPlugin(ctx, "weibull", spec, req, func(p plugin.Params) evt.FitterConfig {
		return evt.FitterConfig{Family: evt.WeibullMin, Options: evt.FreeLoc(p), NBoot: p.Int("n_boot")}
	})
}
