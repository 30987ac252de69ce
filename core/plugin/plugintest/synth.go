package plugintest

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// ToyJets returns n random jets (seeded): 2 to 30 particles each with pt
// in (0.5, 100] GeV, rapidity and azimuth within 0.4 of (0, 1), PDG ids
// from {22, ±211, 321}, alternating quark/gluon labels and unit weights.
// They pass jet.Validate and exercise every column (not physics).
func ToyJets(n int, seed uint64) *jet.Jets {
	rng := rand.New(rand.NewPCG(seed, 0x706c7567))
	pids := []int32{22, 211, -211, 321}
	j := &jet.Jets{}
	for i := 0; i < n; i++ {
		m := 2 + rng.IntN(29)
		pt, y, phi, pid := make([]float64, m), make([]float64, m), make([]float64, m), make([]int32, m)
		for k := range pt {
			pt[k] = 0.5 + 99.5*rng.Float64()
			y[k] = 0.4 * (2*rng.Float64() - 1)
			phi[k] = 1 + 0.4*(2*rng.Float64()-1)
			pid[k] = pids[rng.IntN(len(pids))]
		}
		j.Append(pt, y, phi, pid, int8(i%2), 1)
	}
	return j
}

// ToyNeighbors returns a NeighborBatch for nq queries that holds every
// summary plan.Needs asks for, consistent with one synthetic reference set
// per query (40 jets at random distances, random labels, unit weights):
// counts within each radius, the k nearest (with ties to the k-th),
// Gaussian sums and the radius list. Distances spread over twice the
// largest scale of the plan (radii, widths, list radius; 1 if none).
func ToyNeighbors(plan plugin.SmearPlan, nq int, seed uint64) *plugin.NeighborBatch {
	const refs = 40
	rng := rand.New(rand.NewPCG(seed, 0x6e656967))
	need := plan.Needs
	scale := need.ListRadius
	for _, r := range append(append([]float64(nil), need.Radii...), need.GaussianWidths...) {
		scale = math.Max(scale, r)
	}
	if scale <= 0 {
		scale = 1
	}
	b := &plugin.NeighborBatch{
		Integer: true, Radii: need.Radii, GaussianWidths: need.GaussianWidths, ListRadius: need.ListRadius,
		KOffsets: []int{0}, ListOffsets: []int{0},
	}
	for q := 0; q < nq; q++ {
		b.Queries = append(b.Queries, int32(q))
		b.Label = append(b.Label, int8(rng.IntN(2)))
		b.Weight = append(b.Weight, 1)
		ns := make([]plugin.Neighbor, refs)
		var normS, normB float64
		for m := range ns {
			// Round distances so that ties occur.
			d := math.Round(2*scale*rng.Float64()*64) / 64
			ns[m] = plugin.Neighbor{Index: int32(1000 + q*refs + m), Distance: d, Label: int8(rng.IntN(2)), Weight: 1}
			if ns[m].Label == jet.Quark {
				normS++
			} else {
				normB++
			}
		}
		sort.SliceStable(ns, func(x, y int) bool { return ns[x].Distance < ns[y].Distance })
		b.NormS, b.NormB = append(b.NormS, normS), append(b.NormB, normB)
		for _, r := range need.Radii {
			var s, bg float64
			for _, n := range ns {
				if n.Distance <= r {
					s, bg = addClass(s, bg, n)
				}
			}
			b.CountS, b.CountB = append(b.CountS, s), append(b.CountB, bg)
		}
		if k := need.KNearest; k > 0 {
			end := min(k, refs)
			for end < refs && ns[end].Distance == ns[end-1].Distance {
				end++
			}
			b.KList = append(b.KList, ns[:end]...)
		}
		b.KOffsets = append(b.KOffsets, len(b.KList))
		for _, w := range need.GaussianWidths {
			var s, bg float64
			for _, n := range ns {
				g := n.Weight * math.Exp(-n.Distance*n.Distance/(2*w*w))
				if n.Label == jet.Quark {
					s += g
				} else {
					bg += g
				}
			}
			b.GaussS, b.GaussB = append(b.GaussS, s), append(b.GaussB, bg)
		}
		if need.ListRadius > 0 {
			for _, n := range ns {
				if n.Distance <= need.ListRadius {
					b.List = append(b.List, n)
				}
			}
		}
		b.ListOffsets = append(b.ListOffsets, len(b.List))
	}
	return b
}

func addClass(s, b float64, n plugin.Neighbor) (float64, float64) {
	if n.Label == jet.Quark {
		return s + n.Weight, b
	}
	return s, b + n.Weight
}

// ToySamples returns two seeded samples for fitters: "weibull" (300
// draws of a Weibull with shape 2 and scale 1) and "exponential" (200
// draws with unit rate).
func ToySamples(seed uint64) []plugin.Sample {
	rng := rand.New(rand.NewPCG(seed, 0x66697474))
	w := make([]float64, 300)
	for i := range w {
		w[i] = math.Sqrt(-math.Log(1 - rng.Float64()))
	}
	e := make([]float64, 200)
	for i := range e {
		e[i] = rng.ExpFloat64()
	}
	return []plugin.Sample{{Name: "weibull", Values: w}, {Name: "exponential", Values: e}}
}
