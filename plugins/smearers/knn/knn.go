package knn

import (
	"fmt"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore"
)

// Radius returns r_k, the distance to the k-th nearest reference jet, from
// a query's k-nearest list (sorted by distance, ties included), and false
// when the list holds fewer than k jets.
func Radius(list []plugin.Neighbor, k int) (float64, bool) {
	if k < 1 || len(list) < k {
		return 0, false
	}
	return list[k-1].Distance, true
}

// Counts returns the signal and background weight of the jets of a sorted
// k-nearest list within r (inclusive).
func Counts(list []plugin.Neighbor, r float64) (ns, nb float64) {
	for _, x := range list {
		if x.Distance > r {
			break
		}
		if x.Label == 1 {
			ns += x.Weight
		} else {
			nb += x.Weight
		}
	}
	return ns, nb
}

// score forms P(x | k) for every query and k.
func score(b *plugin.NeighborBatch, ks []float64) (*plugin.ScoreBatch, error) {
	n, m := len(b.Queries), len(ks)
	out := smearcore.NewScores(n, m, true)
	for q := 0; q < n; q++ {
		list := b.KList[b.KOffsets[q]:b.KOffsets[q+1]]
		for p, kf := range ks {
			r, ok := Radius(list, int(kf))
			if !ok {
				return nil, fmt.Errorf("k = %d but the neighbour list of jet %d holds only %d jets (is its reference set smaller than k?)", int(kf), b.Queries[q], len(list))
			}
			ns, nb := Counts(list, r)
			out.Scores[q*m+p], out.Empty[q*m+p] = smearcore.Ratio(ns, nb, b.NormS[q], b.NormB[q])
			out.Counts[q*m+p] = ns + nb
		}
	}
	return out, nil
}
