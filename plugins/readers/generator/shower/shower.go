package shower

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// QCD colour factors and the Z mass used by the running coupling.
const (
	CF = 4.0 / 3.0 // quark Casimir C_F
	CA = 3.0       // gluon Casimir C_A
	TR = 0.5       // T_R of g -> q qbar
	MZ = 91.1876   // Z mass [GeV], reference scale of Params.AlphaS
)

// Flavour is the kind of a parton: Gluon or (light) Quark. Antiquarks are
// Quark as well; the shower does not need to tell them apart.
type Flavour int8

// Parton flavours.
const (
	Gluon Flavour = 0
	Quark Flavour = 1
)

// String returns "quark" or "gluon".
func (f Flavour) String() string {
	if f == Quark {
		return "quark"
	}
	return "gluon"
}

// Casimir returns C_F for a quark and C_A for a gluon.
func (f Flavour) Casimir() float64 {
	if f == Quark {
		return CF
	}
	return CA
}

// Channel is a branching type.
type Channel int8

// Branching channels. The first daughter carries energy fraction z, the
// second 1-z.
const (
	QToQG Channel = iota // q -> q(z) g(1-z)
	GToGG                // g -> g(z) g(1-z)
	GToQQ                // g -> q(z) qbar(1-z)
)

// String names the channel.
func (c Channel) String() string {
	switch c {
	case QToQG:
		return "q->qg"
	case GToGG:
		return "g->gg"
	default:
		return "g->qqbar"
	}
}

// Params configures the shower.
type Params struct {
	// Cutoff is the infrared cutoff Q0 [GeV] on the relative transverse
	// momentum k_t = z(1-z) E theta of every branching.
	Cutoff float64
	// AlphaS is alpha_s(M_Z) of the one-loop running coupling, or the
	// constant coupling when FixedCoupling is set.
	AlphaS float64
	// FixedCoupling makes alpha_s constant (= AlphaS) at every scale.
	FixedCoupling bool
	// NF is the number of active quark flavours: it enters the beta
	// function and the g -> q qbar rate.
	NF int
}

// DefaultParams returns the generator's defaults: Q0 = 1.5 GeV and
// alpha_s(M_Z) = 0.118 running at one loop with n_f = 5.
func DefaultParams() Params { return Params{Cutoff: 1.5, AlphaS: 0.118, NF: 5} }

// b0 returns the one-loop coefficient (33 - 2 n_f) / (12 pi).
func (p Params) b0() float64 { return float64(33-2*p.NF) / (12 * math.Pi) }

// Lambda returns the one-loop Landau pole Lambda [GeV] of the running
// coupling: alpha_s(Q) = 1 / (b0 ln(Q^2/Lambda^2)).
func (p Params) Lambda() float64 { return MZ * math.Exp(-1/(2*p.b0()*p.AlphaS)) }

// Alpha returns alpha_s at the scale kt [GeV]: the constant AlphaS with
// FixedCoupling, else alpha_s(M_Z) / (1 + alpha_s(M_Z) b0 ln(kt^2/M_Z^2)).
func (p Params) Alpha(kt float64) float64 {
	if p.FixedCoupling {
		return p.AlphaS
	}
	return p.AlphaS / (1 + p.AlphaS*p.b0()*math.Log(kt*kt/(MZ*MZ)))
}

// Validate checks the parameters, including that the running coupling is
// perturbative (0 < alpha_s <= 1) down to the cutoff.
func (p Params) Validate() error {
	switch {
	case !(p.Cutoff > 0) || math.IsInf(p.Cutoff, 0):
		return fmt.Errorf("shower: cutoff must be a positive number of GeV, got %v", p.Cutoff)
	case !(p.AlphaS > 0 && p.AlphaS < 1):
		return fmt.Errorf("shower: alpha_s must be in (0, 1), got %v", p.AlphaS)
	case p.NF < 0 || p.NF > 6:
		return fmt.Errorf("shower: nf must be between 0 and 6, got %d", p.NF)
	}
	if !p.FixedCoupling {
		a := p.Alpha(p.Cutoff)
		if !(a > 0 && a <= 1) {
			return fmt.Errorf("shower: the running coupling at the cutoff is alpha_s(%g GeV) = %.3g (Landau pole at %.3g GeV for alpha_s(M_Z) = %g, nf = %d); raise the cutoff or lower alpha_s",
				p.Cutoff, a, p.Lambda(), p.AlphaS, p.NF)
		}
	}
	return nil
}

// Parton is a final-state parton of a shower.
type Parton struct {
	P       Vec4
	Flavour Flavour
}

