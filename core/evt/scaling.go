package evt

import (
	"context"

	"fmt"
	"math"
	"slices"

	"github.com/smearflow/smearflow/internal/parallel"
)

// LadderInput is one rung of a scaling ladder: the nearest-neighbour
// distances D_N of the queries of a subset of N reference jets, for one or
// several repetitions (independent subsets of the same size).
type LadderInput struct {
	N         int
	Distances [][]float64 // one slice per repetition; metric units
}

// ScalingOptions control FitScaling.
type ScalingOptions struct {
	// NBoot is the number of bootstrap replicates for the bands (0: no
	// bands, which are then NaN).
	NBoot int
	// Level is the central coverage of the percentile bands (0 means
	// 0.68).
	Level float64
	// Seed seeds the bootstrap (replicate b uses DeriveSeed(Seed, b)).
	Seed uint64
	// Workers bounds the goroutines (<= 0: GOMAXPROCS); results do not
	// depend on it.
	Workers int
	// NoWeibull skips the loc-0 Weibull fit at each rung.
	NoWeibull bool
}

// Band is a bootstrap percentile interval.
type Band struct{ Lo, Hi float64 }

var noBand = Band{math.NaN(), math.NaN()}

// LadderPoint holds the statistics of one rung.
type LadderPoint struct {
	N      int
	Reps   int // repetitions
	Count  int // pooled number of distances
	Median float64
	Mean   float64
	// MedianBand and MeanBand are bootstrap percentile intervals from
	// resampling the pooled distances with replacement.
	MedianBand, MeanBand Band
	// Weibull is the loc-0 weibull_min fit of the pooled distances: its
	// shape estimates the local dimension at this scale. Nil if the fit
	// was not possible (WeibullErr says why) or not requested.
	Weibull    *Result
	WeibullErr string
}

// LocalSlope is the slope of ln(stat) against ln N between neighbouring
// rungs.
type LocalSlope struct {
	N1, N2    int
	Slope     float64
	Dimension float64 // -1/Slope
	Band      Band    // bootstrap band of Slope
}

// PowerLaw is the least-squares fit ln(stat) = Intercept + Slope ln(N)
// (natural logs, unweighted, as numpy.polyfit(deg=1)).
type PowerLaw struct {
	Slope, Intercept float64
	// SlopeErr and InterceptErr are the ordinary least-squares standard
	// errors (residual variance with n - 2 degrees of freedom); NaN with
	// only two rungs.
	SlopeErr, InterceptErr float64
	// Dimension is the implied local dimension k = -1/Slope
	// (D_N ~ N^(-1/k)).
	Dimension float64
	SlopeBand Band // bootstrap band of Slope
	Local     []LocalSlope
}

// Scaling is the scaling analysis of a ladder.
type Scaling struct {
	Points       []LadderPoint
	Median, Mean PowerLaw
	NBoot        int
	Level        float64
	Seed         uint64
}

// FitPowerLaw fits ln(stat) = intercept + slope ln(n) by unweighted least
// squares and computes the local slopes between neighbouring points. n
// must be strictly increasing and positive, stat positive and finite.
func FitPowerLaw(n []int, stat []float64) (PowerLaw, error) {
	if len(n) != len(stat) {
		return PowerLaw{}, fmt.Errorf("evt: power law: %d sizes but %d statistics", len(n), len(stat))
	}
	if len(n) < 2 {
		return PowerLaw{}, fmt.Errorf("evt: power law needs at least 2 sizes, got %d", len(n))
	}
	for i := range n {
		if n[i] < 1 || i > 0 && n[i] <= n[i-1] {
			return PowerLaw{}, fmt.Errorf("evt: power law: sizes must be positive and strictly increasing, got %v", n)
		}
		if !(stat[i] > 0) || math.IsInf(stat[i], 0) {
			return PowerLaw{}, fmt.Errorf("evt: power law: statistic at N=%d is %v (must be finite and > 0)", n[i], stat[i])
		}
	}
	x := make([]float64, len(n))
	y := make([]float64, len(n))
	for i := range n {
		x[i], y[i] = math.Log(float64(n[i])), math.Log(stat[i])
	}
	pl := olsLine(x, y)
	for i := 1; i < len(n); i++ {
		s := (y[i] - y[i-1]) / (x[i] - x[i-1])
		pl.Local = append(pl.Local, LocalSlope{N1: n[i-1], N2: n[i], Slope: s, Dimension: -1 / s, Band: noBand})
	}
	return pl, nil
}

// olsLine fits y = a + b x.
func olsLine(x, y []float64) PowerLaw {
	k := float64(len(x))
	xb, yb := 0.0, 0.0
	for i := range x {
		xb += x[i]
		yb += y[i]
	}
	xb /= k
	yb /= k
	sxx, sxy := 0.0, 0.0
	for i := range x {
		sxx += (x[i] - xb) * (x[i] - xb)
		sxy += (x[i] - xb) * (y[i] - yb)
	}
	slope := sxy / sxx
	icpt := yb - slope*xb
	pl := PowerLaw{Slope: slope, Intercept: icpt, Dimension: -1 / slope,
		SlopeErr: math.NaN(), InterceptErr: math.NaN(), SlopeBand: noBand}
	if len(x) > 2 {
		ssr := 0.0
		for i := range x {
			r := y[i] - icpt - slope*x[i]
			ssr += r * r
		}
		s2 := ssr / (k - 2)
		pl.SlopeErr = math.Sqrt(s2 / sxx)
		pl.InterceptErr = math.Sqrt(s2 * (1/k + xb*xb/sxx))
	}
	return pl
}

// medianSorted is numpy.median of sorted values.
func medianSorted(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return 0.5 * (s[n/2-1] + s[n/2])
}

func mean(s []float64) float64 {
	t := 0.0
	for _, v := range s {
		t += v
	}
	return t / float64(len(s))
}

// percentile is numpy.percentile (linear interpolation) of sorted values.
func percentile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	h := q * float64(len(s)-1)
	i := int(math.Floor(h))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}

