package report

import (
	"testing"
)

// BenchmarkWrite renders the synthetic run (every section kind, 40+
// figures in SVG and PNG). Run with -cpu 1,2 to see the parallel speed-up.
func BenchmarkWrite(b *testing.B) {
	run := syntheticRun()
	dir := b.TempDir()
	for b.Loop() {
		if _, err := Write(dir, run); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender measures one figure (the AUC plot of a smearing step)
// in each format.
func BenchmarkRender(b *testing.B) {
	for _, format := range []string{"svg", "png"} {
		b.Run(format, func(b *testing.B) {
			run := &Run{Smearing: []Smearing{syntheticRun().Smearing[0]}}
			bl, err := build(run)
			if err != nil {
				b.Fatal(err)
			}
			f := bl.figs[0]
			for b.Loop() {
				if _, err := f.render(format); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
