package jet

import (
	"fmt"
	"math"
)

// ValidationError reports the first problem found in a batch of jets. Jet
// and Particle are indices into the batch (Particle counts from 0 within the
// jet, -1 when the problem is with the jet as a whole).
type ValidationError struct {
	Jet      int
	Particle int
	Reason   string
}

func (e *ValidationError) Error() string {
	if e.Jet < 0 {
		return "jets: " + e.Reason
	}
	if e.Particle < 0 {
		return fmt.Sprintf("jet %d: %s", e.Jet, e.Reason)
	}
	return fmt.Sprintf("jet %d, particle %d: %s", e.Jet, e.Particle, e.Reason)
}

// Validate checks the batch's structure and values: consistent column
// lengths, monotone offsets, finite momenta, pt > 0, at least one particle
// per jet, labels 0 or 1 and finite non-negative weights. The error names
// the first offending jet (and particle).
func (j *Jets) Validate() error {
	n := j.Len()
	if len(j.Offsets) > 0 && j.Offsets[0] != 0 {
		return &ValidationError{Jet: -1, Reason: fmt.Sprintf("Offsets[0] = %d, want 0", j.Offsets[0])}
	}
	np := len(j.Pt)
	if len(j.Y) != np || len(j.Phi) != np || len(j.PID) != np {
		return &ValidationError{Jet: -1, Reason: fmt.Sprintf("particle columns have different lengths: pt %d, y %d, phi %d, pid %d", np, len(j.Y), len(j.Phi), len(j.PID))}
	}
	if n > 0 && j.Offsets[n] != np {
		return &ValidationError{Jet: -1, Reason: fmt.Sprintf("last offset %d does not match %d particles", j.Offsets[n], np)}
	}
	if len(j.Label) != n || len(j.Weight) != n {
		return &ValidationError{Jet: -1, Reason: fmt.Sprintf("%d jets but %d labels and %d weights", n, len(j.Label), len(j.Weight))}
	}
	for k, col := range j.Aux {
		if len(col) != n {
			return &ValidationError{Jet: -1, Reason: fmt.Sprintf("aux column %q has %d entries for %d jets", k, len(col), n)}
		}
	}
	for i := 0; i < n; i++ {
		a, b := j.Offsets[i], j.Offsets[i+1]
		if b < a {
			return &ValidationError{Jet: i, Particle: -1, Reason: "offsets decrease"}
		}
		if b == a {
			return &ValidationError{Jet: i, Particle: -1, Reason: "jet has no particles"}
		}
		if l := j.Label[i]; l != Quark && l != Gluon {
			return &ValidationError{Jet: i, Particle: -1, Reason: fmt.Sprintf("label %d is neither 1 (quark) nor 0 (gluon)", l)}
		}
		if w := j.Weight[i]; math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return &ValidationError{Jet: i, Particle: -1, Reason: fmt.Sprintf("weight %v is not a finite non-negative number", w)}
		}
		for p := a; p < b; p++ {
			switch {
			case !finite(j.Pt[p]):
				return &ValidationError{Jet: i, Particle: p - a, Reason: fmt.Sprintf("pt is %v", j.Pt[p])}
			case !finite(j.Y[p]):
				return &ValidationError{Jet: i, Particle: p - a, Reason: fmt.Sprintf("rapidity is %v", j.Y[p])}
			case !finite(j.Phi[p]):
				return &ValidationError{Jet: i, Particle: p - a, Reason: fmt.Sprintf("phi is %v", j.Phi[p])}
			case j.Pt[p] <= 0:
				return &ValidationError{Jet: i, Particle: p - a, Reason: fmt.Sprintf("pt %v is not positive", j.Pt[p])}
			}
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
