package emd

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/ot"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil"
)

// Space is a prepared emd metric over a fixed set of jets. It is safe for
// concurrent use (each call uses its own solver).
type Space struct {
	opt      Options
	off      []int     // jet i owns particles off[i]:off[i+1]
	w        []float64 // weights (z or GeV)
	y, phi   []float64 // coordinates (centred if Center)
	sum      []float64 // Σ weights per jet
	yc, phic []float64 // centroids (Center only)
	maxMult  int
}

// NewSpace prepares the jets with the given options (see Metric.Prepare,
// which also resolves parameters and validates the jets).
func NewSpace(jets *jet.Jets, o Options) (*Space, error) {
	if !(o.Radius > 0) || math.IsInf(o.Radius, 0) {
		return nil, fmt.Errorf("emd: radius = %v must be a finite number > 0", o.Radius)
	}
	if !(o.Beta > 0) || math.IsInf(o.Beta, 0) {
		return nil, fmt.Errorf("emd: beta = %v must be a finite number > 0", o.Beta)
	}
	n := jets.Len()
	np := jets.NumParticles()
	s := &Space{opt: o, off: make([]int, n+1), w: make([]float64, np), y: make([]float64, np),
		phi: make([]float64, np), sum: make([]float64, n), yc: make([]float64, n), phic: make([]float64, n)}
	for i := 0; i < n; i++ {
		v := jets.Jet(i)
		if len(v.Pt) == 0 {
			return nil, fmt.Errorf("emd: jet %d has no particles", i)
		}
		a := s.off[i]
		s.off[i+1] = a + len(v.Pt)
		s.maxMult = max(s.maxMult, len(v.Pt))
		sumPt := v.SumPt()
		for k, p := range v.Pt {
			if o.Normalize {
				s.w[a+k] = p / sumPt
			} else {
				s.w[a+k] = p
			}
			s.sum[i] += s.w[a+k]
		}
		if o.Center {
			s.yc[i], s.phic[i] = centre(v, s.y[a:a+len(v.Pt)], s.phi[a:a+len(v.Pt)])
		} else {
			copy(s.y[a:], v.Y)
			copy(s.phi[a:], v.Phi)
		}
	}
	return s, nil
}

// centre writes the coordinates of v relative to its pt-weighted centroid
// into y and phi and returns the centroid. Azimuths are unwrapped around
// the hardest particle (as jet.View.Centroid does), so jets straddling
// φ = ±π are centred correctly.
func centre(v jet.View, y, phi []float64) (yc, phic float64) {
	lead := 0
	for k, p := range v.Pt {
		if p > v.Pt[lead] {
			lead = k
		}
	}
	ref := v.Phi[lead]
	var sw, sy, sd float64
	for k, p := range v.Pt {
		sw += p
		sy += p * v.Y[k]
		sd += p * jet.DeltaPhi(v.Phi[k], ref)
	}
	yc, dbar := sy/sw, sd/sw
	for k := range v.Pt {
		y[k] = v.Y[k] - yc
		phi[k] = jet.DeltaPhi(v.Phi[k], ref) - dbar
	}
	return yc, ref + dbar
}

// Len reports the number of jets.
func (s *Space) Len() int { return len(s.off) - 1 }

// Close releases the prepared jets.
func (s *Space) Close() error {
	s.off = []int{0}
	s.w, s.y, s.phi = nil, nil, nil
	return nil
}

// worker holds one goroutine's solver and cost buffer.
type worker struct {
	solver ot.Solver
	cost   []float64
}

func (s *Space) newWorker() *worker {
	return &worker{cost: make([]float64, s.maxMult*s.maxMult)}
}

// dist returns EMD(i, j); the lower index is always the first (supply)
// side so that the result is bit-for-bit symmetric.
func (s *Space) dist(i, j int, wk *worker) (float64, error) {
	if i == j {
		return 0, nil
	}
	if i > j {
		i, j = j, i
	}
	a0, a1, b0, b1 := s.off[i], s.off[i+1], s.off[j], s.off[j+1]
	na, nb := a1-a0, b1-b0
	cost := wk.cost[:na*nb]
	ya, pa, yb, pb := s.y[a0:a1], s.phi[a0:a1], s.y[b0:b1], s.phi[b0:b1]
	invR := 1 / s.opt.Radius
	beta := s.opt.Beta
	for p := 0; p < na; p++ {
		row := cost[p*nb : (p+1)*nb]
		for q := 0; q < nb; q++ {
			dy := ya[p] - yb[q]
			var dp float64
			if s.opt.Center {
				dp = pa[p] - pb[q]
			} else {
				dp = jet.DeltaPhi(pa[p], pb[q])
			}
			switch beta {
			case 1:
				row[q] = math.Sqrt(dy*dy+dp*dp) * invR
			case 2:
				row[q] = (dy*dy + dp*dp) * invR * invR
			default:
				row[q] = math.Pow(math.Sqrt(dy*dy+dp*dp)*invR, beta)
			}
		}
	}
	res, err := wk.solver.Solve(s.w[a0:a1], s.w[b0:b1], cost)
	if err != nil {
		return 0, fmt.Errorf("emd: jets %d and %d: %w", i, j, err)
	}
	d := res.Cost
	if !s.opt.Normalize {
		d += math.Abs(s.sum[i] - s.sum[j])
	}
	return d, nil
}

// Block writes EMD(i, j) for i in rows, j in cols into out (row-major).
// Where the tile straddles the diagonal each unordered pair is solved once.
func (s *Space) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	if err := metricutil.CheckBlock("emd", s.Len(), rows, cols, out); err != nil {
		return err
	}
	wk := s.newWorker()
	return metricutil.SymmetricBlock(ctx, rows, cols, out, 0, func(i, j int) (float64, error) { return s.dist(i, j, wk) })
}

// Pairs writes EMD(i[k], j[k]) into out[k].
func (s *Space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	if err := metricutil.CheckPairs("emd", s.Len(), i, j, out); err != nil {
		return err
	}
	wk := s.newWorker()
	return metricutil.FillPairs(ctx, i, j, out, 64, func(i, j int) (float64, error) { return s.dist(i, j, wk) })
}
