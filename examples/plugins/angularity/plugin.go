// Package angularity is an example of an external smearflow plugin,
// written as a third party would write one: a metric comparing jets by
// their angularity. The library is ordinary Go (testable in process); the
// binary in cmd/smearflow-plugin-angularity serves it to the runner over
// gRPC. See README.md.
package angularity

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/plugin"
)

// Metric is the angularity metric. The zero value is ready to use.
type Metric struct{}

// New returns the angularity metric.
func New() *Metric { return &Metric{} }

// Info describes the plugin to the host.
func (*Metric) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindMetric,
		Name:       "angularity",
		Version:    "0.1.0",
		APIVersion: plugin.APIVersion,
		Summary:    "absolute difference of jet angularities |λ_a(A) − λ_a(B)|",
		Doc: `The angularity of a jet is

    λ_a = Σ_i z_i ΔR_i^a,   z_i = pT_i / Σ_j pT_j,

where ΔR_i is the rapidity-azimuth distance of constituent i from the
pT-weighted jet axis (the centroid of the constituents, azimuths unwrapped
around the hardest one). a = 0 gives 1 for every jet, a = 1 the girth
(jet width) around that axis, a = 2 a quantity close to m²/pT².

The distance between two jets is |λ_a(A) − λ_a(B)|: a pseudometric (jets
with equal angularity are at distance 0) that looks at one number per jet.
It is exact, and its one-dimensional embedding v_i = λ_a(i) is a lower
bound with zero residuals, so the host can prune with it freely.`,
		Params: plugin.Spec{{
			Name:    "a",
			Type:    plugin.TypeFloat,
			Default: 1.0,
			Min:     plugin.Bound(0),
			Doc:     "Angular exponent a of λ_a = Σ z_i ΔR_i^a (0: constant, 1: girth, 2: ~ m²/pT²).",
		}},
		Capabilities: []string{plugin.CapExact, plugin.CapLowerBound},
	}
}

// Prepare computes the angularity of every jet once.
func (m *Metric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	if req.Jets == nil {
		return nil, fmt.Errorf("angularity: no jets")
	}
	if err := req.Jets.Validate(); err != nil {
		return nil, fmt.Errorf("angularity: %w", err)
	}
	a := req.Params.Float("a")
	lambda := make([]float64, req.Jets.Len())
	for i := range lambda {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		lambda[i] = Lambda(req.Jets.Jet(i), a)
	}
	return &Space{lambda: lambda}, nil
}
