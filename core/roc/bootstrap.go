package roc

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// BootstrapConfig configures seeded bootstrap bands.
type BootstrapConfig struct {
	// N is the number of bootstrap replicates (0 disables the bands).
	N int
	// Confidence is the central probability of the band, in (0, 1)
	// (for example 0.68 or 0.95).
	Confidence float64
	// Seed selects the resamples. Replicate b uses the generator
	// rand.NewPCG(Seed, b), so the same seed gives the same resamples for
	// every score vector of the same labels (common random numbers across
	// the points of a scan).
	Seed uint64
	// SigEff is the signal efficiency of the rejection (0.5 if zero).
	SigEff float64
}

// Band is a percentile interval [Lo, Hi].
type Band struct{ Lo, Hi float64 }

// Bands are the bootstrap intervals of the AUC and of the background
// rejection at the configured signal efficiency.
type Bands struct {
	AUC       Band
	Rejection Band
	N         int // replicates used
}

// Bootstrap returns percentile bands of the AUC and of the rejection.
//
// Resampling is stratified: each replicate draws, with replacement, as many
// signal jets as the sample holds from the signal jets, and as many
// background jets from the background jets (zero-weight jets included, so
// they keep contributing nothing). Each replicate therefore has both
// classes whenever the sample does. The replicate AUC and rejection use
// the same conventions as AUC and At; the ranking is reused, so a replicate
// costs O(n) after the single sort done by New.
//
// The band is [q((1-c)/2), q((1+c)/2)] of the N replicate values, with q
// numpy's default ("linear") percentile; a rejection quantile that touches
// +Inf replicates is +Inf.
func (s *Sample) Bootstrap(cfg BootstrapConfig) (Bands, error) {
	if cfg.N < 0 {
		return Bands{}, fmt.Errorf("roc: bootstrap: number of replicates %d is negative", cfg.N)
	}
	if cfg.N == 0 {
		nan := math.NaN()
		return Bands{AUC: Band{nan, nan}, Rejection: Band{nan, nan}}, nil
	}
	if !(cfg.Confidence > 0 && cfg.Confidence < 1) {
		return Bands{}, fmt.Errorf("roc: bootstrap: confidence %v is not in (0, 1)", cfg.Confidence)
	}
	eff := cfg.SigEff
	if eff == 0 {
		eff = 0.5
	}
	if eff < 0 || eff > 1 || math.IsNaN(eff) {
		return Bands{}, fmt.Errorf("roc: bootstrap: signal efficiency %v is outside [0, 1]", eff)
	}
	if err := s.defined(s.ws, s.wb); err != nil {
		return Bands{}, err
	}
	aucs := make([]float64, cfg.N)
	rejs := make([]float64, cfg.N)
	mult := make([]int32, len(s.rw))
	for b := 0; b < cfg.N; b++ {
		s.resample(mult, cfg.Seed, uint64(b))
		a, rej, err := s.replicate(mult, eff)
		if err != nil {
			return Bands{}, fmt.Errorf("roc: bootstrap replicate %d: %w", b, err)
		}
		aucs[b], rejs[b] = a, rej
	}
	lo, hi := (1-cfg.Confidence)/2, (1+cfg.Confidence)/2
	slices.Sort(aucs)
	slices.Sort(rejs)
	return Bands{
		AUC:       Band{Quantile(aucs, lo), Quantile(aucs, hi)},
		Rejection: Band{Quantile(rejs, lo), Quantile(rejs, hi)},
		N:         cfg.N,
	}, nil
}

// resample fills mult (indexed by rank) with the multiplicities of
// replicate b. Each class is drawn from all its samples; a draw of a
// zero-weight sample changes nothing.
func (s *Sample) resample(mult []int32, seed, b uint64) {
	clear(mult)
	rng := rand.New(rand.NewPCG(seed, b))
	for _, cls := range []struct {
		ranks []int32
		zero  int
	}{{s.sigR, s.sigZ}, {s.bkgR, s.bkgZ}} {
		n := len(cls.ranks) + cls.zero
		for k := 0; k < n; k++ {
			if j := rng.IntN(n); j < len(cls.ranks) {
				mult[cls.ranks[j]]++
			}
		}
	}
}

// replicate returns the AUC and rejection of the sample reweighted by mult.
func (s *Sample) replicate(mult []int32, eff float64) (float64, float64, error) {
	a, err := s.auc(mult)
	if err != nil {
		return 0, 0, err
	}
	var ws, wb float64
	for r, w := range s.rw {
		w *= float64(mult[r])
		if s.rsig[r] {
			ws += w
		} else {
			wb += w
		}
	}
	fpr, _, ok := s.walkAt(mult, ws, wb, eff)
	if !ok {
		return 0, 0, fmt.Errorf("no point reaches signal efficiency %v", eff)
	}
	return a, 1 / fpr, nil
}

// Quantile returns the q-quantile of sorted values with linear
// interpolation between order statistics (numpy.percentile's default).
// Infinite neighbours give an infinite result instead of NaN.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 || math.IsNaN(q) {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo < 0 {
		lo = 0
	}
	if lo >= n-1 {
		return sorted[n-1]
	}
	a, b := sorted[lo], sorted[lo+1]
	f := h - float64(lo)
	switch {
	case f == 0 || a == b:
		return a
	case math.IsInf(b, 1):
		return b
	case math.IsInf(a, -1):
		return a
	}
	return a + f*(b-a)
}
