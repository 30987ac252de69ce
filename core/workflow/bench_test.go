package workflow_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/workflow"
)

// BenchmarkLoad measures parsing and resolving the README example.
func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile("testdata/quark-gluon.yaml")
	if err != nil {
		b.Fatal(err)
	}
	reg := registry()
	b.ReportAllocs()
	for b.Loop() {
		f, err := workflow.Parse("testdata/quark-gluon.yaml", data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.Resolve(reg, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadLargeScan resolves a 50×50 scan fanned out to a second
// step: 5000 plan steps plus the reader.
func BenchmarkLoadLargeScan(b *testing.B) {
	vals := make([]string, 50)
	for i := range vals {
		vals[i] = fmt.Sprint(1 + i)
	}
	list := "[" + strings.Join(vals, ", ") + "]"
	src := "steps:\n  j: {reader: generator}\n  d: {metric: semd, input: j, scan: {matrix_max_mb: " + list +
		", pair_sample: " + list + "}}\n  f: {fitter: gev, input: d}\n"
	reg := registry()
	b.ReportAllocs()
	for b.Loop() {
		f, err := workflow.Parse("w.yaml", []byte(src))
		if err != nil {
			b.Fatal(err)
		}
		p, err := f.Resolve(reg, nil)
		if err != nil || len(p.Steps) != 5001 {
			b.Fatal(err)
		}
	}
}
