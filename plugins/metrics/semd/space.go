package semd

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/smearflow/smearflow/core/plugin"
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

// checkRange validates a tile range against the number of jets.
func (s *Space) checkRange(name string, r plugin.Range) error {
	if r.Lo < 0 || r.Hi < r.Lo || r.Hi > s.Len() {
		return fmt.Errorf("semd: %s range [%d, %d) is outside [0, %d)", name, r.Lo, r.Hi, s.Len())
	}
	return nil
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
	if err := s.checkRange("row", rows); err != nil {
		return err
	}
	if err := s.checkRange("column", cols); err != nil {
		return err
	}
	if len(out) != rows.Len()*cols.Len() {
		return fmt.Errorf("semd: output has %d values for a %d×%d tile", len(out), rows.Len(), cols.Len())
	}
	buf := s.scratch()
	nc := cols.Len()
	// (i, j) with j < i is mirrored from (j, i) when that is in the tile.
	mirrored := func(i, j int) bool { return j < i && j >= rows.Lo && j < rows.Hi && i >= cols.Lo && i < cols.Hi }
	for c0 := cols.Lo; c0 < cols.Hi; c0 += colChunk {
		c1 := min(c0+colChunk, cols.Hi)
		for i := rows.Lo; i < rows.Hi; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			row := out[(i-rows.Lo)*nc : (i-rows.Lo+1)*nc]
			for j := c0; j < c1; j++ {
				if !mirrored(i, j) {
					row[j-cols.Lo] = s.dist(i, j, buf)
				}
			}
		}
	}
	for i := max(rows.Lo, cols.Lo); i < rows.Hi; i++ {
		for j := max(rows.Lo, cols.Lo); j < min(i, cols.Hi); j++ {
			if mirrored(i, j) {
				out[(i-rows.Lo)*nc+j-cols.Lo] = out[(j-rows.Lo)*nc+i-cols.Lo]
			}
		}
	}
	return nil
}

// Pairs writes SEMD(i[k], j[k]) into out[k].
func (s *Space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if len(i) != len(j) || len(out) != len(i) {
		return fmt.Errorf("semd: Pairs got %d rows, %d columns and %d outputs", len(i), len(j), len(out))
	}
	n := s.Len()
	for k := range i {
		if i[k] < 0 || int(i[k]) >= n || j[k] < 0 || int(j[k]) >= n {
			return fmt.Errorf("semd: pair %d (%d, %d) is outside [0, %d)", k, i[k], j[k], n)
		}
	}
	buf := s.scratch()
	for k := range i {
		if k%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		out[k] = s.dist(int(i[k]), int(j[k]), buf)
	}
	return nil
}

var _ plugin.LowerBounder = (*Space)(nil)

func workers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }
