package nn

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// Low-level feature kinds: constituent i contributes the features
// cII_z, cII_dy and cII_dphi (i from 0, the hardest; two digits at least).
const (
	KindZ    = "z"    // pt_i / Σ_jet pt
	KindDY   = "dy"   // y_i - y_axis
	KindDPhi = "dphi" // phi_i - phi_axis wrapped into [-π, π]
)

var lowKinds = [3]string{KindZ, KindDY, KindDPhi}

// LowLevelName returns the name of feature kind (KindZ, KindDY, KindDPhi)
// of constituent i, e.g. "c03_dphi".
func LowLevelName(i int, kind string) string { return fmt.Sprintf("c%02d_%s", i, kind) }

// LowLevelNames returns the 3m low-level feature names in network order:
// c00_z, c00_dy, c00_dphi, c01_z, ...
func LowLevelNames(m int) []string {
	out := make([]string, 0, 3*m)
	for i := 0; i < m; i++ {
		for _, k := range lowKinds {
			out = append(out, LowLevelName(i, k))
		}
	}
	return out
}

// ParseLowLevel parses a low-level feature name: it returns the
// constituent index, the position of its kind in (z, dy, dphi) and true,
// or false when name is not a low-level feature name.
func ParseLowLevel(name string) (constituent, kind int, ok bool) {
	if len(name) < 5 || name[0] != 'c' {
		return 0, 0, false
	}
	us := strings.IndexByte(name, '_')
	if us < 3 {
		return 0, 0, false
	}
	digits := name[1:us]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	i, err := strconv.Atoi(digits)
	if err != nil || LowLevelName(i, name[us+1:]) != name {
		return 0, 0, false
	}
	k := slices.Index(lowKinds[:], name[us+1:])
	if k < 0 {
		return 0, 0, false
	}
	return i, k, true
}

// LowLevel writes the low-level input of one jet into out (len 3m): for
// the m hardest constituents (pt descending, ties in input order) the
// momentum fraction z_i = pt_i / Σ pt (sum over all constituents), and the
// rapidity and azimuth relative to the jet axis, the pt-weighted centroid
// (jet.View.Centroid), with Δφ wrapped into [-π, π]. Missing constituents
// are zero-padded. order is scratch space (reused when large enough) and
// is returned.
func LowLevel(v jet.View, m int, out []float64, order []int) []int {
	clear(out[:3*m])
	n := len(v.Pt)
	if n == 0 {
		return order
	}
	order = order[:0]
	for i := 0; i < n; i++ {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case v.Pt[a] > v.Pt[b]:
			return -1
		case v.Pt[a] < v.Pt[b]:
			return 1
		}
		return 0
	})
	sum := v.SumPt()
	yc, phic := v.Centroid()
	for r, i := range order[:min(m, n)] {
		out[3*r] = v.Pt[i] / sum
		out[3*r+1] = v.Y[i] - yc
		out[3*r+2] = jet.DeltaPhi(v.Phi[i], phic)
	}
	return order
}

// ExcludedColumns are the float columns of an expert table that are never
// features by default (identifiers and truth).
var ExcludedColumns = []string{"jet_index", "label", "weight"}

// ExpertColumns returns the default expert features of a table: every
// float column except ExcludedColumns, in table order.
func ExpertColumns(t *table.Table) []string {
	if t == nil {
		return nil
	}
	var out []string
	for _, c := range t.Columns {
		if !c.IsString() && !slices.Contains(ExcludedColumns, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// CheckJets verifies that jets is a usable, non-empty batch (what names
// the data set in errors).
func CheckJets(what string, jets *jet.Jets) error {
	if jets == nil || jets.Len() == 0 {
		return fmt.Errorf("%s: no jets", what)
	}
	if err := jets.Validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Matrix builds the raw (unstandardised) feature matrix for the named
// features, one row per jet, row-major (jets.Len() × len(names)).
// Low-level names (see ParseLowLevel) are computed from the jets; every
// other name is a float column of the expert table, which must have one
// row per jet and finite values. Errors name the data set (what), the
// feature and the jet.
func Matrix(what string, names []string, jets *jet.Jets, expert *table.Table) ([]float64, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no features", what)
	}
	if err := CheckJets(what, jets); err != nil {
		return nil, err
	}
	n, f := jets.Len(), len(names)
	type lowRef struct{ col, src int }
	var low []lowRef
	m := 0
	cols := make([][]float64, f)
	for c, name := range names {
		if i, k, ok := ParseLowLevel(name); ok {
			low = append(low, lowRef{c, 3*i + k})
			m = max(m, i+1)
			continue
		}
		if expert == nil {
			return nil, fmt.Errorf("%s: feature %q is not a low-level feature (cNN_z, cNN_dy, cNN_dphi) and there is no expert table", what, name)
		}
		col := expert.Col(name)
		if col == nil {
			hint := ""
			if s := plugin.Suggest(name, expert.Names()); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, fmt.Errorf("%s: the expert table has no column %q%s (columns: %s)", what, name, hint, strings.Join(expert.Names(), ", "))
		}
		if col.IsString() {
			return nil, fmt.Errorf("%s: expert column %q holds strings, not numbers", what, name)
		}
		if len(col.Float) != n {
			return nil, fmt.Errorf("%s: expert column %q has %d rows for %d jets (one row per jet, in jet order)", what, name, len(col.Float), n)
		}
		for i, v := range col.Float {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: expert column %q, jet %d: value %v is not finite", what, name, i, v)
			}
		}
		cols[c] = col.Float
	}
	x := make([]float64, n*f)
	for c, col := range cols {
		if col != nil {
			for i, v := range col {
				x[i*f+c] = v
			}
		}
	}
	if len(low) > 0 {
		buf := make([]float64, 3*m)
		var order []int
		for i := 0; i < n; i++ {
			order = LowLevel(jets.Jet(i), m, buf, order)
			row := x[i*f : (i+1)*f]
			for _, r := range low {
				row[r.col] = buf[r.src]
			}
		}
	}
	return x, nil
}

// FitStandardization returns per-column mean and standard deviation (the
// population one, divided by rows) of a row-major matrix, for the columns
// with fit[c] true; the others get mean 0 and std 1. A constant column
// gets std 1 (it is then only centred); constant lists the indices of
// such columns so that the caller can report them.
func FitStandardization(x []float64, rows, cols int, fit []bool) (mean, std []float64, constant []int, err error) {
	if rows == 0 || len(x) != rows*cols || len(fit) != cols {
		return nil, nil, nil, errors.New("standardisation: inconsistent matrix shape")
	}
	mean = make([]float64, cols)
	std = make([]float64, cols)
	for c := 0; c < cols; c++ {
		std[c] = 1
		if !fit[c] {
			continue
		}
		s := 0.0
		for i := 0; i < rows; i++ {
			s += x[i*cols+c]
		}
		mu := s / float64(rows)
		v := 0.0
		for i := 0; i < rows; i++ {
			d := x[i*cols+c] - mu
			v += d * d
		}
		mean[c] = mu
		if sd := math.Sqrt(v / float64(rows)); sd > 0 {
			std[c] = sd
		} else {
			constant = append(constant, c)
		}
	}
	return mean, std, constant, nil
}

// ExpertFeatures returns the network inputs that are not low-level
// features, i.e. the expert-table columns a data set must provide.
func (n *Network) ExpertFeatures() []string {
	var out []string
	for _, f := range n.Features {
		if _, _, low := ParseLowLevel(f); !low {
			out = append(out, f)
		}
	}
	return out
}
