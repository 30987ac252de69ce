package cluster

import (
	"math"

	"github.com/smearflow/smearflow/core/jet"
)

// tiledState is the nearest-neighbour clustering of n2State with the
// (rapidity, phi) plane cut into tiles at least R wide, as in FastJet's
// N2Tiled strategy: a jet's nearest neighbour within R can only be in its
// own tile or one of the 8 around it, so neighbour searches and the updates
// after a recombination only visit those tiles. Distances, d_iJ and the
// beam distance are computed exactly as in n2State, so the clustering is
// the same (up to the order in which exact ties are broken).
//
// BriefJet slots are ids, stable while the jet is active (a recombined jet
// takes the id of one of its parents).
type tiledState struct {
	briefJets
	tile, tilePos []int // each id's tile and position in it
	act, actPos   []int // active ids, and each id's position in act

	// Tiling.
	y0, dy, dphi float64
	nY, nPhi     int
	members      [][]int // ids in each tile
	nbrs         [][]int // each tile's distinct neighbour tiles (itself included)
	stamp        []int   // per tile, for deduplication
	epoch        int
	visit        []int
}

// tiledUseful reports whether tiling applies: at least 3 phi tiles of
// width >= R and enough particles to pay for it.
func tiledUseful(n int, r float64) bool {
	return n >= 64 && math.Floor(2*math.Pi/r) >= 3
}

func (s *tiledState) tileOf(eta, phi float64) int {
	iy := 0
	if v := (eta - s.y0) / s.dy; v > 0 {
		iy = min(int(v), s.nY-1)
	}
	ip := min(int(phi/s.dphi), s.nPhi-1)
	if ip < 0 {
		ip = 0
	}
	return iy*s.nPhi + ip
}

func (s *tiledState) setupTiles(particles []jet.FourVector, r float64) {
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, p := range particles {
		y := Rapidity(p)
		if math.Abs(y) < MaxRap {
			ymin, ymax = min(ymin, y), max(ymax, y)
		}
	}
	const limit = 20 // rapidities beyond are clamped into the edge tiles
	ymin, ymax = max(ymin, -limit), min(ymax, limit)
	if !(ymax > ymin) {
		ymin, ymax = 0, 0
	}
	// Tiles are at least R wide; for small R their number per axis is
	// capped (wider tiles stay correct, only slower).
	const maxTiles1D = 128
	s.y0, s.dy = ymin, r
	if span := ymax - ymin; span/r >= maxTiles1D {
		s.dy = span / (maxTiles1D - 1)
	}
	s.nY = max(1, int(math.Floor((ymax-ymin)/s.dy))+1)
	s.nPhi = min(int(math.Floor(2*math.Pi/r)), maxTiles1D)
	s.dphi = 2 * math.Pi / float64(s.nPhi)
	nt := s.nY * s.nPhi
	if cap(s.members) < nt {
		s.members = make([][]int, nt)
		s.nbrs = make([][]int, nt)
		s.stamp = make([]int, nt)
	}
	s.members, s.nbrs, s.stamp = s.members[:nt], s.nbrs[:nt], s.stamp[:nt]
	for t := range nt {
		s.members[t] = s.members[t][:0]
		s.stamp[t] = 0
		iy, ip := t/s.nPhi, t%s.nPhi
		nb := s.nbrs[t][:0]
		for dy := -1; dy <= 1; dy++ {
			y := iy + dy
			if y < 0 || y >= s.nY {
				continue
			}
			for dp := -1; dp <= 1; dp++ { // nPhi >= 3: the three are distinct
				nb = append(nb, y*s.nPhi+(ip+dp+s.nPhi)%s.nPhi)
			}
		}
		s.nbrs[t] = nb
	}
	s.epoch = 0
}

func (s *tiledState) addToTile(id int) {
	t := s.tileOf(s.eta[id], s.phi[id])
	s.tile[id] = t
	s.tilePos[id] = len(s.members[t])
	s.members[t] = append(s.members[t], id)
}

func (s *tiledState) removeFromTile(id int) {
	t := s.tile[id]
	m := s.members[t]
	last := m[len(m)-1]
	m[s.tilePos[id]] = last
	s.tilePos[last] = s.tilePos[id]
	s.members[t] = m[:len(m)-1]
}

// findNN sets the nearest neighbour of a among the jets of its neighbour
// tiles (only those closer than R count).
func (s *tiledState) findNN(a int) {
	best, bestD := -1, s.r2
	for _, t := range s.nbrs[s.tile[a]] {
		for _, b := range s.members[t] {
			if b == a {
				continue
			}
			if d := s.dist(a, b); d < bestD {
				bestD, best = d, b
			}
		}
	}
	s.nn[a], s.nnDist[a] = best, bestD
}

// markTiles adds the not yet marked neighbour tiles of tile t to s.visit.
func (s *tiledState) markTiles(t int) {
	for _, u := range s.nbrs[t] {
		if s.stamp[u] != s.epoch {
			s.stamp[u] = s.epoch
			s.visit = append(s.visit, u)
		}
	}
}

func (s *tiledState) run(particles []jet.FourVector, def Definition) {
	n := len(particles)
	s.reset(particles, def)
	invR2 := 1 / s.r2
	s.tile, s.tilePos = grow(s.tile, n), grow(s.tilePos, n)
	s.act, s.actPos = grow(s.act, n), grow(s.actPos, n)
	s.setupTiles(particles, def.R)
	for i := range n {
		s.setInfo(i, i)
		s.addToTile(i)
		s.act[i], s.actPos[i] = i, i
	}
	for i := range n {
		s.findNN(i)
	}
	for i := range n {
		s.diJ[i] = s.diJOf(i)
	}

	for len(s.act) > 0 {
		a := s.act[0]
		dmin := s.diJ[a]
		for _, i := range s.act[1:] {
			if s.diJ[i] < dmin {
				a, dmin = i, s.diJ[i]
			}
		}
		b := s.nn[a]
		dmin *= invR2

		// Retire a.
		s.removeFromTile(a)
		last := s.act[len(s.act)-1]
		s.act[s.actPos[a]] = last
		s.actPos[last] = s.actPos[a]
		s.act = s.act[:len(s.act)-1]

		s.epoch++
		s.visit = s.visit[:0]
		s.markTiles(s.tile[a])
		if b >= 0 {
			k := s.recombine(s.jidx[a], s.jidx[b])
			s.markTiles(s.tile[b])
			s.removeFromTile(b)
			s.setInfo(b, k)
			s.addToTile(b)
			s.markTiles(s.tile[b])
		} else {
			s.beams = append(s.beams, beamStep{j: s.jidx[a], dij: dmin})
		}
		for _, t := range s.visit {
			for _, i := range s.members[t] {
				if i == b {
					continue
				}
				if s.nn[i] == a || (b >= 0 && s.nn[i] == b) {
					s.findNN(i)
					s.diJ[i] = s.diJOf(i)
				}
				if b >= 0 {
					d := s.dist(i, b)
					if d < s.nnDist[i] {
						s.nnDist[i], s.nn[i] = d, b
						s.diJ[i] = s.diJOf(i)
					}
					if d < s.nnDist[b] {
						s.nnDist[b], s.nn[b] = d, i
					}
				}
			}
		}
		if b >= 0 {
			s.diJ[b] = s.diJOf(b)
		}
	}
}

func (s *tiledState) inclusive(particles []jet.FourVector, def Definition, ptMin float64) []Jet {
	s.run(particles, def)
	return s.inclusiveJets(ptMin)
}
