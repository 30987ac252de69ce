package gev

import (
	"context"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits genextreme to every sample of the request (one result per
// sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	return evt.FitPlugin(ctx, "gev", spec, req, func(p plugin.Params) evt.FitterConfig {
		return evt.FitterConfig{Family: evt.GenExtreme, NBoot: p.Int("n_boot")}
	})
}
