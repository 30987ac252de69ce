package sharedtest

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestLoaders reads small files written into a temporary shared folder
// (SMEARFLOW_SHARED) with every loader.
func TestLoaders(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SMEARFLOW_SHARED", dir)
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("t.csv", []byte("i,x\n0,1.5\n1,inf\n"))
	write("t.json", []byte(`{"a": [1, 2]}`))
	// A 2×3 float64 matrix, format 1.0, header padded to 64 bytes.
	header := "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	npy := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	npy = append(npy, header...)
	for k := range 6 {
		npy = binary.LittleEndian.AppendUint64(npy, math.Float64bits(float64(k)/4))
	}
	write("m.npy", npy)

	if got := ReadCSV(t, "t.csv"); !reflect.DeepEqual(got, [][]string{{"i", "x"}, {"0", "1.5"}, {"1", "inf"}}) {
		t.Errorf("ReadCSV = %v", got)
	}
	rows := ReadCSVRows(t, "t.csv")
	if len(rows) != 2 || rows[0].Float(t, "x") != 1.5 || !math.IsInf(rows[1].Float(t, "x"), 1) || rows[1]["i"] != "1" {
		t.Errorf("ReadCSVRows = %v", rows)
	}
	header2, cols := ReadCSVColumns(t, "t.csv")
	if !reflect.DeepEqual(header2, []string{"i", "x"}) || !reflect.DeepEqual(cols["i"], []float64{0, 1}) || cols["x"][0] != 1.5 {
		t.Errorf("ReadCSVColumns = %v, %v", header2, cols)
	}
	if x := ReadCSVColumn(t, "t.csv", "x"); len(x) != 2 || x[0] != 1.5 || !math.IsInf(x[1], 1) {
		t.Errorf("ReadCSVColumn = %v", x)
	}
	var v struct{ A []int }
	if ReadJSON(t, "t.json", &v); !reflect.DeepEqual(v.A, []int{1, 2}) {
		t.Errorf("ReadJSON = %+v", v)
	}
	data, r, c := ReadNPYMatrix(t, "m.npy")
	if r != 2 || c != 3 || !reflect.DeepEqual(data, []float64{0, 0.25, 0.5, 0.75, 1, 1.25}) {
		t.Errorf("ReadNPYMatrix = %v (%d×%d)", data, r, c)
	}
}

// TestLoaderSkips: a missing file skips the test (through Path).
func TestLoaderSkips(t *testing.T) {
	t.Setenv("SMEARFLOW_SHARED", t.TempDir())
	skipped := true
	t.Run("missing", func(t *testing.T) {
		ReadCSV(t, "nope.csv")
		skipped = false
	})
	if !skipped {
		t.Error("ReadCSV of a missing file did not skip")
	}
}
