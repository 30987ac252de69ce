// Package smearcore holds what the smearer plugins share: the tie-exact
// smeared-likelihood score, checks of a NeighborBatch, and the mapping
// from a scanned parameter to the sorted, de-duplicated values a
// NeighborRequest needs, and the scoring loop of the smearers whose score
// is the ratio of per-class sums (ball, gaussian).
package smearcore

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/smearflow/smearflow/core/plugin"
)

// maxExact is 2^53: integers up to it are exact in float64.
const maxExact = 1 << 53

func isInt(x float64) bool { return x >= 0 && x <= maxExact && x == math.Trunc(x) }

// Ratio returns the smeared score
//
//	P = n_s N_b / (n_s N_b + n_b N_s)
//
// (the likelihood ratio (n_s/N_s)/(n_b/N_b) mapped to [0, 1]) and whether
// it was formed without information (n_s = n_b = 0: P = 1/2, empty = true).
//
// The products are formed first and divided once. When all four values are
// integers (unit or integer weights) the result is the correctly rounded
// value of the exact rational, so mathematically equal ratios give
// bit-identical scores and tie exactly (SCIENCE.md): in float64 when the
// products and their sum stay below 2^53, with math/big otherwise. For
// non-integer values (Gaussian sums, fractional weights) the same
// expression is evaluated in float64 in this order.
//
// The normalisers must be positive (see CheckBatch).
func Ratio(ns, nb, Ns, Nb float64) (p float64, empty bool) {
	if ns == 0 && nb == 0 {
		return 0.5, true
	}
	a := ns * Nb
	b := nb * Ns
	if isInt(ns) && isInt(nb) && isInt(Ns) && isInt(Nb) {
		if a <= maxExact && b <= maxExact && a+b <= maxExact {
			return a / (a + b), false // exact products and sum, one rounding
		}
		return bigRatio(ns, nb, Ns, Nb), false
	}
	return a / (a + b), false
}

func bigRatio(ns, nb, Ns, Nb float64) float64 {
	bi := func(x float64) *big.Int { i, _ := big.NewFloat(x).Int(nil); return i }
	a := new(big.Int).Mul(bi(ns), bi(Nb))
	b := new(big.Int).Mul(bi(nb), bi(Ns))
	den := new(big.Int).Add(a, b)
	f, _ := new(big.Rat).SetFrac(a, den).Float64()
	return f
}

// CheckBatch verifies the per-query arrays of a batch and that every
// query's reference set holds both classes (positive normalisers); errors
// name the query jet.
func CheckBatch(b *plugin.NeighborBatch) error {
	n := len(b.Queries)
	if len(b.Label) != n || len(b.Weight) != n || len(b.NormS) != n || len(b.NormB) != n {
		return fmt.Errorf("neighbour batch of %d queries has %d labels, %d weights, %d and %d normalisers", n, len(b.Label), len(b.Weight), len(b.NormS), len(b.NormB))
	}
	for k := 0; k < n; k++ {
		if !(b.NormS[k] > 0) {
			return fmt.Errorf("the reference set of jet %d holds no signal (quark) weight (N_s = %v): the smeared likelihood is undefined", b.Queries[k], b.NormS[k])
		}
		if !(b.NormB[k] > 0) {
			return fmt.Errorf("the reference set of jet %d holds no background (gluon) weight (N_b = %v): the smeared likelihood is undefined", b.Queries[k], b.NormB[k])
		}
	}
	return nil
}

// SortedUnique returns the values of a scanned parameter sorted ascending
// without duplicates (for NeighborRequest.Radii or GaussianWidths). A
// repeated value is an error naming the parameter, as is a NaN or
// infinite value or one below min.
func SortedUnique(param string, points []float64, min float64, strict bool) ([]float64, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("parameter %q: no values", param)
	}
	for i, x := range points {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < min || (strict && x == min) {
			op := ">="
			if strict {
				op = ">"
			}
			return nil, fmt.Errorf("parameter %q: value %d is %v (want finite and %s %v)", param, i, x, op, min)
		}
	}
	s := slices.Clone(points)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return nil, fmt.Errorf("parameter %q: value %v appears twice", param, s[i])
		}
	}
	return s, nil
}

// Index returns, for every point, its position in values (which must hold
// it exactly): the column of a batch's radius- or width-indexed arrays.
func Index(param string, points, values []float64) ([]int, error) {
	out := make([]int, len(points))
	for p, x := range points {
		i, ok := slices.BinarySearch(values, x)
		if !ok {
			return nil, fmt.Errorf("parameter %q: value %v is missing from the neighbour batch (got %v)", param, x, values)
		}
		out[p] = i
	}
	return out, nil
}

// NewScores allocates a ScoreBatch for n queries and m points.
func NewScores(n, m int, counts bool) *plugin.ScoreBatch {
	sb := &plugin.ScoreBatch{Scores: make([]float64, n*m), Empty: make([]bool, n*m)}
	if counts {
		sb.Counts = make([]float64, n*m)
	}
	return sb
}

// Sums are the per-class sums a smearer scores from, query-major over
// the batch's axis values: the counts within each radius (ball) or the
// Gaussian-kernel sums of each width (gaussian).
type Sums struct {
	Axis []float64 // the batch's radii or widths, sorted
	S, B []float64 // signal and background sums, len(Queries)*len(Axis)
	// AxisName and SumName name the axis values and the sums in errors
	// ("radii", "counts"; "widths", "Gaussian sums").
	AxisName, SumName string
}

// ScoreSums scores every query of b at every point of the scanned
// parameter param (points as planned, each present in sums.Axis): score
// Ratio(s, b, N_s, N_b) of the query's sums at that point, count s + b.
// The batch is checked first (CheckBatch, then the sums' lengths).
func ScoreSums(b *plugin.NeighborBatch, param string, points []float64, sums Sums) (*plugin.ScoreBatch, error) {
	if err := CheckBatch(b); err != nil {
		return nil, err
	}
	col, err := Index(param, points, sums.Axis)
	if err != nil {
		return nil, err
	}
	n, A, m := len(b.Queries), len(sums.Axis), len(col)
	if len(sums.S) != n*A || len(sums.B) != n*A {
		return nil, fmt.Errorf("neighbour batch of %d queries and %d %s holds %d and %d %s", n, A, sums.AxisName, len(sums.S), len(sums.B), sums.SumName)
	}
	out := NewScores(n, m, true)
	for q := 0; q < n; q++ {
		for p, a := range col {
			s, bg := sums.S[q*A+a], sums.B[q*A+a]
			out.Scores[q*m+p], out.Empty[q*m+p] = Ratio(s, bg, b.NormS[q], b.NormB[q])
			out.Counts[q*m+p] = s + bg
		}
	}
	return out, nil
}
