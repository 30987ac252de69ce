package weibull

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits weibull_min to every sample of the request (one result per
// sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	params, err := spec.Resolve(req.Params)
	if err != nil {
		return nil, fmt.Errorf("fitter/weibull: %w", err)
	}
	cfg := evt.FitterConfig{
		Family:  evt.WeibullMin,
		Options: evt.Options{FreeLoc: params.String("loc") == "free"},
		NBoot:   params.Int("n_boot"),
	}
	res, err := evt.FitSamples(ctx, cfg, req)
	if err != nil {
		return nil, fmt.Errorf("fitter/weibull: %w", err)
	}
	return res, nil
}
