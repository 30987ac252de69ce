package neighbors

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/smearflow/smearflow/core/plugin"
)

// nbr is a reference jet at a distance (internal form of plugin.Neighbor).
type nbr struct {
	d float64
	j int32
}

func nbrLess(a, b nbr) int {
	if c := cmp.Compare(a.d, b.d); c != 0 {
		return c
	}
	return cmp.Compare(a.j, b.j)
}

// summaries holds, for every query slot, what a NeighborRequest asks for
// (and nearest neighbours per class when nn is set). All slots of one query
// block are only ever touched by one goroutine at a time (the scheduler
// guarantees it), so no locks are needed.
type summaries struct {
	nq      int
	labels  []int8
	weights []float64

	radii  []float64
	rmax   float64
	histS  []float64 // nq*len(radii): weight in (r_{k-1}, r_k]
	histB  []float64
	k      int
	heap   []nbr   // nq*k, max-heap per slot
	hlen   []int32 // heap sizes
	ties   [][]nbr // per slot: entries tied with the heap maximum, outside the heap (lazy)
	widths []float64
	inv2s2 []float64 // 1/(2 sigma^2)
	gS, gB []float64 // Neumaier sums, nq*len(widths)
	cS, cB []float64 // their compensations
	wOrder []int     // width indices by decreasing sigma (increasing 1/(2 sigma^2))
	listR  float64
	lists  [][]nbr
	nn     bool
	nnD    [3][]float64 // nearest any / signal / background
	nnJ    [3][]int32
}

func newSummaries(nq int, labels []int8, weights []float64, req plugin.NeighborRequest, nn bool) (*summaries, error) {
	s := &summaries{nq: nq, labels: labels, weights: weights}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	if r := len(req.Radii); r > 0 {
		s.radii = req.Radii
		s.rmax = req.Radii[r-1]
		s.histS, s.histB = make([]float64, nq*r), make([]float64, nq*r)
	}
	if req.KNearest > 0 {
		s.k = req.KNearest
		s.heap = make([]nbr, nq*s.k)
		s.hlen = make([]int32, nq)
		s.ties = make([][]nbr, nq)
	}
	if w := len(req.GaussianWidths); w > 0 {
		s.widths = req.GaussianWidths
		s.inv2s2 = make([]float64, w)
		s.wOrder = make([]int, w)
		for i, sg := range s.widths {
			s.inv2s2[i] = 1 / (2 * sg * sg)
			s.wOrder[i] = i
		}
		slices.SortStableFunc(s.wOrder, func(a, b int) int { return cmp.Compare(s.inv2s2[a], s.inv2s2[b]) })
		s.gS, s.gB = make([]float64, nq*w), make([]float64, nq*w)
		s.cS, s.cB = make([]float64, nq*w), make([]float64, nq*w)
	}
	if req.ListRadius > 0 {
		s.listR = req.ListRadius
		s.lists = make([][]nbr, nq)
	}
	if nn {
		s.nn = true
		for c := range s.nnD {
			s.nnD[c] = make([]float64, nq)
			s.nnJ[c] = make([]int32, nq)
			for q := range s.nnD[c] {
				s.nnD[c][q] = math.Inf(1)
				s.nnJ[c][q] = -1
			}
		}
	}
	return s, nil
}

// checkRequest validates a NeighborRequest.
func checkRequest(req plugin.NeighborRequest) error {
	for i, r := range req.Radii {
		if math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
			return fmt.Errorf("neighbors: radius %d is %v (want finite and >= 0)", i, r)
		}
		if i > 0 && r <= req.Radii[i-1] {
			return fmt.Errorf("neighbors: radii must be strictly increasing: radius %d (%v) follows %v", i, r, req.Radii[i-1])
		}
	}
	if req.KNearest < 0 {
		return fmt.Errorf("neighbors: KNearest = %d is negative", req.KNearest)
	}
	for i, w := range req.GaussianWidths {
		if math.IsNaN(w) || math.IsInf(w, 0) || w <= 0 {
			return fmt.Errorf("neighbors: Gaussian width %d is %v (want finite and > 0)", i, w)
		}
	}
	if math.IsNaN(req.ListRadius) || math.IsInf(req.ListRadius, 0) || req.ListRadius < 0 {
		return fmt.Errorf("neighbors: list radius %v (want finite and >= 0)", req.ListRadius)
	}
	return nil
}

