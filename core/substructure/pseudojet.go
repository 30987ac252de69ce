package substructure

import (
	"math"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/core/jet"
)

const twoPi = 2 * math.Pi

// pseudo is a four-momentum with FastJet's cached kinematics: kt² and the
// rapidity and azimuth (phi in [0, 2π)). Like a FastJet PseudoJet, a
// momentum built from (pt, y, phi, m) keeps the given y and phi as its
// cached values, while a sum of momenta recomputes them from the
// components (PseudoJet::_set_rap_phi). Reproducing this matters for
// winner-take-all axes, which sit exactly on a constituent's (y, phi).
type pseudo struct {
	px, py, pz, e float64
	kt2, rap, phi float64
}

// ptYPhiM is FastJet's PtYPhiM(pt, y, phi, m), including the cached
// rapidity and azimuth (phi wrapped once into [0, 2π)).
func ptYPhiM(pt, y, phi, m float64) pseudo {
	ptm := pt
	if m != 0 {
		ptm = math.Sqrt(pt*pt + m*m)
	}
	exprap := math.Exp(y)
	pminus := ptm / exprap
	pplus := ptm * exprap
	px := pt * math.Cos(phi)
	py := pt * math.Sin(phi)
	p := pseudo{px: px, py: py, pz: 0.5 * (pplus - pminus), e: 0.5 * (pplus + pminus)}
	p.kt2 = px*px + py*py
	p.rap = y
	if phi >= twoPi {
		phi -= twoPi
	}
	if phi < 0 {
		phi += twoPi
	}
	p.phi = phi
	return p
}

// fromP4 builds a pseudojet from Cartesian components and computes its
// rapidity and azimuth as FastJet does.
func fromP4(px, py, pz, e float64) pseudo {
	p := pseudo{px: px, py: py, pz: pz, e: e, kt2: px*px + py*py}
	v := p.fv()
	p.rap = cluster.Rapidity(v)
	p.phi = cluster.Phi(v)
	return p
}

// add is the E-scheme sum a + b.
func add(a, b pseudo) pseudo { return fromP4(a.px+b.px, a.py+b.py, a.pz+b.pz, a.e+b.e) }

func (p pseudo) fv() jet.FourVector { return jet.FourVector{Px: p.px, Py: p.py, Pz: p.pz, E: p.e} }

// pt is FastJet's perp() = sqrt(kt²).
func (p pseudo) pt() float64 { return math.Sqrt(p.kt2) }

// m2 is FastJet's m2() = (E+pz)(E-pz) - kt².
func (p pseudo) m2() float64 { return (p.e+p.pz)*(p.e-p.pz) - p.kt2 }

// m is FastJet's m(): sqrt(m²), or -sqrt(-m²) for a negative m².
func (p pseudo) m() float64 {
	m2 := p.m2()
	if m2 < 0 {
		return -math.Sqrt(-m2)
	}
	return math.Sqrt(m2)
}

// modp2 is |p|².
func (p pseudo) modp2() float64 { return p.kt2 + p.pz*p.pz }

// dist2 is FastJet's squared_distance (= plain_distance): Δy² + Δφ² with
// Δφ wrapped, from the cached rapidities and azimuths.
func dist2(rap1, phi1, rap2, phi2 float64) float64 {
	dphi := math.Abs(phi1 - phi2)
	if dphi > math.Pi {
		dphi = twoPi - dphi
	}
	drap := rap1 - rap2
	return dphi*dphi + drap*drap
}

// wrapPhi maps an azimuth into [0, 2π) (any finite input).
func wrapPhi(phi float64) float64 {
	if phi >= 0 && phi < twoPi {
		return phi
	}
	phi = math.Mod(phi, twoPi)
	if phi < 0 {
		phi += twoPi
	}
	if phi >= twoPi {
		phi -= twoPi
	}
	return phi
}