// FitScaling computes, for every rung, the median and mean of the pooled
// nearest-neighbour distances (numpy conventions: the median of an even
// count averages the two middle values), their power-law fits against N
// with local slopes and implied dimensions, bootstrap bands (resampling
// each rung's pooled distances with replacement, independently per rung)
// and the loc-0 Weibull fit at each rung. Rungs must have strictly
// increasing N.
func FitScaling(ctx context.Context, in []LadderInput, opt ScalingOptions) (*Scaling, error) {
	if len(in) < 2 {
		return nil, fmt.Errorf("%w: scaling needs at least 2 dataset sizes, got %d", ErrInput, len(in))
	}
	if opt.Level == 0 {
		opt.Level = 0.68
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return nil, fmt.Errorf("%w: scaling: level must be in (0, 1), got %v", ErrInput, opt.Level)
	}
	if opt.NBoot < 0 {
		return nil, fmt.Errorf("%w: scaling: n_boot must be >= 0, got %d", ErrInput, opt.NBoot)
	}
	out := &Scaling{NBoot: opt.NBoot, Level: opt.Level, Seed: opt.Seed}
	pooled := make([][]float64, len(in))
	ns := make([]int, len(in))
	for r, rung := range in {
		if rung.N < 2 {
			return nil, fmt.Errorf("%w: scaling: rung %d has N = %d (need >= 2)", ErrInput, r, rung.N)
		}
		if r > 0 && rung.N <= in[r-1].N {
			return nil, fmt.Errorf("%w: scaling: sizes must be strictly increasing, rung %d has N = %d after N = %d", ErrInput, r, rung.N, in[r-1].N)
		}
		if len(rung.Distances) == 0 {
			return nil, fmt.Errorf("%w: scaling: N = %d has no repetitions", ErrInput, rung.N)
		}
		var p []float64
		for rep, d := range rung.Distances {
			if len(d) == 0 {
				return nil, fmt.Errorf("%w: scaling: N = %d repetition %d is empty", ErrInput, rung.N, rep)
			}
			for i, v := range d {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					return nil, fmt.Errorf("%w: scaling: N = %d repetition %d distance %d is %v (must be finite and >= 0)", ErrInput, rung.N, rep, i, v)
				}
			}
			p = append(p, d...)
		}
		s := slices.Clone(p)
		slices.Sort(s)
		pt := LadderPoint{N: rung.N, Reps: len(rung.Distances), Count: len(p), Median: medianSorted(s), Mean: mean(p),
			MedianBand: noBand, MeanBand: noBand}
		if !opt.NoWeibull {
			if w, err := Fit(WeibullMin, p, Options{}); err != nil {
				pt.WeibullErr = err.Error()
			} else {
				pt.Weibull = w
			}
		}
		out.Points = append(out.Points, pt)
		pooled[r] = p
		ns[r] = rung.N
	}
	med := make([]float64, len(in))
	avg := make([]float64, len(in))
	for i, p := range out.Points {
		med[i], avg[i] = p.Median, p.Mean
	}
	var err error
	if out.Median, err = FitPowerLaw(ns, med); err != nil {
		return nil, fmt.Errorf("%w: median: %v", ErrInput, err)
	}
	if out.Mean, err = FitPowerLaw(ns, avg); err != nil {
		return nil, fmt.Errorf("%w: mean: %v", ErrInput, err)
	}
	if opt.NBoot > 0 {
		if err := bootstrapLadder(ctx, out, pooled, ns, opt); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// bootstrapLadder fills the bands of s.
func bootstrapLadder(ctx context.Context, s *Scaling, pooled [][]float64, ns []int, opt ScalingOptions) error {
	B, R := opt.NBoot, len(pooled)
	// Per replicate: medians and means per rung.
	med := make([]float64, B*R)
	avg := make([]float64, B*R)
	err := parallel.ForEach(ctx, B, opt.Workers, func() *[]float64 { return new([]float64) }, func(b int, scratch *[]float64) {
		buf := *scratch
		rng := replicateRNG(opt.Seed, b)
		for r, p := range pooled {
			buf = buf[:0]
			for range p {
				buf = append(buf, p[rng.IntN(len(p))])
			}
			avg[b*R+r] = mean(buf)
			slices.Sort(buf)
			med[b*R+r] = medianSorted(buf)
		}
		*scratch = buf
	})
	if err != nil {
		return err
	}
	lo, hi := (1-opt.Level)/2, (1+opt.Level)/2
	band := func(v []float64) Band {
		v = slices.DeleteFunc(v, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) })
		slices.Sort(v)
		return Band{percentile(v, lo), percentile(v, hi)}
	}
	col := make([]float64, B)
	for r := range pooled {
		for b := 0; b < B; b++ {
			col[b] = med[b*R+r]
		}
		s.Points[r].MedianBand = band(slices.Clone(col))
		for b := 0; b < B; b++ {
			col[b] = avg[b*R+r]
		}
		s.Points[r].MeanBand = band(slices.Clone(col))
	}
	for _, which := range []struct {
		pl   *PowerLaw
		stat []float64
	}{{&s.Median, med}, {&s.Mean, avg}} {
		slopes := make([]float64, 0, B)
		local := make([][]float64, R-1)
		x := make([]float64, R)
		y := make([]float64, R)
		for b := 0; b < B; b++ {
			okRep := true
			for r := 0; r < R; r++ {
				v := which.stat[b*R+r]
				if !(v > 0) {
					okRep = false // a zero statistic has no logarithm; skip the replicate
				}
				x[r], y[r] = math.Log(float64(ns[r])), math.Log(v)
			}
			if !okRep {
				continue
			}
			slopes = append(slopes, olsLine(x, y).Slope)
			for r := 1; r < R; r++ {
				local[r-1] = append(local[r-1], (y[r]-y[r-1])/(x[r]-x[r-1]))
			}
		}
		which.pl.SlopeBand = band(slopes)
		for i := range which.pl.Local {
			which.pl.Local[i].Band = band(local[i])
		}
	}
	return nil
}
