package substructure

import (
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/cluster"
	"github.com/smearflow/smearflow/core/jet"
)

// MaxAllowableR is FastJet's JetDefinition::max_allowable_R (1000), the
// radius fjcontrib uses for its reclustering (exclusive kt axes, the
// Cambridge/Aachen tree of soft drop): every pair of constituents is
// closer than it, so everything merges into one jet.
const MaxAllowableR = 1000.0

// Recombination is how two pseudojets combine into one.
type Recombination int

const (
	// EScheme adds the four-momenta.
	EScheme Recombination = iota + 1
	// WTA is fjcontrib's WinnerTakeAllRecombiner (alpha = 1): the result is
	// massless, has pt = pt_a + pt_b and the rapidity and azimuth of the
	// harder input (of the first one when the pts are equal).
	WTA
)

// String names the recombination scheme.
func (r Recombination) String() string {
	switch r {
	case EScheme:
		return "E-scheme"
	case WTA:
		return "winner-take-all"
	}
	return fmt.Sprintf("Recombination(%d)", int(r))
}

// History is a clustering sequence with its full tree, in FastJet's
// layout: nodes 0..N-1 are the constituents, each recombination appends a
// node, and the steps (recombinations and beam merges) are kept in order
// so that exclusive jets and parents can be read off as in FastJet's
// ClusterSequence.
type History struct {
	n        int      // constituents
	nodes    []pseudo // pseudojets: constituents, then one per recombination
	nodeHist []int    // history index of each node
	steps    []step
}

// step is one history entry after the constituents: a recombination of
// p1 and p2 (history indices, p1 < p2) into node, or a beam merge of p1
// (p2 = -1, node = -1). dij is FastJet's normalised distance.
type step struct {
	p1, p2, node int
	dij          float64
}

// NumConstituents is the number of clustered particles.
func (h *History) NumConstituents() int { return h.n }

// NumNodes is the number of pseudojets: constituents plus recombinations.
func (h *History) NumNodes() int { return len(h.nodes) }

// Momentum returns the four-momentum of node i [GeV].
func (h *History) Momentum(i int) jet.FourVector { return h.nodes[i].fv() }

// RapPhi returns the rapidity and azimuth ([0, 2π)) of node i as FastJet
// caches them.
func (h *History) RapPhi(i int) (y, phi float64) { return h.nodes[i].rap, h.nodes[i].phi }

// Pt returns the transverse momentum of node i [GeV].
func (h *History) Pt(i int) float64 { return h.nodes[i].pt() }

// histNode maps a history index to its node (-1 for a beam step).
func (h *History) histNode(hi int) int {
	if hi < h.n {
		return hi
	}
	return h.steps[hi-h.n].node
}

// Parents returns the two nodes that merged into node i, the one with the
// larger pt² first (FastJet's has_parents), and ok = false for a
// constituent.
func (h *History) Parents(i int) (a, b int, ok bool) {
	hi := h.nodeHist[i]
	if hi < h.n {
		return -1, -1, false
	}
	s := h.steps[hi-h.n]
	a, b = h.histNode(s.p1), h.histNode(s.p2)
	if h.nodes[a].kt2 < h.nodes[b].kt2 {
		a, b = b, a
	}
	return a, b, true
}

// Dij returns the normalised distance at which node i was created
// (FastJet's history dij: min(k_a, k_b) ΔR²/R², with k = kt² for kt, 1 for
// Cambridge/Aachen, 1/kt² for anti-kt), and 0 for a constituent.
func (h *History) Dij(i int) float64 {
	hi := h.nodeHist[i]
	if hi < h.n {
		return 0
	}
	return h.steps[hi-h.n].dij
}

// Constituents appends the constituent indices of node i to dst.
func (h *History) Constituents(i int, dst []int) []int {
	if i < h.n {
		return append(dst, i)
	}
	a, b, _ := h.Parents(i)
	dst = h.Constituents(a, dst)
	return h.Constituents(b, dst)
}

// Final returns the node of the last recombination (the whole jet when
// everything merged), or the last constituent when there was none.
func (h *History) Final() int { return len(h.nodes) - 1 }

