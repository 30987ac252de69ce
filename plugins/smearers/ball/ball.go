package ball

import (
	"context"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore"
)

// Plan returns the eps axis and asks for per-class counts within each eps.
func (*Smearer) Plan(params plugin.Params) (plugin.SmearPlan, error) {
	eps := params.Floats("eps")
	radii, err := smearcore.SortedUnique("eps", eps, 0, false)
	if err != nil {
		return plugin.SmearPlan{}, err
	}
	return plugin.SmearPlan{Axis: "eps", Points: append([]float64(nil), eps...), Needs: plugin.NeighborRequest{Radii: radii}}, nil
}

// Smear scores every query of the batch at every eps: the ratio of the
// signal and background counts within the ball of radius eps.
func (s *Smearer) Smear(ctx context.Context, params plugin.Params, b *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	plan, err := s.Plan(params)
	if err != nil {
		return nil, err
	}
	return smearcore.ScoreSums(b, "eps", plan.Points, smearcore.Sums{Axis: b.Radii, S: b.CountS, B: b.CountB, AxisName: "radii", SumName: "counts"})
}
