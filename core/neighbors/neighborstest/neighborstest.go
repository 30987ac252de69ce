// Package neighborstest loads the shared smearing reference data for tests:
// the 500×500 SEMD matrix (reference/smearing/semd_matrix_500.npy) as a
// neighbors.Matrix, the labels of jets_500.csv, and reference CSV files as
// typed columns. Tests skip (through sharedtest.Path) when the shared
// folder is absent.
package neighborstest

import (
	"encoding/csv"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

var (
	once   sync.Once
	matrix *neighbors.Matrix
	labels []int8
	errM   error
)

// Matrix returns the reference SEMD matrix of the 500 small-sample jets and
// their labels (1 = quark), parsed once per test binary.
func Matrix(t testing.TB) (*neighbors.Matrix, []int8) {
	t.Helper()
	mp := sharedtest.Path(t, "reference/smearing/semd_matrix_500.npy")
	jp := sharedtest.Path(t, "reference/smearing/jets_500.csv")
	once.Do(func() {
		d, shape, err := npy.ReadFile(mp)
		if err != nil {
			errM = err
			return
		}
		if len(shape) != 2 || shape[0] != 500 || shape[1] != 500 {
			errM = &os.PathError{Op: "shape", Path: mp, Err: os.ErrInvalid}
			return
		}
		if matrix, errM = neighbors.MatrixSpace(500, d); errM != nil {
			return
		}
		c := readCSV(jp)
		if c.err != nil {
			errM = c.err
			return
		}
		for _, l := range c.cols["label"] {
			labels = append(labels, int8(l))
		}
	})
	if errM != nil {
		t.Fatalf("loading the reference matrix: %v", errM)
	}
	if len(labels) != 500 {
		t.Fatalf("%s: %d labels, want 500", jp, len(labels))
	}
	return matrix, labels
}

// Table is a CSV file of numeric columns.
type Table struct {
	Path   string
	Header []string
	Rows   int
	cols   map[string][]float64
	err    error
}

// Col returns a column; the test fails when it is missing.
func (tb *Table) Col(t testing.TB, name string) []float64 {
	t.Helper()
	c, ok := tb.cols[name]
	if !ok {
		t.Fatalf("%s has no column %q (columns: %v)", tb.Path, name, tb.Header)
	}
	return c
}

// CSV reads reference/REL (relative to the shared folder) as numeric
// columns ("inf", "nan" accepted).
func CSV(t testing.TB, rel string) *Table {
	t.Helper()
	tb := readCSV(sharedtest.Path(t, rel))
	if tb.err != nil {
		t.Fatalf("%s: %v", tb.Path, tb.err)
	}
	return tb
}

func readCSV(path string) *Table {
	tb := &Table{Path: path, cols: map[string][]float64{}}
	f, err := os.Open(path)
	if err != nil {
		tb.err = err
		return tb
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.err = err
		return tb
	}
	if len(recs) == 0 {
		tb.err = os.ErrInvalid
		return tb
	}
	tb.Header = recs[0]
	tb.Rows = len(recs) - 1
	for c, name := range tb.Header {
		col := make([]float64, 0, tb.Rows)
		numeric := true
		for _, r := range recs[1:] {
			x, err := strconv.ParseFloat(r[c], 64)
			if err != nil {
				numeric = false
				break
			}
			col = append(col, x)
		}
		if numeric {
			tb.cols[name] = col
		}
	}
	return tb
}
