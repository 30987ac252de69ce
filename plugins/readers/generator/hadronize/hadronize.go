package hadronize

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/plugins/readers/generator/shower"
)

// Params configures the fragmentation.
type Params struct {
	// A is the Field–Feynman parameter a of the splitting function
	// f(x) = 1 - a + 3a(1-x)^2 of the momentum fraction x a primary hadron
	// takes from what is left of its parton (0 <= a <= 1; 0.77 in the
	// original Field–Feynman fit, a = 0 is flat).
	A float64
	// Stop [GeV]: the chain of a parton ends when the momentum left is below
	// Stop; the remainder becomes the last hadron.
	Stop float64
	// Sigma [GeV]: width of the Gaussian transverse momentum of the quark
	// (and, opposite, the antiquark) of every new q qbar pair, sigma/sqrt(2)
	// in each transverse component (Pythia's StringPT:sigma, 0.335 GeV).
	Sigma float64
	// GluonSplit fragments every gluon as a collinear quark-antiquark pair
	// sharing its momentum as z : 1-z with z drawn from P_qg(z) ∝ z^2 +
	// (1-z)^2, each end with its own chain (the scheme of Ali et al. 1980:
	// a colour octet ends two strings). Otherwise a gluon fragments like a
	// quark (Hoyer et al. 1979).
	GluonSplit bool
}

// DefaultParams returns a = 0.77, Stop = 1 GeV, Sigma = 0.335 GeV and
// GluonSplit on.
func DefaultParams() Params { return Params{A: 0.77, Stop: 1, Sigma: 0.335, GluonSplit: true} }

// Validate checks the parameters.
func (p Params) Validate() error {
	switch {
	case !(p.A >= 0 && p.A <= 1):
		return fmt.Errorf("hadronize: fragmentation parameter a must be in [0, 1], got %v", p.A)
	case !(p.Stop > 0) || math.IsInf(p.Stop, 0):
		return fmt.Errorf("hadronize: stop momentum must be a positive number of GeV, got %v", p.Stop)
	case !(p.Sigma >= 0) || math.IsInf(p.Sigma, 0):
		return fmt.Errorf("hadronize: sigma must be a non-negative number of GeV, got %v", p.Sigma)
	}
	return nil
}

// Hadron is a final-state particle: four-momentum and PDG id. Its mass is
// jet.Mass(PID) (photons are massless).
type Hadron struct {
	P   shower.Vec4
	PID int32
}

// PDG ids of the unstable primaries that are decayed here.
const (
	pidPi0 = 111
	pidEta = 221
	pidK0S = 310
)

// Masses [GeV] of the unstable primaries (PDG).
const (
	massPi0 = 0.1349768
	massEta = 0.547862
	massK0S = 0.497611
)

// Primary species and their probabilities (see the package README):
// pions 74.5% (pi+, pi-, pi0 equally, isospin), eta 3.2%, kaons 13.6%
// (K+, K-, K0L, K0S equally), nucleons 8.7% (p, pbar, n, nbar equally).
var primaries = []struct {
	pid  int32
	prob float64
}{
	{211, 0.745 / 3}, {-211, 0.745 / 3}, {pidPi0, 0.745 / 3},
	{pidEta, 0.032},
	{321, 0.136 / 4}, {-321, 0.136 / 4}, {130, 0.136 / 4}, {pidK0S, 0.136 / 4},
	{2212, 0.087 / 4}, {-2212, 0.087 / 4}, {2112, 0.087 / 4}, {-2112, 0.087 / 4},
}

// primaryCDF is the cumulative distribution of primaries (last entry 1).
var primaryCDF = func() []float64 {
	c := make([]float64, len(primaries))
	s := 0.0
	for i, p := range primaries {
		s += p.prob
		c[i] = s
	}
	for i := range c {
		c[i] /= s
	}
	return c
}()

// Fractions returns the primary-species probabilities keyed by PDG id (for
// documentation and tests).
func Fractions() map[int32]float64 {
	m := make(map[int32]float64, len(primaries))
	for i, p := range primaries {
		lo := 0.0
		if i > 0 {
			lo = primaryCDF[i-1]
		}
		m[p.pid] = primaryCDF[i] - lo
	}
	return m
}

