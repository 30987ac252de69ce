package gev

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits genextreme to every sample of the request (one result per
// sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	params, err := spec.Resolve(req.Params)
	if err != nil {
		return nil, fmt.Errorf("fitter/gev: %w", err)
	}
	cfg := evt.FitterConfig{Family: evt.GenExtreme, NBoot: params.Int("n_boot")}
	res, err := evt.FitSamples(ctx, cfg, req)
	if err != nil {
		return nil, fmt.Errorf("fitter/gev: %w", err)
	}
	return res, nil
}
