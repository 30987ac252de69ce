package generator

import (
	"context"
	"runtime"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
)

// BenchmarkGenerate measures jets per second: default settings (hadronised)
// and parton level, on one worker and on all cores (GOMAXPROCS). The
// one-worker run of the same settings is the baseline for the speed-up.
func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name      string
		hadronize bool
		workers   int
	}{
		{"hadrons/workers=1", true, 1},
		{"hadrons/workers=all", true, 0},
		{"partons/workers=1", false, 1},
		{"partons/workers=all", false, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Hadronize = bc.hadronize
			cfg.Workers = bc.workers
			const n = 10000
			cfg.Quarks, cfg.Gluons = n/2, n/2
			b.ReportAllocs()
			particles := 0
			for b.Loop() {
				particles = 0
				err := Generate(context.Background(), cfg, 1, 0, func(j *jet.Jets) error {
					particles += j.NumParticles()
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "jets/s")
			b.ReportMetric(float64(particles)/n, "particles/jet")
			b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
		})
	}
}
