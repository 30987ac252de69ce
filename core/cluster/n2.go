package cluster

import (
	"math"
	"slices"

	"github.com/smearflow/smearflow/core/jet"
)

// briefJets is the state n2State and tiledState share: the pseudojets
// (the input particles, then one per recombination) with their
// constituent lists, and per BriefJet slot the geometry and
// nearest-neighbour data of FastJet's BriefJet. The slices are kept
// between calls to avoid allocation.
type briefJets struct {
	// Pseudojets: the input particles, then one per recombination.
	p          []jet.FourVector
	head, tail []int // constituent linked list of each pseudojet
	next       []int // next particle in a list (-1 ends it)

	// BriefJets, per slot.
	eta, phi, kt2, nnDist, diJ []float64
	nn, jidx                   []int

	beams []beamStep
	r2    float64
	alg   Algorithm
}

// n2State is a port of FastJet 3.4's ClusterSequence::_simple_N2_cluster
// (the N2Plain strategy) with BriefJet geometry: every active (pseudo)jet
// keeps its nearest neighbour (NN) among the jets closer than R, and the
// smallest d_iJ = min(k_i, k_NN) * DeltaR^2 (k = kt^2, 1/kt^2 or 1) is
// recombined at each step, with the beam distance k_i * R^2 when no
// neighbour is within R. The comparisons, the order in which candidates are
// scanned and the slot bookkeeping follow FastJet exactly, so that ties are
// broken the same way. BriefJets live in slots 0..n-1.
type n2State struct {
	briefJets
}

type beamStep struct {
	j   int     // pseudojet index
	dij float64 // d_iB (normalised as FastJet stores it in the history)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func (s *briefJets) scale(p jet.FourVector) float64 {
	switch s.alg {
	case Kt:
		return Kt2(p)
	case Cambridge:
		return 1
	default: // AntiKt
		k := Kt2(p)
		if k > 1e-300 {
			return 1 / k
		}
		return 1e300
	}
}

func (s *briefJets) setInfo(slot, j int) {
	p := s.p[j]
	s.eta[slot] = Rapidity(p)
	s.phi[slot] = Phi(p)
	s.kt2[slot] = s.scale(p)
	s.jidx[slot] = j
	s.nnDist[slot] = s.r2
	s.nn[slot] = -1
}

func (s *briefJets) dist(a, b int) float64 {
	dphi := math.Abs(s.phi[a] - s.phi[b])
	deta := s.eta[a] - s.eta[b]
	if dphi > math.Pi {
		dphi = 2*math.Pi - dphi
	}
	return dphi*dphi + deta*deta
}

func (s *briefJets) diJOf(a int) float64 {
	k := s.kt2[a]
	if b := s.nn[a]; b >= 0 && s.kt2[b] < k {
		k = s.kt2[b]
	}
	return s.nnDist[a] * k
}

// setNNCrosscheck is _bj_set_NN_crosscheck over slots [0, a).
func (s *n2State) setNNCrosscheck(a int) {
	best, bestD := -1, s.r2
	for b := 0; b < a; b++ {
		d := s.dist(a, b)
		if d < bestD {
			bestD, best = d, b
		}
		if d < s.nnDist[b] {
			s.nnDist[b], s.nn[b] = d, a
		}
	}
	s.nn[a], s.nnDist[a] = best, bestD
}

// setNNNocross is _bj_set_NN_nocross over slots [0, n) except a.
func (s *n2State) setNNNocross(a, n int) {
	best, bestD := -1, s.r2
	for b := 0; b < a; b++ {
		if d := s.dist(a, b); d < bestD {
			bestD, best = d, b
		}
	}
	for b := a + 1; b < n; b++ {
		if d := s.dist(a, b); d < bestD {
			bestD, best = d, b
		}
	}
	s.nn[a], s.nnDist[a] = best, bestD
}

// reset prepares the clustering of particles with def: one pseudojet
// per particle, its only constituent itself, and n BriefJet slots.
func (s *briefJets) reset(particles []jet.FourVector, def Definition) {
	n := len(particles)
	s.alg = def.Algorithm
	s.r2 = def.R * def.R
	s.p = append(s.p[:0], particles...)
	s.head, s.tail, s.next = grow(s.head, 2*n), grow(s.tail, 2*n), grow(s.next, n)
	for i := range n {
		s.head[i], s.tail[i], s.next[i] = i, i, -1
	}
	s.eta, s.phi, s.kt2 = grow(s.eta, n), grow(s.phi, n), grow(s.kt2, n)
	s.nnDist, s.diJ = grow(s.nnDist, n), grow(s.diJ, n)
	s.nn, s.jidx = grow(s.nn, n), grow(s.jidx, n)
	s.beams = s.beams[:0]
}

