package substructure

import (
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/jetobs"
)

// Jet is one jet prepared for substructure calculations: its constituents
// as FastJet-style four-momenta (built like fastjet::PtYPhiM(pt, y, phi, m)
// from the jet.View, with PDG masses or massless) and their E-scheme sum.
//
// A Jet caches the clustering histories it builds (exclusive kt with
// E-scheme and with winner-take-all recombination, Cambridge/Aachen), so
// asking for several observables of the same jet clusters it once. A Jet
// is not safe for concurrent use; reuse one per goroutine with Reset to
// avoid allocations.
type Jet struct {
	view    jet.View
	massive bool

	p     []pseudo // constituents
	mass  []float64
	sumPt float64
	total pseudo

	hist [numHistories]History
	have [numHistories]bool

	// Scratch buffers.
	d2      []float64 // n×n ΔR² matrix (valid when haveD2)
	haveD2  bool
	dpow    []float64
	idx     []int
	axes    []axis
	newAxes []axis
	assign  []int
	sums    []pseudo
	cl      clusterer
}

// Indices of the cached histories.
const (
	histKtE = iota
	histKtWTA
	histCA
	numHistories
)

// NewJet prepares one jet (see Reset).
func NewJet(v jet.View, massive bool) (*Jet, error) {
	j := &Jet{}
	if err := j.Reset(v, massive); err != nil {
		return nil, err
	}
	return j, nil
}

// Reset prepares the jet v, reusing j's buffers. With massive = true each
// constituent gets the PDG mass of its pid (jet.Mass); an unknown pid is a
// *jetobs.UnknownPIDError, never a silent massless fallback. A jet without
// particles is a *jetobs.EmptyJetError; non-finite or non-positive pt,
// and non-finite y or phi, are errors naming the jet and particle. The
// slices of v are referenced, not copied: do not modify them while j is in
// use.
func (j *Jet) Reset(v jet.View, massive bool) error {
	j.view, j.massive = v, massive
	j.have = [numHistories]bool{}
	j.haveD2 = false
	n := len(v.Pt)
	if n == 0 {
		return &jetobs.EmptyJetError{Jet: v.Index}
	}
	if len(v.Y) != n || len(v.Phi) != n || (massive && len(v.PID) != n) {
		return fmt.Errorf("jet %d: particle columns have different lengths (pt %d, y %d, phi %d, pid %d)", v.Index, n, len(v.Y), len(v.Phi), len(v.PID))
	}
	j.p = grow(j.p, n)
	j.mass = grow(j.mass, n)
	var sum pseudo
	j.sumPt = 0
	for i := 0; i < n; i++ {
		pt, y, phi := v.Pt[i], v.Y[i], v.Phi[i]
		if !(pt > 0) || math.IsInf(pt, 0) {
			return fmt.Errorf("jet %d, particle %d: pt = %v, want a finite value > 0", v.Index, i, pt)
		}
		if math.IsNaN(y) || math.IsInf(y, 0) || math.IsNaN(phi) || math.IsInf(phi, 0) {
			return fmt.Errorf("jet %d, particle %d: rapidity %v and azimuth %v must be finite", v.Index, i, y, phi)
		}
		if phi <= -twoPi || phi >= 2*twoPi {
			phi = wrapPhi(phi)
		}
		m := 0.0
		if massive {
			var ok bool
			if m, ok = jet.Mass(v.PID[i]); !ok {
				return &jetobs.UnknownPIDError{Jet: v.Index, Particle: i, PID: v.PID[i]}
			}
		}
		j.mass[i] = m
		p := ptYPhiM(pt, y, phi, m)
		j.p[i] = p
		j.sumPt += pt
		if i == 0 {
			sum = p
		} else {
			sum.px += p.px
			sum.py += p.py
			sum.pz += p.pz
			sum.e += p.e
		}
	}
	if n == 1 {
		j.total = j.p[0]
	} else {
		j.total = fromP4(sum.px, sum.py, sum.pz, sum.e)
	}
	return nil
}

// View returns the jet.View the jet was prepared from.
func (j *Jet) View() jet.View { return j.view }

// Massive reports whether the constituents carry PDG masses.
func (j *Jet) Massive() bool { return j.massive }

// Len is the number of constituents.
func (j *Jet) Len() int { return len(j.p) }

// Momentum returns the E-scheme sum of the constituents [GeV].
func (j *Jet) Momentum() jet.FourVector { return j.total.fv() }

// Pt returns the transverse momentum of the E-scheme jet [GeV].
func (j *Jet) Pt() float64 { return j.total.pt() }

// Rapidity returns the rapidity of the E-scheme jet (FastJet's rap()).
func (j *Jet) Rapidity() float64 { return j.total.rap }

// Phi returns the azimuth of the E-scheme jet in [0, 2π) (FastJet's phi()).
func (j *Jet) Phi() float64 { return j.total.phi }

// SumPt returns the scalar sum of the constituents' pt [GeV].
func (j *Jet) SumPt() float64 { return j.sumPt }

// Mass returns the invariant mass of the E-scheme jet [GeV]: FastJet's
// m() of the summed four-vector, sqrt((E+pz)(E-pz) - kt²) (negative, as
// -sqrt(-m²), when rounding makes m² < 0). A one-constituent jet has
// exactly its constituent's mass (0 or the PDG mass), where FastJet's
// E² - p² leaves rounding of order 1e-5 GeV for a massless 500 GeV
// particle. jetobs.Mass computes the same quantity without cancellation
// from pairs, at O(n²) cost; both agree to about 1e-12 relative on the
// reference jets.
func (j *Jet) Mass() float64 {
	if len(j.p) == 1 {
		return j.mass[0]
	}
	return j.total.m()
}

// Constituent returns constituent i's four-momentum [GeV] and the rapidity
// and azimuth (in [0, 2π)) used for every angle.
func (j *Jet) Constituent(i int) (p jet.FourVector, y, phi float64) {
	q := j.p[i]
	return q.fv(), q.rap, q.phi
}

// deltaR2 returns the n×n matrix of squared constituent distances ΔR²_ij
// (row-major), computed once per jet.
func (j *Jet) deltaR2() []float64 {
	if j.haveD2 {
		return j.d2
	}
	n := len(j.p)
	j.d2 = grow(j.d2, n*n)
	for a := 0; a < n; a++ {
		pa := j.p[a]
		j.d2[a*n+a] = 0
		for b := a + 1; b < n; b++ {
			d := dist2(pa.rap, pa.phi, j.p[b].rap, j.p[b].phi)
			j.d2[a*n+b] = d
			j.d2[b*n+a] = d
		}
	}
	j.haveD2 = true
	return j.d2
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