// ExclusiveJets appends to dst the nodes present when the clustering is
// stopped with n jets left, in FastJet's order
// (ClusterSequence::exclusive_jets_up_to(n)): fewer than n when there are
// fewer constituents, all constituents when n >= N.
func (h *History) ExclusiveJets(n int, dst []int) []int {
	if n <= 0 {
		return dst
	}
	stop := 2*h.n - n
	if n > h.n {
		stop = h.n
	}
	for k, s := range h.steps {
		if h.n+k < stop {
			continue
		}
		if s.p1 >= 0 && s.p1 < stop {
			dst = append(dst, h.histNode(s.p1))
		}
		if s.p2 >= 0 && s.p2 < stop {
			dst = append(dst, h.histNode(s.p2))
		}
	}
	return dst
}

// clusterer is a port of FastJet's N2Plain strategy
// (ClusterSequence::_simple_N2_cluster with BriefJets) that records the
// history: the nearest-neighbour bookkeeping, the scan order and the slot
// moves follow FastJet, so ties are broken the same way.
type clusterer struct {
	rap, phi, k, nnDist, diJ []float64
	nn, node                 []int
	r2                       float64
	alg                      cluster.Algorithm
}

// Cluster runs the generalised-kt algorithm alg (cluster.Kt,
// cluster.Cambridge or cluster.AntiKt) with radius R and the given
// recombination over the constituents of j and returns a new History
// (which does not alias j). The constituents keep the rapidity and azimuth
// they were given; recombined pseudojets get FastJet's rap() and phi().
func (j *Jet) Cluster(alg cluster.Algorithm, R float64, rec Recombination) (*History, error) {
	h := &History{}
	if err := j.cluster(h, alg, R, rec); err != nil {
		return nil, err
	}
	return h, nil
}

// cached returns the cached history slot for the fjcontrib definitions
// (radius MaxAllowableR), clustering on first use.
func (j *Jet) cached(slot int) *History {
	h := &j.hist[slot]
	if j.have[slot] {
		return h
	}
	var err error
	switch slot {
	case histKtE:
		err = j.cluster(h, cluster.Kt, MaxAllowableR, EScheme)
	case histKtWTA:
		err = j.cluster(h, cluster.Kt, MaxAllowableR, WTA)
	case histCA:
		err = j.cluster(h, cluster.Cambridge, MaxAllowableR, EScheme)
	}
	if err != nil { // cannot happen: fixed, valid definitions
		panic(err)
	}
	j.have[slot] = true
	return h
}

