// Package knn is the built-in smearer plugin "knn": the smeared likelihood
// with an adaptive radius, the distance to the query's k-th nearest
// reference jet, scanned over k.
//
// See README.md for the conventions and parameters.
package knn

import (
	"context"
	"fmt"
	"slices"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore"
)

// Version is the plugin version.
const Version = "0.1.0"

// Smearer is the knn smearer plugin. The zero value is ready to use.
type Smearer struct{}

// New returns the knn smearer plugin.
func New() *Smearer { return &Smearer{} }

var spec = plugin.Spec{
	{Name: "k", Type: plugin.TypeIntList, Default: []int64{1, 2, 3, 5, 8, 13, 21, 34}, Min: plugin.Bound(1), Max: plugin.Bound(1 << 20),
		Doc: "Numbers of nearest reference jets k scanned; the radius of a query is its distance to the k-th nearest reference jet. Values must be distinct."},
}

const doc = `k-nearest-neighbour smeared likelihood. For a query jet x with reference
set S(x) (K-fold by default, see the host parameter ` + "`reference`" + `):

- r_k(x) = the k-th smallest distance from x to the jets of S(x) (not of the
  whole sample);
- n_s, n_b = signal (quark) and background (gluon) weight of the jets of S(x)
  with d ≤ r_k (inclusive: every jet tied at the k-th distance counts, so
  n_s + n_b may exceed k with unit weights);
- score P = n_s N_b / (n_s N_b + n_b N_s) with N_s, N_b the class weights of
  S(x), formed tie-exactly as for the ball (integer products, one division);
- the count reported is n_s + n_b.

A reference set smaller than k is an error naming the jet. The axis is k
(dimensionless); the radius is the ball radius adapted to the local
density.`

// Info describes the plugin.
func (*Smearer) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindSmearer,
		Name:       "knn",
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "k-nearest-neighbour smeared likelihood: ball of radius r_k adapted to the local density, exact ties",
		Doc:        doc,
		Params:     spec,
	}
}

// Plan returns the k axis and asks for the max(k) nearest plus ties.
func (*Smearer) Plan(params plugin.Params) (plugin.SmearPlan, error) {
	ks := params.Ints("k")
	if len(ks) == 0 {
		return plugin.SmearPlan{}, fmt.Errorf("parameter \"k\": no values")
	}
	pts := make([]float64, len(ks))
	for i, k := range ks {
		if k < 1 {
			return plugin.SmearPlan{}, fmt.Errorf("parameter \"k\": value %d is %d (want >= 1)", i, k)
		}
		if slices.Contains(ks[:i], k) {
			return plugin.SmearPlan{}, fmt.Errorf("parameter \"k\": value %d appears twice", k)
		}
		pts[i] = float64(k)
	}
	return plugin.SmearPlan{Axis: "k", Points: pts, Needs: plugin.NeighborRequest{KNearest: int(slices.Max(ks))}}, nil
}

// Smear scores every query of the batch at every k.
func (s *Smearer) Smear(ctx context.Context, params plugin.Params, b *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	plan, err := s.Plan(params)
	if err != nil {
		return nil, err
	}
	if err := smearcore.CheckBatch(b); err != nil {
		return nil, err
	}
	if len(b.KOffsets) != len(b.Queries)+1 || b.KOffsets[len(b.Queries)] != len(b.KList) {
		return nil, fmt.Errorf("neighbour batch of %d queries has %d k-nearest offsets for %d neighbours", len(b.Queries), len(b.KOffsets), len(b.KList))
	}
	return score(b, plan.Points)
}

var _ plugin.Smearer = (*Smearer)(nil)