// Hadronizer turns partons into hadrons. It is not safe for concurrent use.
type Hadronizer struct {
	p     Params
	stack []Hadron // unstable particles awaiting decay
}

// New returns a Hadronizer.
func New(p Params) (*Hadronizer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Hadronizer{p: p}, nil
}

// Hadronize fragments every parton independently and decays pi0, eta and
// K0S; it appends the stable particles (gamma, pi+-, K+-, K0L, p, n and
// antiparticles) to dst and returns the new slice.
//
// A gluon is first split into a collinear quark-antiquark pair when
// GluonSplit is set. Each (anti)quark of three-momentum p (massless,
// |p| = E) is fragmented by an
// iterative Field–Feynman-like chain: with P the momentum left (P = E at
// first), a primary hadron takes x P along the parton direction, x drawn
// from f(x) = 1 - a + 3a(1-x)^2, and P becomes (1-x) P; when P < Stop the
// rest becomes the last hadron. Transverse momenta come from q qbar pairs:
// pair k gets a Gaussian q_k (width sigma) and hadron k carries
// q_{k-1} - q_k with q_0 = q_n = 0, so they sum to zero. The parton's
// three-momentum is therefore conserved exactly; the hadrons' energy
// exceeds the parton's by their masses and transverse momenta (the
// non-perturbative mass shift of the jet).
func (h *Hadronizer) Hadronize(rng *rand.Rand, partons []shower.Parton, dst []Hadron) []Hadron {
	for _, pa := range partons {
		if pa.Flavour == shower.Gluon && h.p.GluonSplit {
			z := splitZ(rng)
			a := shower.Vec4{E: z * pa.P.E, Px: z * pa.P.Px, Py: z * pa.P.Py, Pz: z * pa.P.Pz}
			dst = h.fragment(rng, a, dst)
			dst = h.fragment(rng, pa.P.Sub(a), dst)
			continue
		}
		dst = h.fragment(rng, pa.P, dst)
	}
	return dst
}

func (h *Hadronizer) fragment(rng *rand.Rand, p shower.Vec4, dst []Hadron) []Hadron {
	pAbs := p.P()
	n := shower.Vec3{X: p.Px / pAbs, Y: p.Py / pAbs, Z: p.Pz / pAbs}
	e1, e2 := shower.Basis(n)
	s := h.p.Sigma / math.Sqrt2
	rest := pAbs
	var qx, qy float64 // transverse momentum of the open quark end
	for {
		last := rest < h.p.Stop
		pl := rest
		var nx, ny float64
		if !last {
			pl = h.sampleX(rng) * rest
			nx, ny = s*rng.NormFloat64(), s*rng.NormFloat64()
		}
		rest -= pl
		kx, ky := qx-nx, qy-ny
		qx, qy = nx, ny
		v := shower.Vec3{
			X: pl*n.X + kx*e1.X + ky*e2.X,
			Y: pl*n.Y + kx*e1.Y + ky*e2.Y,
			Z: pl*n.Z + kx*e1.Z + ky*e2.Z,
		}
		dst = h.emit(rng, h.samplePID(rng), v, dst)
		if last {
			return dst
		}
	}
}

// splitZ draws z from z^2 + (1-z)^2 on [0, 1] (accept-reject against a
// flat density; the acceptance is at least 1/2).
func splitZ(rng *rand.Rand) float64 {
	for {
		z := rng.Float64()
		if rng.Float64() < z*z+(1-z)*(1-z) {
			return z
		}
	}
}

// sampleX draws x from f(x) = 1 - a + 3a(1-x)^2 on [0, 1] (a mixture of a
// flat density and 3(1-x)^2).
func (h *Hadronizer) sampleX(rng *rand.Rand) float64 {
	u := rng.Float64()
	if rng.Float64() < h.p.A {
		return 1 - math.Cbrt(1-u) // density 3(1-x)^2
	}
	return u
}

func (h *Hadronizer) samplePID(rng *rand.Rand) int32 {
	u := rng.Float64()
	for i, c := range primaryCDF {
		if u < c {
			return primaries[i].pid
		}
	}
	return primaries[len(primaries)-1].pid
}

// mass returns the mass of a stable or unstable species.
func mass(pid int32) float64 {
	switch pid {
	case pidPi0:
		return massPi0
	case pidEta:
		return massEta
	case pidK0S:
		return massK0S
	}
	m, _ := jet.Mass(pid)
	return m
}

