package semd

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/internal/parallel"
)

// spectrumLen is the number of entries (without the sentinel) of the
// spectral function of an n-particle jet: the ω = 0 entry plus one entry
// per pair.
func spectrumLen(n int) int { return n*(n-1)/2 + 1 }

// omegaFunc returns ω(ΔR²) = ΔR^β/β, computed from the squared distance.
func omegaFunc(beta float64) func(dr2 float64) float64 {
	switch beta {
	case 1:
		return math.Sqrt
	case 2:
		return func(dr2 float64) float64 { return dr2 / 2 }
	}
	return func(dr2 float64) float64 { return math.Pow(math.Sqrt(dr2), beta) / beta }
}

// buildSpectrum writes the sorted spectral function of jet v into dst,
// which must have spectrumLen(n)+1 entries, and returns its total weight
// T. Energies are E_i = pt_i/Σpt (normalize, T = 1) or E_i = pt_i [GeV]
// (T = (Σpt)²). The ω = 0 entry has weight Σ E_i², the entry of pair i<j
// weight 2 E_i E_j at ω_ij = ΔR_ij^β/β (Δφ wrapped). The cumulative
// weights are clamped to T and the last one set to T exactly, so that two
// spectra with the same T end at the same breakpoint; the final slot is
// the sentinel.
func buildSpectrum(dst []entry, v jet.View, normalize bool, omega func(float64) float64, e []float64) float64 {
	n := len(v.Pt)
	sum := v.SumPt()
	e = e[:0]
	for _, p := range v.Pt {
		if normalize {
			e = append(e, p/sum)
		} else {
			e = append(e, p)
		}
	}
	T := 1.0
	if !normalize {
		T = sum * sum
	}
	// Fill (weight, ω) into the c and w fields, sort by ω, then turn the
	// weights into cumulative sums.
	k := 0
	s2 := 0.0
	for _, x := range e {
		s2 += x * x
	}
	dst[k] = entry{c: s2, w: 0}
	k++
	for i := 0; i < n; i++ {
		yi, phii, ei := v.Y[i], v.Phi[i], e[i]
		for j := i + 1; j < n; j++ {
			dy := yi - v.Y[j]
			dp := jet.DeltaPhi(phii, v.Phi[j])
			dst[k] = entry{c: 2 * ei * e[j], w: omega(dy*dy + dp*dp)}
			k++
		}
	}
	spec := dst[:k]
	slices.SortFunc(spec, func(a, b entry) int { return cmp.Compare(a.w, b.w) })
	c := 0.0
	for i := range spec {
		c += spec[i].c
		spec[i].c = min(c, T)
	}
	spec[k-1].c = T
	dst[k] = entry{c: sentinelC, w: spec[k-1].w}
	return T
}

// padInto writes into dst (len(src)+1 entries) the spectrum src (with its
// sentinel, total T) with one extra entry of weight tHeavy - T at ω = wMax,
// sorted into place, so that the result ends at tHeavy exactly. It returns
// dst[:len(src)+1].
func padInto(dst, src []entry, T, tHeavy, wMax float64) []entry {
	n := len(src) - 1
	delta := tHeavy - T
	p, _ := slices.BinarySearchFunc(src[:n], wMax, func(e entry, w float64) int { return cmp.Compare(e.w, w) })
	copy(dst, src[:p])
	prev := 0.0
	if p > 0 {
		prev = src[p-1].c
	}
	dst[p] = entry{c: min(prev+delta, tHeavy), w: wMax}
	for k := p; k < n; k++ {
		dst[k+1] = entry{c: min(src[k].c+delta, tHeavy), w: src[k].w}
	}
	dst[n].c = tHeavy
	dst[n+1] = entry{c: sentinelC, w: dst[n].w}
	return dst[:n+2]
}

// NewSpace builds the spectra of all jets with the given options (see
// Metric.Prepare, which also resolves parameters and validates the jets).
// An empty jet is an error naming it. Spectra are built in parallel, one
// jet per task, deterministically.
func NewSpace(ctx context.Context, jets *jet.Jets, o Options) (*Space, error) {
	if !(o.Beta > 0) || math.IsInf(o.Beta, 0) {
		return nil, fmt.Errorf("semd: beta = %v must be a finite number > 0", o.Beta)
	}
	if o.BoundBins < 1 {
		return nil, fmt.Errorf("semd: bound_bins = %d must be >= 1", o.BoundBins)
	}
	n := jets.Len()
	s := &Space{kernel: sweepFast, opt: o, off: make([]int, n+1), total: make([]float64, n)}
	for i := 0; i < n; i++ {
		m := jets.Multiplicity(i)
		if m == 0 {
			return nil, fmt.Errorf("semd: jet %d has no particles", i)
		}
		l := spectrumLen(m) + 1
		s.off[i+1] = s.off[i] + l
		s.max = max(s.max, l)
	}
	s.ent = make([]entry, s.off[n])
	omega := omegaFunc(o.Beta)
	// One jet per task, each spectrum written to its own slots: the result
	// does not depend on the number of workers.
	err := parallel.ForEach(ctx, n, 0, func() *[]float64 { return new([]float64) }, func(i int, e *[]float64) {
		v := jets.Jet(i)
		if cap(*e) < len(v.Pt) {
			*e = make([]float64, 0, len(v.Pt))
		}
		s.total[i] = buildSpectrum(s.ent[s.off[i]:s.off[i+1]], v, o.Normalize, omega, *e)
	})
	if err != nil {
		return nil, err
	}
	s.equal = true
	for i := 1; i < n; i++ {
		if s.total[i] != s.total[0] {
			s.equal = false
		}
	}
	return s, nil
}
