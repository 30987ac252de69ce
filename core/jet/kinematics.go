package jet

import "math"

// DeltaPhi returns a-b wrapped into [-pi, pi].
func DeltaPhi(a, b float64) float64 {
	d := a - b
	if d > math.Pi || d < -math.Pi {
		d = math.Remainder(d, 2*math.Pi)
	}
	return d
}

// DeltaR returns sqrt(dy^2 + dphi^2) with dphi wrapped into [-pi, pi].
func DeltaR(y1, phi1, y2, phi2 float64) float64 {
	dy := y1 - y2
	dp := DeltaPhi(phi1, phi2)
	return math.Sqrt(dy*dy + dp*dp)
}

// pdgMasses holds the masses [GeV] of the long-lived species found in jet
// samples, keyed by |pid| (the table of ../shared/reference/README.md).
var pdgMasses = map[int32]float64{
	22: 0, 11: 0.000510999, 13: 0.105658, 211: 0.13957, 321: 0.493677,
	130: 0.497611, 2212: 0.938272, 2112: 0.939565,
}

// Mass returns the PDG mass [GeV] of a particle id, and whether it is known.
// Unknown ids (including 0) are reported as massless with ok = false.
func Mass(pid int32) (m float64, ok bool) {
	if pid < 0 {
		pid = -pid
	}
	m, ok = pdgMasses[pid]
	return m, ok
}

// FourVector is a Cartesian four-momentum [GeV].
type FourVector struct{ Px, Py, Pz, E float64 }

// FromPtYPhiM builds the four-momentum of a particle from pt, rapidity,
// azimuth and mass.
func FromPtYPhiM(pt, y, phi, m float64) FourVector {
	mt := math.Sqrt(pt*pt + m*m)
	return FourVector{Px: pt * math.Cos(phi), Py: pt * math.Sin(phi), Pz: mt * math.Sinh(y), E: mt * math.Cosh(y)}
}

// Add returns v + o.
func (v FourVector) Add(o FourVector) FourVector {
	return FourVector{v.Px + o.Px, v.Py + o.Py, v.Pz + o.Pz, v.E + o.E}
}

// Pt returns the transverse momentum.
func (v FourVector) Pt() float64 { return math.Hypot(v.Px, v.Py) }

// M2 returns the invariant mass squared.
func (v FourVector) M2() float64 { return (v.E-v.Pz)*(v.E+v.Pz) - v.Px*v.Px - v.Py*v.Py }

// M returns the invariant mass (negative m^2 is reported as -sqrt(-m^2), as FastJet does).
func (v FourVector) M() float64 {
	m2 := v.M2()
	if m2 < 0 {
		return -math.Sqrt(-m2)
	}
	return math.Sqrt(m2)
}

// Rapidity returns the rapidity (FastJet's rap() convention for E = |pz|).
func (v FourVector) Rapidity() float64 {
	if v.E == math.Abs(v.Pz) && v.Pt() == 0 {
		const maxRap = 1e5
		if v.Pz >= 0 {
			return maxRap + v.Pz
		}
		return -maxRap + v.Pz
	}
	return 0.5 * math.Log((v.E+v.Pz)/(v.E-v.Pz))
}

// Phi returns the azimuth in [0, 2pi).
func (v FourVector) Phi() float64 {
	if v.Px == 0 && v.Py == 0 {
		return 0
	}
	p := math.Atan2(v.Py, v.Px)
	if p < 0 {
		p += 2 * math.Pi
	}
	if p >= 2*math.Pi {
		p -= 2 * math.Pi
	}
	return p
}

// FourMomentum returns the E-scheme sum of the jet's constituents. With
// massive = true each constituent gets the PDG mass of its pid (unknown ids
// are massless); otherwise every constituent is massless.
func (v View) FourMomentum(massive bool) FourVector {
	var s FourVector
	for i := range v.Pt {
		m := 0.0
		if massive {
			m, _ = Mass(v.PID[i])
		}
		s = s.Add(FromPtYPhiM(v.Pt[i], v.Y[i], v.Phi[i], m))
	}
	return s
}

// SumPt returns the scalar sum of constituent pt.
func (v View) SumPt() float64 {
	s := 0.0
	for _, p := range v.Pt {
		s += p
	}
	return s
}

// Centroid returns the pt-weighted mean rapidity and azimuth. The azimuths
// are unwrapped around the hardest particle first, so jets straddling the
// ±pi boundary get a sensible centre.
func (v View) Centroid() (y, phi float64) {
	if len(v.Pt) == 0 {
		return 0, 0
	}
	lead := 0
	for i, p := range v.Pt {
		if p > v.Pt[lead] {
			lead = i
		}
	}
	ref := v.Phi[lead]
	var sw, sy, sp float64
	for i, p := range v.Pt {
		sw += p
		sy += p * v.Y[i]
		sp += p * (ref + DeltaPhi(v.Phi[i], ref))
	}
	return sy / sw, sp / sw
}
