package gaussian

import (
	"context"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore"
)

// Plan returns the eps axis and asks for per-class Gaussian sums.
func (*Smearer) Plan(params plugin.Params) (plugin.SmearPlan, error) {
	eps := params.Floats("eps")
	widths, err := smearcore.SortedUnique("eps", eps, 0, true)
	if err != nil {
		return plugin.SmearPlan{}, err
	}
	return plugin.SmearPlan{Axis: "eps", Points: append([]float64(nil), eps...), Needs: plugin.NeighborRequest{GaussianWidths: widths}}, nil
}

// Smear scores every query of the batch at every width: the ratio of the
// signal and background Gaussian-kernel sums of width eps.
func (s *Smearer) Smear(ctx context.Context, params plugin.Params, b *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	plan, err := s.Plan(params)
	if err != nil {
		return nil, err
	}
	return smearcore.ScoreSums(b, "eps", plan.Points, smearcore.Sums{Axis: b.GaussianWidths, S: b.GaussS, B: b.GaussB, AxisName: "widths", SumName: "Gaussian sums"})
}
