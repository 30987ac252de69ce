package angularity

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// Lambda returns the angularity λ_a = Σ z_i ΔR_i^a of one jet around its
// pT-weighted axis (View.Centroid). It is 0 for a jet without particles.
func Lambda(v jet.View, a float64) float64 {
	sum := v.SumPt()
	if sum == 0 {
		return 0
	}
	yc, phic := v.Centroid()
	l := 0.0
	for i, pt := range v.Pt {
		dr := jet.DeltaR(v.Y[i], v.Phi[i], yc, phic)
		l += pt / sum * math.Pow(dr, a)
	}
	return l
}

// Space holds the angularities of a prepared set of jets. It is safe for
// concurrent use.
type Space struct {
	lambda []float64
}

// Len returns the number of jets.
func (s *Space) Len() int { return len(s.lambda) }

// Lambdas returns the angularity of every jet (the space's own slice).
func (s *Space) Lambdas() []float64 { return s.lambda }

// Block writes |λ_i − λ_j| for i in rows and j in cols, row-major.
func (s *Space) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if err := s.check(rows, "rows"); err != nil {
		return err
	}
	if err := s.check(cols, "cols"); err != nil {
		return err
	}
	if len(out) != rows.Len()*cols.Len() {
		return fmt.Errorf("angularity: Block of %d x %d needs %d outputs, got %d", rows.Len(), cols.Len(), rows.Len()*cols.Len(), len(out))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	lc := s.lambda[cols.Lo:cols.Hi]
	for r, li := range s.lambda[rows.Lo:rows.Hi] {
		row := out[r*len(lc) : (r+1)*len(lc)]
		for c, lj := range lc {
			row[c] = math.Abs(li - lj)
		}
	}
	return nil
}

// Pairs writes |λ_i[k] − λ_j[k]| into out[k].
func (s *Space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if len(i) != len(j) || len(out) != len(i) {
		return fmt.Errorf("angularity: Pairs got %d rows, %d columns and %d outputs", len(i), len(j), len(out))
	}
	n := int32(len(s.lambda))
	for k := range i {
		if i[k] < 0 || i[k] >= n || j[k] < 0 || j[k] >= n {
			return fmt.Errorf("angularity: pair %d (%d, %d) is outside the %d jets", k, i[k], j[k], n)
		}
		out[k] = math.Abs(s.lambda[i[k]] - s.lambda[j[k]])
	}
	return nil
}

// LowerBound returns the exact one-dimensional embedding v_i = λ_i with
// zero residuals: |v_i − v_j| is the distance itself.
func (s *Space) LowerBound(context.Context) (*plugin.Embedding, error) {
	return &plugin.Embedding{Dim: 1, Vectors: append([]float64(nil), s.lambda...), Residuals: make([]float64, len(s.lambda))}, nil
}

// Close releases nothing; it exists to satisfy plugin.Space.
func (s *Space) Close() error { return nil }

func (s *Space) check(r plugin.Range, what string) error {
	if r.Lo < 0 || r.Hi < r.Lo || r.Hi > len(s.lambda) {
		return fmt.Errorf("angularity: %s [%d, %d) outside the %d jets", what, r.Lo, r.Hi, len(s.lambda))
	}
	return nil
}