// Branching records one accepted branching of the last Run.
type Branching struct {
	Channel  Channel
	E        float64 // parent energy [GeV]
	Z        float64 // energy fraction of the first daughter
	Theta    float64 // opening angle between the daughters [rad]
	Kt       float64 // z(1-z) E Theta [GeV]
	ThetaMax float64 // the angular-ordering bound: Theta <= ThetaMax
	Depth    int     // 0 for branchings of the initiating parton, 1 for its daughters, ...
}

// Shower is a reusable workspace that showers one parton at a time. It is
// not safe for concurrent use: give every goroutine its own Shower.
type Shower struct {
	p          Params
	alphaMax   float64
	nodes      []node
	branchings []Branching
}

// node is a parton of the cascade tree: its two daughters (if it branched)
// are nodes[child] and nodes[child+1].
type node struct {
	e, m     float64 // energy and (virtual) mass
	thetaMax float64 // angular-ordering bound of its own branchings
	theta    float64 // opening angle of its branching
	z, phi   float64
	ch       Channel
	flav     Flavour
	depth    int32
	child    int32 // -1 for a final parton
	mom      Vec4
}

// New returns a Shower for the given parameters.
func New(p Params) (*Shower, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := &Shower{p: p}
	if p.FixedCoupling {
		s.alphaMax = p.AlphaS
	} else {
		s.alphaMax = p.Alpha(p.Cutoff) // alpha_s decreases with k_t >= cutoff
	}
	return s, nil
}

// Params returns the shower's parameters.
func (s *Shower) Params() Params { return s.p }

// Branchings returns the branchings of the last Run (valid until the next
// Run).
func (s *Shower) Branchings() []Branching { return s.branchings }

// Run showers one parton of flavour f whose final three-momentum is pAbs
// [GeV] along +x, with angular ordering started at thetaMax (the jet radius).
// It appends the final partons (massless) to dst and returns the new slice
// and the four-momentum of the initiating parton, which equals the sum of the
// final partons' four-momenta (to rounding): (sqrt(pAbs^2 + m^2), pAbs, 0, 0)
// where m is the virtual mass generated by the cascade.
//
// The algorithm has three passes. (1) The branching tree is generated with
// the veto algorithm: angles, energy fractions, flavours and azimuths, each
// daughter starting its own evolution at the opening angle of its parent's
// branching (angular ordering). (2) Virtual masses are computed bottom-up.
// (3) Exact four-momenta are reconstructed top-down: at every vertex energy
// and three-momentum are conserved, the daughters keep their energies and
// masses and open at the generated angle. Before (3) every energy is scaled
// by pAbs / |p_initiator| (a factor 1 + m^2/(2 pAbs^2), about 1.005) so that
// the initiator's three-momentum is exactly pAbs.
func (s *Shower) Run(rng *rand.Rand, f Flavour, pAbs, thetaMax float64, dst []Parton) (Vec4, []Parton) {
	s.nodes = append(s.nodes[:0], node{e: pAbs, thetaMax: thetaMax, flav: f, child: -1})
	s.branchings = s.branchings[:0]

	// (1) the tree.
	for i := 0; i < len(s.nodes); i++ {
		nd := s.nodes[i]
		theta, z, ch, ok := s.next(rng, nd.flav, nd.e, nd.thetaMax)
		if !ok {
			continue
		}
		fb, fc := Gluon, Gluon
		switch ch {
		case QToQG:
			fb = Quark
		case GToQQ:
			fb, fc = Quark, Quark
		}
		a := &s.nodes[i]
		a.theta, a.z, a.ch, a.phi, a.child = theta, z, ch, 2*math.Pi*rng.Float64(), int32(len(s.nodes))
		s.nodes = append(s.nodes,
			node{e: z * nd.e, thetaMax: theta, flav: fb, child: -1, depth: nd.depth + 1},
			node{e: (1 - z) * nd.e, thetaMax: theta, flav: fc, child: -1, depth: nd.depth + 1})
	}

	// (2) virtual masses, bottom-up (daughters come after their parent).
	for i := len(s.nodes) - 1; i >= 0; i-- {
		a := &s.nodes[i]
		if a.child < 0 {
			a.m = 0
			continue
		}
		b, c := &s.nodes[a.child], &s.nodes[a.child+1]
		pb := math.Sqrt((b.e - b.m) * (b.e + b.m))
		pc := math.Sqrt((c.e - c.m) * (c.e + c.m))
		m2 := b.m*b.m + c.m*c.m + 2*(b.e*c.e-pb*pc*math.Cos(a.theta))
		a.m = math.Sqrt(math.Max(m2, 0))
	}

	// Rescale so that |p_initiator| = pAbs.
	root := &s.nodes[0]
	scale := pAbs / math.Sqrt((root.e-root.m)*(root.e+root.m))
	for i := range s.nodes {
		s.nodes[i].e *= scale
		s.nodes[i].m *= scale
	}
	root.mom = Vec4{E: root.e, Px: pAbs}

	// (3) momenta, top-down.
	for i := range s.nodes {
		a := &s.nodes[i]
		if a.child < 0 {
			dst = append(dst, Parton{P: a.mom, Flavour: a.flav})
			continue
		}
		s.branchings = append(s.branchings, Branching{
			Channel: a.ch, E: a.e, Z: a.z, Theta: a.theta,
			Kt: a.z * (1 - a.z) * a.e * a.theta, ThetaMax: a.thetaMax, Depth: int(a.depth),
		})
		b, c := &s.nodes[a.child], &s.nodes[a.child+1]
		pa := a.mom.P()
		n := Vec3{a.mom.Px / pa, a.mom.Py / pa, a.mom.Pz / pa}
		pb := math.Sqrt((b.e - b.m) * (b.e + b.m))
		pc := math.Sqrt((c.e - c.m) * (c.e + c.m))
		sinT, cosT := math.Sincos(a.theta)
		thb := math.Atan2(pc*sinT, pb+pc*cosT) // angle of b to the parent
		sb, cb := math.Sincos(thb)
		e1, e2 := Basis(n)
		sp, cp := math.Sincos(a.phi)
		ux, uy, uz := cp*e1.X+sp*e2.X, cp*e1.Y+sp*e2.Y, cp*e1.Z+sp*e2.Z
		b.mom = Vec4{
			E:  b.e,
			Px: pb * (cb*n.X + sb*ux),
			Py: pb * (cb*n.Y + sb*uy),
			Pz: pb * (cb*n.Z + sb*uz),
		}
		c.mom = a.mom.Sub(b.mom) // exact conservation at the vertex
	}
	return root.mom, dst
}