func (j *Jet) cluster(h *History, alg cluster.Algorithm, R float64, rec Recombination) error {
	if alg != cluster.Kt && alg != cluster.Cambridge && alg != cluster.AntiKt {
		return fmt.Errorf("substructure: unknown jet algorithm %v", alg)
	}
	if !(R > 0) || math.IsInf(R, 0) {
		return fmt.Errorf("substructure: jet radius R = %v must be finite and > 0", R)
	}
	if rec != EScheme && rec != WTA {
		return fmt.Errorf("substructure: unknown recombination %v", rec)
	}
	n := len(j.p)
	h.n = n
	h.nodes = append(h.nodes[:0], j.p...)
	h.nodeHist = grow(h.nodeHist, n)
	for i := range n {
		h.nodeHist[i] = i
	}
	h.steps = h.steps[:0]
	c := &j.cl
	c.alg = alg
	c.r2 = R * R
	invR2 := 1 / c.r2
	c.rap = grow(c.rap, n)
	c.phi = grow(c.phi, n)
	c.k = grow(c.k, n)
	c.nnDist = grow(c.nnDist, n)
	c.diJ = grow(c.diJ, n)
	c.nn = grow(c.nn, n)
	c.node = grow(c.node, n)
	for i := range n {
		c.setInfo(h, i, i)
	}
	for a := 1; a < n; a++ {
		c.setNNCrosscheck(a)
	}
	for i := range n {
		c.diJ[i] = c.diJOf(i)
	}
	for n > 0 {
		a, dmin := 0, c.diJ[0]
		for i := 1; i < n; i++ {
			if c.diJ[i] < dmin {
				a, dmin = i, c.diJ[i]
			}
		}
		b := c.nn[a]
		dmin *= invR2
		if b >= 0 {
			if a < b {
				a, b = b, a
			}
			na, nb := c.node[a], c.node[b]
			var p pseudo
			if rec == WTA {
				p = wtaRecombine(h.nodes[na], h.nodes[nb])
			} else {
				p = add(h.nodes[na], h.nodes[nb])
			}
			k := len(h.nodes)
			h.nodes = append(h.nodes, p)
			h.nodeHist = append(h.nodeHist, h.n+len(h.steps))
			ha, hb := h.nodeHist[na], h.nodeHist[nb]
			h.steps = append(h.steps, step{p1: min(ha, hb), p2: max(ha, hb), node: k, dij: dmin})
			c.setInfo(h, b, k)
		} else {
			h.steps = append(h.steps, step{p1: h.nodeHist[c.node[a]], p2: -1, node: -1, dij: dmin})
		}
		n--
		tail := n
		c.rap[a], c.phi[a], c.k[a] = c.rap[tail], c.phi[tail], c.k[tail]
		c.node[a], c.nnDist[a], c.nn[a] = c.node[tail], c.nnDist[tail], c.nn[tail]
		c.diJ[a] = c.diJ[tail]
		for i := 0; i < n; i++ {
			if c.nn[i] == a || (b >= 0 && c.nn[i] == b) {
				c.setNNNocross(i, n)
				c.diJ[i] = c.diJOf(i)
			}
			if b >= 0 {
				d := c.dist(i, b)
				if d < c.nnDist[i] && i != b {
					c.nnDist[i], c.nn[i] = d, b
					c.diJ[i] = c.diJOf(i)
				}
				if d < c.nnDist[b] && i != b {
					c.nnDist[b], c.nn[b] = d, i
				}
			}
			if c.nn[i] == tail {
				c.nn[i] = a
			}
		}
		if b >= 0 {
			c.diJ[b] = c.diJOf(b)
		}
	}
	return nil
}

// wtaRecombine is fjcontrib's WinnerTakeAllRecombiner::recombine with
// alpha = 1.
func wtaRecombine(a, b pseudo) pseudo {
	apt, bpt := a.pt(), b.pt()
	if apt >= bpt {
		return ptYPhiM(apt+bpt, a.rap, a.phi, 0)
	}
	return ptYPhiM(apt+bpt, b.rap, b.phi, 0)
}

func (c *clusterer) setInfo(h *History, slot, node int) {
	p := h.nodes[node]
	c.rap[slot] = p.rap
	c.phi[slot] = p.phi
	switch c.alg {
	case cluster.Kt:
		c.k[slot] = p.kt2
	case cluster.Cambridge:
		c.k[slot] = 1
	default:
		if p.kt2 > 1e-300 {
			c.k[slot] = 1 / p.kt2
		} else {
			c.k[slot] = 1e300
		}
	}
	c.node[slot] = node
	c.nnDist[slot] = c.r2
	c.nn[slot] = -1
}

func (c *clusterer) dist(a, b int) float64 {
	dphi := math.Abs(c.phi[a] - c.phi[b])
	deta := c.rap[a] - c.rap[b]
	if dphi > math.Pi {
		dphi = twoPi - dphi
	}
	return dphi*dphi + deta*deta
}

func (c *clusterer) diJOf(a int) float64 {
	k := c.k[a]
	if b := c.nn[a]; b >= 0 && c.k[b] < k {
		k = c.k[b]
	}
	return c.nnDist[a] * k
}

func (c *clusterer) setNNCrosscheck(a int) {
	best, bestD := -1, c.r2
	for b := 0; b < a; b++ {
		d := c.dist(a, b)
		if d < bestD {
			bestD, best = d, b
		}
		if d < c.nnDist[b] {
			c.nnDist[b], c.nn[b] = d, a
		}
	}
	c.nn[a], c.nnDist[a] = best, bestD
}

func (c *clusterer) setNNNocross(a, n int) {
	best, bestD := -1, c.r2
	for b := 0; b < a; b++ {
		if d := c.dist(a, b); d < bestD {
			bestD, best = d, b
		}
	}
	for b := a + 1; b < n; b++ {
		if d := c.dist(a, b); d < bestD {
			bestD, best = d, b
		}
	}
	c.nn[a], c.nnDist[a] = best, bestD
}
