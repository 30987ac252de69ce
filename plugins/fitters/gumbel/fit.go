package gumbel

import (
	"context"

	"github.com/smearflow/smearflow/core/evt"
	"github.com/smearflow/smearflow/core/plugin"
)

// Fit fits gumbel_l (side min) or gumbel_r (side max) to every sample of
// the request (one result per sample, in order).
func (*Plugin) Fit(ctx context.Context, req plugin.FitRequest) ([]plugin.FitResult, error) {
	return evt.FitPlugin(ctx, "gumbel", spec, req, func(p plugin.Params) evt.FitterConfig {
		fam := evt.GumbelL
		if p.String("side") == "max" {
			fam = evt.GumbelR
		}
		return evt.FitterConfig{Family: fam, NBoot: p.Int("n_boot")}
	})
}
