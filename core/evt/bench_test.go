package evt

import (
	"context"
	"fmt"
	"testing"
)

// loop runs f b.N times and reports, besides wall time, the process CPU
// time per operation (cpu-ns/op), which is robust to other load on a
// shared machine (for parallel code it sums over the workers).
func loop(b *testing.B, f func()) {
	b.Helper()
	b.ResetTimer()
	c0 := processCPU()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	b.ReportMetric(float64(processCPU()-c0)/float64(n), "cpu-ns/op")
}

// Baseline: one pass of the log-likelihood over 10k points (pow + log per
// point). The fit benchmarks are reported in units of this pass.
func BenchmarkLogLikWeibull10k(b *testing.B) {
	d := Dist{Family: WeibullMin, C: 2.5, Scale: 0.012}
	x := d.Sample(10000, 1)
	loop(b, func() { _ = d.LogLik(x) })
}

// One complete loc-0 Weibull fit of 10k points: MLE, standard errors,
// log-likelihood, KS and AD.
func BenchmarkFitWeibull10k(b *testing.B) {
	x := Dist{Family: WeibullMin, C: 2.5, Scale: 0.012}.Sample(10000, 1)
	loop(b, func() {
		if _, err := Fit(WeibullMin, x, Options{}); err != nil {
			b.Fatal(err)
		}
	})
}

// Free-location Weibull fit of 10k points (profile over loc + Newton).
func BenchmarkFitWeibullFreeLoc10k(b *testing.B) {
	x := Dist{Family: WeibullMin, C: 2.5, Loc: 0.004, Scale: 0.012}.Sample(10000, 1)
	loop(b, func() {
		if _, err := Fit(WeibullMin, x, Options{FreeLoc: true}); err != nil {
			b.Fatal(err)
		}
	})
}

// GEV fit of 10k points (PWM start + damped Newton).
func BenchmarkFitGEV10k(b *testing.B) {
	x := Dist{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2}.Sample(10000, 1)
	loop(b, func() {
		if _, err := Fit(GenExtreme, x, Options{}); err != nil {
			b.Fatal(err)
		}
	})
}

// Parametric-bootstrap p-values with n_boot = 200 (each replicate drawn
// and refitted) for a sample of 500 (the size of the reference
// nearest-neighbour sample), with 1 and 2 workers.
func BenchmarkBootstrapGOF200(b *testing.B) {
	for _, c := range []struct {
		d       Dist
		freeLoc bool
	}{
		{Dist{Family: WeibullMin, C: 2.5, Scale: 0.012}, false},
		{Dist{Family: WeibullMin, C: 2.5, Loc: 0.004, Scale: 0.012}, true},
		{Dist{Family: GenExtreme, C: -0.1, Loc: 1, Scale: 2}, false},
	} {
		r, err := Fit(c.d.Family, c.d.Sample(500, 1), Options{FreeLoc: c.freeLoc})
		if err != nil || !r.Converged {
			b.Fatal(err)
		}
		for _, w := range []int{1, 2} {
			name := fmt.Sprintf("%s/freeloc=%v/workers=%d", c.d.Family, c.freeLoc, w)
			b.Run(name, func(b *testing.B) {
				loop(b, func() {
					if _, err := r.BootstrapGOF(context.Background(), 200, 1, w); err != nil {
						b.Fatal(err)
					}
				})
			})
		}
	}
}
