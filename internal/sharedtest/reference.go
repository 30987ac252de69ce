package sharedtest

import (
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Loaders of the reference files under the shared folder. Every loader
// takes a path relative to the shared folder (as Path does), skips the
// test when the file is absent and fails it, naming the file, when the
// file cannot be read or parsed.

// ReadCSV returns every record of the CSV file rel, header first.
func ReadCSV(t testing.TB, rel string) [][]string {
	t.Helper()
	p := Path(t, rel)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", p)
	}
	return recs
}

// Row is one data row of a CSV file keyed by the header's column names.
type Row map[string]string

// Float parses column col of the row as a float64, failing the test when
// it is missing or not a number.
func (r Row) Float(t testing.TB, col string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(r[col], 64)
	if err != nil {
		t.Fatalf("column %s = %q: %v", col, r[col], err)
	}
	return v
}

// ReadCSVRows returns the data rows of the CSV file rel keyed by its
// header.
func ReadCSVRows(t testing.TB, rel string) []Row {
	t.Helper()
	recs := ReadCSV(t, rel)
	out := make([]Row, 0, len(recs)-1)
	for _, r := range recs[1:] {
		m := Row{}
		for k, h := range recs[0] {
			m[h] = r[k]
		}
		out = append(out, m)
	}
	return out
}

// ReadCSVColumns reads a numeric CSV file rel (header and at least one
// row) into its header and one float64 slice per column.
func ReadCSVColumns(t testing.TB, rel string) (header []string, cols map[string][]float64) {
	t.Helper()
	rows := ReadCSV(t, rel)
	if len(rows) < 2 {
		t.Fatalf("%s: no data rows", rel)
	}
	header = rows[0]
	cols = map[string][]float64{}
	for li, row := range rows[1:] {
		for j, h := range header {
			v, err := strconv.ParseFloat(row[j], 64)
			if err != nil {
				t.Fatalf("%s line %d column %s: %v", rel, li+2, h, err)
			}
			cols[h] = append(cols[h], v)
		}
	}
	return header, cols
}

// ReadCSVColumn returns the numeric column col of the CSV file rel.
func ReadCSVColumn(t testing.TB, rel, col string) []float64 {
	t.Helper()
	recs := ReadCSV(t, rel)
	k := -1
	for c, h := range recs[0] {
		if h == col {
			k = c
		}
	}
	if k < 0 {
		t.Fatalf("%s: no column %s", rel, col)
	}
	out := make([]float64, len(recs)-1)
	for r, rec := range recs[1:] {
		v, err := strconv.ParseFloat(rec[k], 64)
		if err != nil {
			t.Fatalf("%s line %d column %s: %v", rel, r+2, col, err)
		}
		out[r] = v
	}
	return out
}

// ReadJSON decodes the JSON file rel into v.
func ReadJSON(t testing.TB, rel string, v any) {
	t.Helper()
	p := Path(t, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

// ReadNPYMatrix reads the two-dimensional little-endian float64 C-order
// .npy file rel (format 1.0, 2.0 or 3.0) and returns its data, row-major,
// with its shape.
func ReadNPYMatrix(t testing.TB, rel string) (data []float64, rows, cols int) {
	t.Helper()
	b, err := os.ReadFile(Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12 || string(b[1:6]) != "NUMPY" {
		t.Fatalf("%s: not a .npy file", rel)
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(b[8])|int(b[9])<<8, 10
	case 2, 3:
		hlen, off = int(b[8])|int(b[9])<<8|int(b[10])<<16|int(b[11])<<24, 12
	default:
		t.Fatalf("%s: npy version %d", rel, b[6])
	}
	if off+hlen > len(b) {
		t.Fatalf("%s: truncated header", rel)
	}
	header := string(b[off : off+hlen])
	if !strings.Contains(header, "'<f8'") || !strings.Contains(header, "'fortran_order': False") {
		t.Fatalf("%s: want little-endian float64 C order, header %q", rel, header)
	}
	i := strings.Index(header, "'shape': (")
	if i < 0 {
		t.Fatalf("%s: no shape in header %q", rel, header)
	}
	if _, err := fmt.Sscanf(header[i+len("'shape': ("):], "%d, %d)", &rows, &cols); err != nil {
		t.Fatalf("%s: shape in header %q: %v", rel, header, err)
	}
	raw := b[off+hlen:]
	if len(raw) != 8*rows*cols {
		t.Fatalf("%s: %d data bytes for shape (%d, %d)", rel, len(raw), rows, cols)
	}
	data = make([]float64, rows*cols)
	for i := range data {
		data[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return data, rows, cols
}
