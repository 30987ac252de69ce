package frechet

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits invweibull to every sample of the request (one result per
// sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	params, err := spec.Resolve(req.Params)
	if err != nil {
		return nil, fmt.Errorf("fitter/frechet: %w", err)
	}
	cfg := evt.FitterConfig{
		Family:  evt.InvWeibull,
		Options: evt.Options{FreeLoc: params.String("loc") == "free"},
		NBoot:   params.Int("n_boot"),
	}
	res, err := evt.FitSamples(ctx, cfg, req)
	if err != nil {
		return nil, fmt.Errorf("fitter/frechet: %w", err)
	}
	return res, nil
}