// emit appends a particle of three-momentum v, decaying it if unstable.
func (h *Hadronizer) emit(rng *rand.Rand, pid int32, v shower.Vec3, dst []Hadron) []Hadron {
	m := mass(pid)
	p := shower.Vec4{E: math.Sqrt(m*m + v.X*v.X + v.Y*v.Y + v.Z*v.Z), Px: v.X, Py: v.Y, Pz: v.Z}
	h.stack = append(h.stack[:0], Hadron{P: p, PID: pid})
	for len(h.stack) > 0 {
		x := h.stack[len(h.stack)-1]
		h.stack = h.stack[:len(h.stack)-1]
		switch x.PID {
		case pidPi0:
			h.decay2(rng, x.P, massPi0, 22, 22)
		case pidK0S:
			if rng.Float64() < 0.69 {
				h.decay2(rng, x.P, massK0S, 211, -211)
			} else {
				h.decay2(rng, x.P, massK0S, pidPi0, pidPi0)
			}
		case pidEta:
			u := rng.Float64()
			switch {
			case u < 0.40:
				h.decay2(rng, x.P, massEta, 22, 22)
			case u < 0.73:
				h.decay3(rng, x.P, massEta, pidPi0, pidPi0, pidPi0)
			default:
				h.decay3(rng, x.P, massEta, 211, -211, pidPi0)
			}
		default:
			dst = append(dst, x)
		}
	}
	return dst
}

// decay2 pushes the two products of an isotropic two-body decay of a
// particle of four-momentum p and mass m.
func (h *Hadronizer) decay2(rng *rand.Rand, p shower.Vec4, m float64, a, b int32) {
	ma, mb := mass(a), mass(b)
	pa, pb := twoBody(rng, p, m, ma, mb)
	h.stack = append(h.stack, Hadron{P: pa, PID: a}, Hadron{P: pb, PID: b})
}

// decay3 is a three-body decay built from two two-body steps: the mass of
// the (b c) system is drawn uniformly between its limits (an approximation
// of flat phase space, good enough for these soft decays).
func (h *Hadronizer) decay3(rng *rand.Rand, p shower.Vec4, m float64, a, b, c int32) {
	ma, mb, mc := mass(a), mass(b), mass(c)
	lo, hi := mb+mc, m-ma
	mbc := lo + (hi-lo)*rng.Float64()
	pa, pbc := twoBody(rng, p, m, ma, mbc)
	pb, pc := twoBody(rng, pbc, mbc, mb, mc)
	h.stack = append(h.stack, Hadron{P: pa, PID: a}, Hadron{P: pb, PID: b}, Hadron{P: pc, PID: c})
}

// twoBody decays p (mass m) isotropically in its rest frame into masses
// m1 and m2 and returns the two lab-frame four-momenta; the second is
// p minus the first, so four-momentum is conserved exactly.
func twoBody(rng *rand.Rand, p shower.Vec4, m, m1, m2 float64) (shower.Vec4, shower.Vec4) {
	q := math.Sqrt(math.Max((m*m-(m1+m2)*(m1+m2))*(m*m-(m1-m2)*(m1-m2)), 0)) / (2 * m)
	cost := 2*rng.Float64() - 1
	sint := math.Sqrt(math.Max(1-cost*cost, 0))
	sp, cp := math.Sincos(2 * math.Pi * rng.Float64())
	k := shower.Vec4{E: math.Sqrt(q*q + m1*m1), Px: q * sint * cp, Py: q * sint * sp, Pz: q * cost}
	k = boost(k, p, m)
	return k, p.Sub(k)
}

// boost takes k from the rest frame of p (mass m) to the frame where p is
// given.
func boost(k, p shower.Vec4, m float64) shower.Vec4 {
	bx, by, bz := p.Px/m, p.Py/m, p.Pz/m // gamma*beta
	g := p.E / m
	bk := bx*k.Px + by*k.Py + bz*k.Pz
	f := bk/(g+1) + k.E
	return shower.Vec4{
		E:  g*k.E + bk,
		Px: k.Px + f*bx,
		Py: k.Py + f*by,
		Pz: k.Pz + f*bz,
	}
}