// next generates the next branching of a parton of flavour f and energy e
// below the angle thetaMax with the veto algorithm, or reports ok = false
// when the parton reaches the cutoff without branching.
//
// Overestimates, on z in (eps, 1-eps) with eps = Q0/(e thetaMax):
// q -> qg: 2 C_F/(1-z); g -> gg: 2 C_A/(1-z) (the g -> gg kernel
// (1/2) P_gg = C_A [g(z) + g(1-z)], g(z) = z/(1-z) + z(1-z)/2, generated as
// 2 C_A g(z) with the soft gluon always the second daughter);
// g -> q qbar: n_f T_R; and alpha_s <= alpha_s(Q0).
func (s *Shower) next(rng *rand.Rand, f Flavour, e, thetaMax float64) (theta, z float64, ch Channel, ok bool) {
	q0 := s.p.Cutoff
	eps := q0 / (e * thetaMax)
	if eps >= 0.25 { // k_t <= e theta / 4 < Q0 everywhere
		return 0, 0, 0, false
	}
	logz := math.Log((1 - eps) / eps)
	var iSoft, iQQ float64
	if f == Quark {
		iSoft = 2 * CF * logz
	} else {
		iSoft = 2 * CA * logz
		iQQ = float64(s.p.NF) * TR * (1 - 2*eps)
	}
	rate := s.alphaMax / (2 * math.Pi) * (iSoft + iQQ) // trials per unit ln(theta^2)
	t := thetaMax * thetaMax
	tMin := 16 * q0 * q0 / (e * e) // k_t < Q0 for every z below this angle
	for {
		t *= math.Exp(math.Log(1-rng.Float64()) / rate)
		if t < tMin {
			return 0, 0, 0, false
		}
		theta = math.Sqrt(t)
		var acc float64
		if iQQ > 0 && rng.Float64()*(iSoft+iQQ) >= iSoft {
			ch = GToQQ
			z = eps + (1-2*eps)*rng.Float64()
			acc = z*z + (1-z)*(1-z)
		} else {
			w := eps * math.Exp(logz*rng.Float64()) // 1-z, density 1/w
			z = 1 - w
			if f == Quark {
				ch = QToQG
				acc = (1 + z*z) / 2
			} else {
				ch = GToGG
				acc = z + z*w*w/2
			}
		}
		kt := z * (1 - z) * e * theta
		if kt < q0 {
			continue
		}
		if !s.p.FixedCoupling {
			acc *= s.p.Alpha(kt) / s.alphaMax
		}
		if rng.Float64() < acc {
			return theta, z, ch, true
		}
	}
}
