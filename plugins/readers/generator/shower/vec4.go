package shower

import "math"

// Vec4 is a Cartesian four-momentum (E, Px, Py, Pz) in GeV. The jet axis of
// a freshly showered jet is +x (rapidity 0, azimuth 0).
type Vec4 struct{ E, Px, Py, Pz float64 }

// Add returns v + o.
func (v Vec4) Add(o Vec4) Vec4 { return Vec4{v.E + o.E, v.Px + o.Px, v.Py + o.Py, v.Pz + o.Pz} }

// Sub returns v - o.
func (v Vec4) Sub(o Vec4) Vec4 { return Vec4{v.E - o.E, v.Px - o.Px, v.Py - o.Py, v.Pz - o.Pz} }

// P returns the magnitude of the three-momentum.
func (v Vec4) P() float64 { return math.Sqrt(v.Px*v.Px + v.Py*v.Py + v.Pz*v.Pz) }

// Pt returns the transverse momentum (with respect to the beam axis z).
func (v Vec4) Pt() float64 { return math.Hypot(v.Px, v.Py) }

// M2 returns the invariant mass squared.
func (v Vec4) M2() float64 { return (v.E-v.Pz)*(v.E+v.Pz) - v.Px*v.Px - v.Py*v.Py }

// M returns the invariant mass (0 for a slightly negative M2 from rounding).
func (v Vec4) M() float64 { return math.Sqrt(math.Max(v.M2(), 0)) }

// Rapidity returns 0.5 ln((E+Pz)/(E-Pz)).
func (v Vec4) Rapidity() float64 { return 0.5 * math.Log((v.E+v.Pz)/(v.E-v.Pz)) }

// Phi returns the azimuth atan2(Py, Px) in (-pi, pi].
func (v Vec4) Phi() float64 { return math.Atan2(v.Py, v.Px) }

// Vec3 is a Cartesian three-vector.
type Vec3 struct{ X, Y, Z float64 }

// Basis returns two unit vectors e1, e2 orthogonal to the unit vector n and
// to each other (right-handed: e1 × e2 = n).
func Basis(n Vec3) (e1, e2 Vec3) {
	// Cross n with the coordinate axis least aligned with it.
	ax, ay, az := math.Abs(n.X), math.Abs(n.Y), math.Abs(n.Z)
	var a Vec3
	switch {
	case ax <= ay && ax <= az:
		a = Vec3{X: 1}
	case ay <= az:
		a = Vec3{Y: 1}
	default:
		a = Vec3{Z: 1}
	}
	e1 = cross(a, n)
	l := math.Sqrt(e1.X*e1.X + e1.Y*e1.Y + e1.Z*e1.Z)
	e1 = Vec3{e1.X / l, e1.Y / l, e1.Z / l}
	e2 = cross(n, e1)
	return e1, e2
}

func cross(a, b Vec3) Vec3 {
	return Vec3{a.Y*b.Z - a.Z*b.Y, a.Z*b.X - a.X*b.Z, a.X*b.Y - a.Y*b.X}
}
