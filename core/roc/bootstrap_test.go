package roc

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randomSample(n int, seed uint64) ([]int8, []float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	y := make([]int8, n)
	s := make([]float64, n)
	w := make([]float64, n)
	for i := range y {
		y[i] = int8(rng.IntN(2))
		s[i] = float64(rng.IntN(30)) + 3*float64(y[i])
		w[i] = 0.5 + rng.Float64()
	}
	return y, s, w
}

// TestBootstrapMatchesExplicitResamples checks the O(n) multiplicity
// replicate against an explicit resampled sample (jets copied as many times
// as drawn), replicate by replicate.
func TestBootstrapMatchesExplicitResamples(t *testing.T) {
	y, s, w := randomSample(120, 3)
	smp, err := New(y, s, w)
	if err != nil {
		t.Fatal(err)
	}
	mult := make([]int32, len(smp.rw))
	for b := uint64(0); b < 20; b++ {
		smp.resample(mult, 42, b)
		var ry []int8
		var rs, rw []float64
		var ns, nb int32
		for r, m := range mult {
			i := smp.orig[r]
			for k := int32(0); k < m; k++ {
				ry, rs, rw = append(ry, y[i]), append(rs, s[i]), append(rw, w[i])
			}
			if y[i] == 1 {
				ns += m
			} else {
				nb += m
			}
		}
		if int(ns) != len(smp.sigR) || int(nb) != len(smp.bkgR) {
			t.Fatalf("replicate %d is not stratified: %d signal, %d background", b, ns, nb)
		}
		a, rej, err := smp.replicate(mult, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := New(ry, rs, rw)
		if err != nil {
			t.Fatal(err)
		}
		wa, _ := ref.AUC()
		wp, _ := ref.At(0.5)
		if math.Abs(a-wa) > 1e-12 || math.Abs(rej-wp.Rejection) > 1e-12*wp.Rejection {
			t.Errorf("replicate %d: AUC %v rejection %v, explicit %v %v", b, a, rej, wa, wp.Rejection)
		}
	}
}

// TestBootstrapBands checks determinism, seed dependence, that the band
// brackets the estimate, and that it narrows with the sample size.
func TestBootstrapBands(t *testing.T) {
	cfg := BootstrapConfig{N: 200, Confidence: 0.68, Seed: 5}
	width := func(n int) (Bands, float64) {
		y, s, w := randomSample(n, 9)
		smp, err := New(y, s, w)
		if err != nil {
			t.Fatal(err)
		}
		b, err := smp.Bootstrap(cfg)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := smp.AUC()
		if !(b.AUC.Lo <= a && a <= b.AUC.Hi) {
			t.Errorf("n=%d: AUC %v outside its band %+v", n, a, b.AUC)
		}
		b2, _ := smp.Bootstrap(cfg)
		if b != b2 {
			t.Errorf("n=%d: same seed gave %+v then %+v", n, b, b2)
		}
		other := cfg
		other.Seed = 6
		if b3, _ := smp.Bootstrap(other); b3 == b {
			t.Errorf("n=%d: seeds 5 and 6 gave identical bands %+v", n, b)
		}
		return b, b.AUC.Hi - b.AUC.Lo
	}
	_, w1 := width(200)
	_, w2 := width(3200)
	if !(w2 < w1/2) {
		t.Errorf("band width %v at n=3200 is not well below %v at n=200", w2, w1)
	}
	// One class: an error, not a band.
	smp, _ := New([]int8{1, 1}, []float64{1, 2}, nil)
	if _, err := smp.Bootstrap(cfg); !IsUndefined(err) {
		t.Errorf("one-class bootstrap: err = %v", err)
	}
	if _, err := smp.Bootstrap(BootstrapConfig{N: 10, Confidence: 1.5}); err == nil {
		t.Error("confidence 1.5 accepted")
	}
}

func TestQuantile(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{1, 2, 3, 4}, 0.16, 1.48},
		{[]float64{1, 2, inf, inf}, 0.5, inf},
		{[]float64{1, 2, inf, inf}, 0.84, inf},
		{[]float64{1, 2, 3}, 0.25, 1.5},
	}
	for _, c := range cases {
		if !slices.IsSorted(c.x) {
			t.Fatal("unsorted test data")
		}
		if got := Quantile(c.x, c.q); !near(got, c.want, 1e-15) {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.x, c.q, got, c.want)
		}
	}
}
