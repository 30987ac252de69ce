package table

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestCSVRoundTrip(t *testing.T) {
	tb := New().AddFloat("eps", []float64{0.1, 1.0 / 3, math.Inf(1)}).AddString("name", []string{"a", "b,c", "d"})
	var b bytes.Buffer
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := "eps,name\n0.1,a\n0.3333333333333333,\"b,c\"\ninf,d\n"
	if b.String() != want {
		t.Fatalf("csv:\n%q\nwant\n%q", b.String(), want)
	}
	back, err := ReadCSV(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	f, err := back.Floats("eps")
	if err != nil || f[1] != 1.0/3 || !math.IsInf(f[2], 1) {
		t.Fatalf("floats %v %v", f, err)
	}
	if _, err := back.Floats("name"); err == nil {
		t.Fatal("string column read as floats")
	}
	if _, err := back.Floats("nope"); err == nil || !strings.Contains(err.Error(), "columns: [eps name]") {
		t.Fatalf("missing column: %v", err)
	}
}

func TestCheck(t *testing.T) {
	tb := New().AddFloat("a", []float64{1, 2}).AddFloat("b", []float64{1})
	if err := tb.Check(); err == nil || !strings.Contains(err.Error(), `column "b" has 1 rows`) {
		t.Fatalf("check: %v", err)
	}
	tb = New().AddFloat("a", nil).AddFloat("a", nil)
	if err := tb.Check(); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("dup: %v", err)
	}
	if _, err := ReadCSV(strings.NewReader("")); err == nil {
		t.Fatal("empty csv accepted")
	}
}
