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

// commitPruned folds a tile of the pruned pass: d is NaN where the pair
// was not computed, and such pairs take their radius bin from the code
// decided by the bounds (they are never nearest neighbours, k nearest or
// list members). The visiting order is that of commit, so sums are
// bit-for-bit those of the brute-force pass.
//
// With counted (unit weights) the tile's radius counts were accumulated
// per slot by the worker, in integers, and are added here (exact in any
// order, hence also bit-for-bit those of the brute-force pass).
func (s *summaries) commitPruned(t *tile, b *workBuf, rows, cols, group []int32, sym, counted bool) {
	n := (t.rHi - t.rLo) * (t.cHi - t.cLo)
	buf := b.d[:n]
	if s.radii != nil {
		if counted {
			s.commitCounts(t, b, sym)
		} else {
			s.commitRadiiCoded(t, buf, b.ps.code[:n], rows, cols, group, sym)
		}
	}
	if s.k > 0 || s.listR > 0 || s.nn {
		s.commitNeighbours(t, buf, rows, cols, group, sym)
	}
}

// commitCounts adds a tile's integer radius counts (slot, class, bin; bin
// R is beyond the last radius) to the histograms.
func (s *summaries) commitCounts(t *tile, b *workBuf, sym bool) {
	R := len(s.radii)
	R1 := R + 1
	add := func(slot int, cnt []int32) {
		hb, hs := s.histB[slot*R:(slot+1)*R], s.histS[slot*R:(slot+1)*R]
		for r := 0; r < R; r++ {
			if x := cnt[r]; x != 0 {
				hb[r] += float64(x)
			}
			if x := cnt[R1+r]; x != 0 {
				hs[r] += float64(x)
			}
		}
	}
	for a := 0; a < t.rHi-t.rLo; a++ {
		add(t.rLo+a, b.ps.cntR[2*a*R1:2*(a+1)*R1])
	}
	if sym && !t.diag {
		for c := 0; c < t.cHi-t.cLo; c++ {
			add(t.cLo+c, b.ps.cntC[2*c*R1:2*(c+1)*R1])
		}
	}
}

func (s *summaries) commitRadiiCoded(t *tile, buf []float64, code []uint16, rows, cols, group []int32, sym bool) {
	R := len(s.radii)
	rmax := s.rmax
	radii := s.radii
	two := both(t, sym)
	nc := t.cHi - t.cLo
	for a := t.rLo; a < t.rHi; a++ {
		ja := rows[a]
		off := (a - t.rLo) * nc
		row := buf[off : off+nc]
		ha, hasig := s.histB[a*R:(a+1)*R], s.histS[a*R:(a+1)*R]
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
			var lo int
			if d != d { // decided by the bounds
				lo = int(code[off+c])
				if lo >= R {
					continue
				}
			} else {
				if d > rmax {
					continue
				}
				lo = firstAtLeast(radii, d)
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

// firstAtLeast returns the index of the first radius >= d (d <= the last
// radius).
func firstAtLeast(radii []float64, d float64) int {
	lo, hi := 0, len(radii)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if radii[m] < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
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
			if d != d || (group != nil && group[ja] == group[jb]) {
				continue // not computed (pruned pass), or same fold
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
