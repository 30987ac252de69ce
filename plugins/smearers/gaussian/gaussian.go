package gaussian

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore"
)

// score forms P(x | sigma) for every query and point; col maps a point to
// its column in the batch's width-indexed sums.
func score(b *plugin.NeighborBatch, col []int) *plugin.ScoreBatch {
	n, W, m := len(b.Queries), len(b.GaussianWidths), len(col)
	out := smearcore.NewScores(n, m, true)
	for q := 0; q < n; q++ {
		for p, w := range col {
			ws, wb := b.GaussS[q*W+w], b.GaussB[q*W+w]
			out.Scores[q*m+p], out.Empty[q*m+p] = smearcore.Ratio(ws, wb, b.NormS[q], b.NormB[q])
			out.Counts[q*m+p] = ws + wb
		}
	}
	return out
}