// bytes returns the memory held by the summaries.
func (s *summaries) bytes() int64 {
	b := int64(len(s.histS)+len(s.histB)+len(s.gS)+len(s.gB)+len(s.cS)+len(s.cB)) * 8
	b += int64(len(s.heap))*16 + int64(len(s.hlen))*4 + int64(len(s.ties))*24
	for _, t := range s.ties {
		b += int64(cap(t)) * 16
	}
	b += int64(len(s.lists)) * 24
	for _, l := range s.lists {
		b += int64(cap(l)) * 16
	}
	if s.nn {
		b += int64(s.nq) * 3 * 12
	}
	return b
}

func (s *summaries) nearer(c, q int, d float64, j int32) {
	if d < s.nnD[c][q] || (d == s.nnD[c][q] && j < s.nnJ[c][q]) {
		s.nnD[c][q], s.nnJ[c][q] = d, j
	}
}

// pushKNN keeps the k nearest (a max-heap on distance) plus every entry
// tied with the k-th distance.
func (s *summaries) pushKNN(q int, x nbr) {
	h := s.heap[q*s.k : (q+1)*s.k]
	n := int(s.hlen[q])
	if n < s.k {
		// sift up
		i := n
		h[i] = x
		for i > 0 {
			p := (i - 1) / 2
			if h[p].d >= h[i].d {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		s.hlen[q]++
		return
	}
	top := h[0].d
	switch {
	case x.d > top:
		return
	case x.d == top:
		s.ties[q] = append(s.ties[q], x)
		return
	}
	old := h[0]
	h[0] = x
	// sift down
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h[r].d > h[l].d {
			m = r
		}
		if h[i].d >= h[m].d {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	if h[0].d == top {
		s.ties[q] = append(s.ties[q], old)
	} else {
		s.ties[q] = s.ties[q][:0]
	}
}

// knnList returns slot q's k nearest plus ties, sorted by (distance, index).
func (s *summaries) knnList(q int) []nbr {
	n := int(s.hlen[q])
	out := make([]nbr, 0, n+len(s.ties[q]))
	out = append(out, s.heap[q*s.k:q*s.k+n]...)
	out = append(out, s.ties[q]...)
	slices.SortFunc(out, nbrLess)
	return out
}

// batch builds the NeighborBatch of slots [lo, hi).
func (s *summaries) batch(st *setupView, lo, hi int) *plugin.NeighborBatch {
	n := hi - lo
	b := &plugin.NeighborBatch{
		Queries: make([]int32, n),
		Label:   make([]int8, n),
		Weight:  make([]float64, n),
		NormS:   append([]float64(nil), st.normS[lo:hi]...),
		NormB:   append([]float64(nil), st.normB[lo:hi]...),
		Integer: st.integer,
	}
	for k := 0; k < n; k++ {
		j := st.queries[lo+k]
		b.Queries[k], b.Label[k], b.Weight[k] = j, s.labels[j], s.weights[j]
	}
	if R := len(s.radii); R > 0 {
		b.Radii = append([]float64(nil), s.radii...)
		b.CountS, b.CountB = make([]float64, n*R), make([]float64, n*R)
		for k := 0; k < n; k++ {
			var cs, cb float64
			for r := 0; r < R; r++ {
				cs += s.histS[(lo+k)*R+r]
				cb += s.histB[(lo+k)*R+r]
				b.CountS[k*R+r], b.CountB[k*R+r] = cs, cb
			}
		}
	}
	if s.k > 0 {
		b.KOffsets = make([]int, n+1)
		for k := 0; k < n; k++ {
			for _, x := range s.knnList(lo + k) {
				b.KList = append(b.KList, s.neighbor(x))
			}
			b.KOffsets[k+1] = len(b.KList)
		}
	}
	if W := len(s.widths); W > 0 {
		b.GaussianWidths = append([]float64(nil), s.widths...)
		b.GaussS, b.GaussB = make([]float64, n*W), make([]float64, n*W)
		for i := lo * W; i < hi*W; i++ {
			b.GaussS[i-lo*W] = s.gS[i] + s.cS[i]
			b.GaussB[i-lo*W] = s.gB[i] + s.cB[i]
		}
	}
	if s.listR > 0 {
		b.ListRadius = s.listR
		b.ListOffsets = make([]int, n+1)
		for k := 0; k < n; k++ {
			l := s.lists[lo+k]
			slices.SortFunc(l, nbrLess)
			for _, x := range l {
				b.List = append(b.List, s.neighbor(x))
			}
			b.ListOffsets[k+1] = len(b.List)
		}
	}
	return b
}

func (s *summaries) neighbor(x nbr) plugin.Neighbor {
	return plugin.Neighbor{Index: x.j, Distance: x.d, Label: s.labels[x.j], Weight: s.weights[x.j]}
}
