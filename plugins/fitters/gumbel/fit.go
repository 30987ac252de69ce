package gumbel

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits gumbel_l (side min) or gumbel_r (side max) to every sample of
// the request (one result per sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	params, err := spec.Resolve(req.Params)
	if err != nil {
		return nil, fmt.Errorf("fitter/gumbel: %w", err)
	}
	fam := evt.GumbelL
	if params.String("side") == "max" {
		fam = evt.GumbelR
	}
	res, err := evt.FitSamples(ctx, evt.FitterConfig{Family: fam, NBoot: params.Int("n_boot")}, req)
	if err != nil {
		return nil, fmt.Errorf("fitter/gumbel: %w", err)
	}
	return res, nil
}
