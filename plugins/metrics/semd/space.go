package semd

import (
	"context"
	"math"
	"sync"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil"
)

// Space is a prepared semd metric over a fixed set of jets. It is safe for
// concurrent use.
type Space struct {
	opt   Options
	ent   []entry   // all spectra, each followed by its sentinel
	off   []int     // jet i owns ent[off[i]:off[i+1]]
	total []float64 // T_i
	equal bool      // every T_i is the same
	max   int       // longest spectrum, with sentinel

	// kernel computes SEMD² of two spectra (sweepFast; tests and
	// benchmarks swap in sweepPlain).
	kernel func(a, b []entry) float64

	boundOnce sync.Once
	bound     *plugin.Embedding
	boundErr  error
}

// Len reports the number of jets.
func (s *Space) Len() int { return len(s.off) - 1 }

// Close releases the spectra.
func (s *Space) Close() error {
	s.ent, s.off, s.total = nil, []int{0}, nil
	return nil
}

// spectrum returns jet i's spectrum (with sentinel).
func (s *Space) spectrum(i int) []entry { return s.ent[s.off[i]:s.off[i+1]] }

// scratch returns a buffer for padded spectra (GeV energies).
func (s *Space) scratch() []entry {
	if s.equal {
		return nil
	}
	return make([]entry, s.max+1)
}

// dist returns SEMD(i, j). It evaluates the lower index first so that the
// result is bit-for-bit symmetric.
func (s *Space) dist(i, j int, buf []entry) float64 {
	if i == j {
		return 0
	}
	if i > j {
		i, j = j, i
	}
	a, b := s.spectrum(i), s.spectrum(j)
	if ta, tb := s.total[i], s.total[j]; ta != tb {
		if ta < tb {
			a = padInto(buf, a, ta, tb, s.opt.OmegaMax)
		} else {
			b = padInto(buf, b, tb, ta, s.opt.OmegaMax)
		}
	}
	return math.Sqrt(s.kernel(a, b))
}

// colChunk is the number of columns swept across all rows of a tile at a
// time, so that their spectra stay in the L2 cache (16 jets ≈ 0.3 MB).
const colChunk = 16

// Block writes SEMD(i, j) for i in rows, j in cols into out (row-major).
// Where the tile straddles the diagonal, each unordered pair is evaluated
// once and mirrored (dist is bit-for-bit symmetric).
func (s *Space) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if err := metricutil.CheckBlock("semd", s.Len(), rows, cols, out); err != nil {
		return err
	}
	buf := s.scratch()
	return metricutil.SymmetricBlock(ctx, rows, cols, out, colChunk, func(i, j int) (float64, error) { return s.dist(i, j, buf), nil })
}

// Pairs writes SEMD(i[k], j[k]) into out[k].
func (s *Space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if err := metricutil.CheckPairs("semd", s.Len(), i, j, out); err != nil {
		return err
	}
	buf := s.scratch()
	return metricutil.FillPairs(ctx, i, j, out, 1024, func(i, j int) (float64, error) { return s.dist(i, j, buf), nil })
}

var _ plugin.LowerBounder = (*Space)(nil)
