package neighbors

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/plugin"
)

// Matrix is a plugin.Space over a precomputed, symmetric n×n distance
// matrix (row-major). It is used for the reference matrix of the shared
// test data, for tests and benchmarks, and whenever the host keeps the
// full matrix in memory. It is safe for concurrent use.
type Matrix struct {
	n int
	d []float64
}

// MatrixSpace returns a Space over the n×n row-major matrix d (not copied;
// do not modify it afterwards). The matrix must be square, symmetric
// (exactly), with a zero diagonal and finite non-negative entries; the
// error names the first offending entry.
func MatrixSpace(n int, d []float64) (*Matrix, error) {
	if n <= 0 {
		return nil, fmt.Errorf("neighbors: matrix space: n = %d must be positive", n)
	}
	if len(d) != n*n {
		return nil, fmt.Errorf("neighbors: matrix space: %d values do not form a %d×%d matrix (want %d)", len(d), n, n, n*n)
	}
	for i := 0; i < n; i++ {
		if d[i*n+i] != 0 {
			return nil, fmt.Errorf("neighbors: matrix space: diagonal entry (%d, %d) = %v, want 0", i, i, d[i*n+i])
		}
		for j := i + 1; j < n; j++ {
			x := d[i*n+j]
			if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
				return nil, fmt.Errorf("neighbors: matrix space: entry (%d, %d) = %v is not a finite non-negative distance", i, j, x)
			}
			if y := d[j*n+i]; y != x {
				return nil, fmt.Errorf("neighbors: matrix space: not symmetric: (%d, %d) = %v but (%d, %d) = %v", i, j, x, j, i, y)
			}
		}
	}
	return &Matrix{n: n, d: d}, nil
}

// Len returns the number of jets.
func (m *Matrix) Len() int { return m.n }

// At returns d(i, j).
func (m *Matrix) At(i, j int) float64 { return m.d[i*m.n+j] }

// Block copies the tile rows × cols into out (row-major).
func (m *Matrix) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if err := m.checkRange("rows", rows); err != nil {
		return err
	}
	if err := m.checkRange("cols", cols); err != nil {
		return err
	}
	w := cols.Len()
	if len(out) != rows.Len()*w {
		return fmt.Errorf("neighbors: matrix space: Block output has %d entries, want %d×%d", len(out), rows.Len(), w)
	}
	for i := rows.Lo; i < rows.Hi; i++ {
		copy(out[(i-rows.Lo)*w:(i-rows.Lo+1)*w], m.d[i*m.n+cols.Lo:i*m.n+cols.Hi])
	}
	return nil
}

// Pairs writes d(i[k], j[k]) into out[k].
func (m *Matrix) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if len(i) != len(j) || len(out) != len(i) {
		return fmt.Errorf("neighbors: matrix space: Pairs got %d rows, %d cols and %d outputs", len(i), len(j), len(out))
	}
	for k := range i {
		a, b := int(i[k]), int(j[k])
		if a < 0 || a >= m.n || b < 0 || b >= m.n {
			return fmt.Errorf("neighbors: matrix space: pair (%d, %d) is outside 0..%d", a, b, m.n-1)
		}
		out[k] = m.d[a*m.n+b]
	}
	return nil
}

// Close does nothing.
func (m *Matrix) Close() error { return nil }

func (m *Matrix) checkRange(what string, r plugin.Range) error {
	if r.Lo < 0 || r.Hi > m.n || r.Lo > r.Hi {
		return fmt.Errorf("neighbors: matrix space: %s range [%d, %d) is outside [0, %d)", what, r.Lo, r.Hi, m.n)
	}
	return nil
}

var _ plugin.Space = (*Matrix)(nil)
