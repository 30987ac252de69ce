// Package table is smearflow's small columnar table: named float64 or
// string columns of equal length, written as CSV with shortest round-trip
// floats so values parse back bit for bit.
package table

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Column is one named column. Exactly one of Float and String is used.
type Column struct {
	Name   string
	Unit   string // optional unit, e.g. "GeV"
	Float  []float64
	String []string
}

// Len reports the number of rows of the column.
func (c *Column) Len() int {
	if c.String != nil {
		return len(c.String)
	}
	return len(c.Float)
}

// IsString reports whether the column holds strings.
func (c *Column) IsString() bool { return c.String != nil }

// Table is an ordered set of equal-length columns.
type Table struct {
	Columns []Column
}

// New returns an empty table.
func New() *Table { return &Table{} }

// AddFloat appends a float64 column and returns the table.
func (t *Table) AddFloat(name string, values []float64) *Table {
	if values == nil {
		values = []float64{}
	}
	t.Columns = append(t.Columns, Column{Name: name, Float: values})
	return t
}

// AddString appends a string column and returns the table.
func (t *Table) AddString(name string, values []string) *Table {
	if values == nil {
		values = []string{}
	}
	t.Columns = append(t.Columns, Column{Name: name, String: values})
	return t
}

// Rows reports the number of rows (0 for a table without columns).
func (t *Table) Rows() int {
	if t == nil || len(t.Columns) == 0 {
		return 0
	}
	return t.Columns[0].Len()
}

// Names lists the column names in order.
func (t *Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Col returns the column with the given name, or nil.
func (t *Table) Col(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Floats returns the float values of the named column, or an error naming
// the available columns.
func (t *Table) Floats(name string) ([]float64, error) {
	c := t.Col(name)
	if c == nil {
		return nil, fmt.Errorf("table has no column %q (columns: %v)", name, t.Names())
	}
	if c.IsString() {
		return nil, fmt.Errorf("column %q holds strings, not numbers", name)
	}
	return c.Float, nil
}

// Check verifies that every column has the same length and names are unique.
func (t *Table) Check() error {
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if seen[c.Name] {
			return fmt.Errorf("table: duplicate column %q", c.Name)
		}
		seen[c.Name] = true
		if c.Len() != t.Rows() {
			return fmt.Errorf("table: column %q has %d rows, column %q has %d", c.Name, c.Len(), t.Columns[0].Name, t.Rows())
		}
	}
	return nil
}

// FormatFloat writes x as the shortest decimal that parses back to x;
// infinities are "inf" and "-inf", NaN is "nan".
func FormatFloat(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case math.IsNaN(x):
		return "nan"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// WriteCSV writes the table with a header line.
func (t *Table) WriteCSV(w io.Writer) error {
	if err := t.Check(); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Names()); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for r := 0; r < t.Rows(); r++ {
		for i := range t.Columns {
			c := &t.Columns[i]
			if c.IsString() {
				rec[i] = c.String[r]
			} else {
				rec[i] = FormatFloat(c.Float[r])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSV returns the table as CSV bytes.
func (t *Table) CSV() ([]byte, error) {
	var b bytes.Buffer
	err := t.WriteCSV(&b)
	return b.Bytes(), err
}

// ReadCSV reads a CSV table with a header line. A column whose every value
// parses as a float (including inf and nan) becomes a float column;
// otherwise it is a string column. Errors name the line.
func ReadCSV(r io.Reader) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("csv: empty file, expected a header line")
		}
		return nil, fmt.Errorf("csv: %w", err)
	}
	raw := make([][]string, len(header))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		for i := range header {
			raw[i] = append(raw[i], rec[i])
		}
	}
	t := New()
	for i, name := range header {
		vals := make([]float64, len(raw[i]))
		numeric := true
		for k, s := range raw[i] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				numeric = false
				break
			}
			vals[k] = v
		}
		if numeric {
			t.AddFloat(name, vals)
		} else {
			t.AddString(name, raw[i])
		}
	}
	return t, nil
}
