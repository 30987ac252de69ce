package neighbors

import (
	"math"
)

// commit folds one computed tile into the summaries, one kind of summary
// at a time (tight loops over the tile, which stays in cache). Pairs are
// visited row-major, so every query slot receives its reference jets in
// ascending position within the tile, as a row (slot a, jets c) and, in a
// symmetric pass, as a column (slot c, jets a). A diagonal tile of a
// symmetric pass holds both triangles: each slot takes its own row only.
//
// In a symmetric pass rows == cols and a pair (a, c) counts for both jets
// only if group is nil or their groups (folds) differ.
func (s *summaries) commit(t *tile, buf []float64, rows, cols, group []int32, sym bool) {
	if s.radii != nil {
		s.commitRadii(t, buf, rows, cols, group, sym)
	}
	if s.inv2s2 != nil {
		s.commitGauss(t, buf, rows, cols, group, sym)
	}
	if s.k > 0 || s.listR > 0 || s.nn {
		s.commitNeighbours(t, buf, rows, cols, group, sym)
	}
}

// both reports whether the pair also counts for the column slot.
func both(t *tile, sym bool) bool { return sym && !t.diag }

func (s *summaries) commitRadii(t *tile, buf []float64, rows, cols, group []int32, sym bool) {
	R := len(s.radii)
	rmax := s.rmax
	radii := s.radii
	two := both(t, sym)
	nc := t.cHi - t.cLo
	for a := t.rLo; a < t.rHi; a++ {
		ja := rows[a]
		row := buf[(a-t.rLo)*nc : (a-t.rLo+1)*nc]
		ha, hasig := s.histB[a*R:(a+1)*R], s.histS[a*R:(a+1)*R]
		wa, siga := s.weights[ja], s.labels[ja] == 1
		for c, d := range row {
			if d > rmax {
				continue
			}
			cc := c + t.cLo
			if t.diag && cc == a {
				continue
			}
			jb := cols[cc]
			if group != nil && group[ja] == group[jb] {
				continue
			}
			// First radius >= d (inclusive balls).
			lo, hi := 0, R-1
			for lo < hi {
				m := int(uint(lo+hi) >> 1)
				if radii[m] < d {
					lo = m + 1
				} else {
					hi = m
				}
			}
			if s.labels[jb] == 1 {
				hasig[lo] += s.weights[jb]
			} else {
				ha[lo] += s.weights[jb]
			}
			if two {
				if siga {
					s.histS[cc*R+lo] += wa
				} else {
					s.histB[cc*R+lo] += wa
				}
			}
		}
	}
}

// neumaier adds x to the compensated sum (g, c).
func neumaier(g, c *float64, x float64) {
	sum := *g + x
	if math.Abs(*g) >= math.Abs(x) {
		*c += (*g - sum) + x
	} else {
		*c += (x - sum) + *g
	}
	*g = sum
}

func (s *summaries) commitGauss(t *tile, buf []float64, rows, cols, group []int32, sym bool) {
	W := len(s.inv2s2)
	terms := make([]float64, W)
	two := both(t, sym)
	nc := t.cHi - t.cLo
	for a := t.rLo; a < t.rHi; a++ {
		ja := rows[a]
		row := buf[(a-t.rLo)*nc : (a-t.rLo+1)*nc]
		wa, siga := s.weights[ja], s.labels[ja] == 1
		for c, d := range row {
			cc := c + t.cLo
			if t.diag && cc == a {
				continue
			}
			jb := cols[cc]
			if group != nil && group[ja] == group[jb] {
				continue
			}
			// Terms by decreasing width; once one underflows to 0 every
			// narrower one does too, and adding 0 changes no sum.
			d2 := d * d
			nt := 0
			for _, w := range s.wOrder {
				x := math.Exp(-d2 * s.inv2s2[w])
				if x == 0 {
					break
				}
				terms[nt] = x
				nt++
			}
			wb := s.weights[jb]
			g, cp := s.gB[a*W:(a+1)*W], s.cB[a*W:(a+1)*W]
			if s.labels[jb] == 1 {
				g, cp = s.gS[a*W:(a+1)*W], s.cS[a*W:(a+1)*W]
			}
			for k, w := range s.wOrder[:nt] {
				neumaier(&g[w], &cp[w], wb*terms[k])
			}
			if two {
				g, cp := s.gB[cc*W:(cc+1)*W], s.cB[cc*W:(cc+1)*W]
				if siga {
					g, cp = s.gS[cc*W:(cc+1)*W], s.cS[cc*W:(cc+1)*W]
				}
				for k, w := range s.wOrder[:nt] {
					neumaier(&g[w], &cp[w], wa*terms[k])
				}
			}
		}
	}
}

func (s *summaries) commitNeighbours(t *tile, buf []float64, rows, cols, group []int32, sym bool) {
	two := both(t, sym)
	nc := t.cHi - t.cLo
	for a := t.rLo; a < t.rHi; a++ {
		ja := rows[a]
		row := buf[(a-t.rLo)*nc : (a-t.rLo+1)*nc]
		for c, d := range row {
			cc := c + t.cLo
			if t.diag && cc == a {
				continue
			}
			jb := cols[cc]
			if group != nil && group[ja] == group[jb] {
				continue
			}
			s.neighbour(a, jb, d)
			if two {
				s.neighbour(cc, ja, d)
			}
		}
	}
}

// neighbour folds reference jet j at distance d into slot q's k-nearest
// heap, list and nearest neighbours.
func (s *summaries) neighbour(q int, j int32, d float64) {
	if s.k > 0 {
		if n := s.hlen[q]; int(n) < s.k || d <= s.heap[q*s.k].d {
			s.pushKNN(q, nbr{d, j})
		}
	}
	if s.listR > 0 && d <= s.listR {
		s.lists[q] = append(s.lists[q], nbr{d, j})
	}
	if s.nn {
		s.nearer(0, q, d, j)
		if s.labels[j] == 1 {
			s.nearer(1, q, d, j)
		} else {
			s.nearer(2, q, d, j)
		}
	}
}