// inclusiveJets selects the inclusive jets of the last clustering
// (selectInclusive).
func (s *briefJets) inclusiveJets(ptMin float64) []Jet {
	return selectInclusive(s.p, s.beams, s.head, s.tail, s.next, s.alg, ptMin)
}

func (s *n2State) run(particles []jet.FourVector, def Definition) {
	n := len(particles)
	s.reset(particles, def)
	invR2 := 1 / s.r2

	for i := 0; i < n; i++ {
		s.setInfo(i, i)
	}
	for a := 1; a < n; a++ {
		s.setNNCrosscheck(a)
	}
	for i := 0; i < n; i++ {
		s.diJ[i] = s.diJOf(i)
	}

	for n > 0 {
		dmin, a := s.diJ[0], 0
		for i := 1; i < n; i++ {
			if s.diJ[i] < dmin {
				a, dmin = i, s.diJ[i]
			}
		}
		b := s.nn[a]
		dmin *= invR2
		if b >= 0 {
			if a < b {
				a, b = b, a
			}
			k := s.recombine(s.jidx[a], s.jidx[b])
			s.setInfo(b, k)
		} else {
			s.beams = append(s.beams, beamStep{j: s.jidx[a], dij: dmin})
		}

		n--
		tail := n
		s.eta[a], s.phi[a], s.kt2[a] = s.eta[tail], s.phi[tail], s.kt2[tail]
		s.jidx[a], s.nnDist[a], s.nn[a] = s.jidx[tail], s.nnDist[tail], s.nn[tail]
		s.diJ[a] = s.diJ[tail]

		for i := 0; i < n; i++ {
			if s.nn[i] == a || (b >= 0 && s.nn[i] == b) {
				s.setNNNocross(i, n)
				s.diJ[i] = s.diJOf(i)
			}
			if b >= 0 {
				d := s.dist(i, b)
				if d < s.nnDist[i] && i != b {
					s.nnDist[i], s.nn[i] = d, b
					s.diJ[i] = s.diJOf(i)
				}
				if d < s.nnDist[b] && i != b {
					s.nnDist[b], s.nn[b] = d, i
				}
			}
			if s.nn[i] == tail {
				s.nn[i] = a
			}
		}
		if b >= 0 {
			s.diJ[b] = s.diJOf(b)
		}
	}
}

// recombine adds pseudojets i and j (E-scheme) and returns the new index.
func (s *briefJets) recombine(i, j int) int {
	pi, pj := s.p[i], s.p[j]
	k := len(s.p)
	s.p = append(s.p, jet.FourVector{Px: pi.Px + pj.Px, Py: pi.Py + pj.Py, Pz: pi.Pz + pj.Pz, E: pi.E + pj.E})
	s.head[k], s.tail[k] = s.head[i], s.tail[j]
	s.next[s.tail[i]] = s.head[j]
	return k
}

func constituentsOf(head, tail, next []int, j int) []int {
	var out []int
	for c := head[j]; c >= 0; c = next[c] {
		out = append(out, c)
		if c == tail[j] {
			break
		}
	}
	slices.Sort(out)
	return out
}

// inclusive runs the clustering and selects the inclusive jets.
func (s *n2State) inclusive(particles []jet.FourVector, def Definition, ptMin float64) []Jet {
	s.run(particles, def)
	return s.inclusiveJets(ptMin)
}

// selectInclusive picks the inclusive jets among the beam recombinations
// as ClusterSequence::inclusive_jets does: for kt the beam distance d_iB
// (= kt^2 up to the R^2/R^2 rounding) must be >= ptMin^2, for the other
// algorithms the jet's kt^2. Jets come in reverse history order (as
// FastJet's), to be sorted by the caller.
func selectInclusive(p []jet.FourVector, beams []beamStep, head, tail, next []int, alg Algorithm, ptMin float64) []Jet {
	dcut := ptMin * ptMin
	var out []Jet
	for i := len(beams) - 1; i >= 0; i-- {
		b := beams[i]
		keep := false
		if alg == Kt {
			keep = b.dij >= dcut
		} else {
			keep = Kt2(p[b.j]) >= dcut
		}
		if keep {
			out = append(out, Jet{FourVector: p[b.j], Constituents: constituentsOf(head, tail, next, b.j)})
		}
	}
	return out
}
