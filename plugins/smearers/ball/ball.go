package ball

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore"
)

// score forms P(x | eps) for every query and point; col maps a point to
// its column in the batch's radius-indexed counts.
func score(b *plugin.NeighborBatch, col []int) (*plugin.ScoreBatch, error) {
	n, R, m := len(b.Queries), len(b.Radii), len(col)
	if len(b.CountS) != n*R || len(b.CountB) != n*R {
		return nil, errShape(b)
	}
	out := smearcore.NewScores(n, m, true)
	for q := 0; q < n; q++ {
		for p, r := range col {
			ns, nb := b.CountS[q*R+r], b.CountB[q*R+r]
			out.Scores[q*m+p], out.Empty[q*m+p] = smearcore.Ratio(ns, nb, b.NormS[q], b.NormB[q])
			out.Counts[q*m+p] = ns + nb
		}
	}
	return out, nil
}
