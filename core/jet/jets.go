package jet

import (
	"fmt"
	"math"
	"sort"
)

// Labels used throughout smearflow.
const (
	// Gluon is the background label (0).
	Gluon int8 = 0
	// Quark is the signal label (1).
	Quark int8 = 1
)

// Jets is a columnar batch of jets. The zero value is an empty batch ready
// for Append.
type Jets struct {
	// Offsets has Len()+1 entries; jet i owns particles Offsets[i]:Offsets[i+1].
	Offsets []int
	// Particle columns, one entry per particle.
	Pt  []float64 // transverse momentum [GeV]
	Y   []float64 // rapidity
	Phi []float64 // azimuth [rad]; not necessarily wrapped
	PID []int32   // PDG id (0 when unknown)

	// Per-jet columns, one entry per jet.
	Label  []int8    // Quark (1) or Gluon (0)
	Weight []float64 // event weight, 1 by default

	// Aux holds optional extra per-jet columns (for example "event" or
	// "source_index"); every column has Len() entries.
	Aux map[string][]float64

	// Meta holds dataset-level metadata (source files, generator settings).
	Meta map[string]string
}

// View is one jet of a Jets batch. Its slices alias the batch's columns.
type View struct {
	Index  int
	Pt     []float64
	Y      []float64
	Phi    []float64
	PID    []int32
	Label  int8
	Weight float64
}

// Len reports the number of jets.
func (j *Jets) Len() int {
	if j == nil || len(j.Offsets) == 0 {
		return 0
	}
	return len(j.Offsets) - 1
}

// NumParticles reports the total number of particles in the batch.
func (j *Jets) NumParticles() int { return len(j.Pt) }

// Multiplicity reports the number of particles of jet i.
func (j *Jets) Multiplicity(i int) int { return j.Offsets[i+1] - j.Offsets[i] }

// Jet returns a view of jet i.
func (j *Jets) Jet(i int) View {
	a, b := j.Offsets[i], j.Offsets[i+1]
	return View{
		Index: i, Pt: j.Pt[a:b], Y: j.Y[a:b], Phi: j.Phi[a:b], PID: j.PID[a:b],
		Label: j.Label[i], Weight: j.Weight[i],
	}
}

// Append adds one jet. pid may be nil (all zero). The slices are copied.
func (j *Jets) Append(pt, y, phi []float64, pid []int32, label int8, weight float64) {
	if len(j.Offsets) == 0 {
		j.Offsets = append(j.Offsets, 0)
	}
	j.Pt = append(j.Pt, pt...)
	j.Y = append(j.Y, y...)
	j.Phi = append(j.Phi, phi...)
	if pid == nil {
		for range pt {
			j.PID = append(j.PID, 0)
		}
	} else {
		j.PID = append(j.PID, pid...)
	}
	j.Offsets = append(j.Offsets, len(j.Pt))
	j.Label = append(j.Label, label)
	j.Weight = append(j.Weight, weight)
}

// AppendView appends a copy of v.
func (j *Jets) AppendView(v View) { j.Append(v.Pt, v.Y, v.Phi, v.PID, v.Label, v.Weight) }

// Subset returns a new batch holding copies of the jets with the given
// indices, in that order. Aux columns follow; Meta is copied.
func (j *Jets) Subset(idx []int) *Jets {
	out := &Jets{Offsets: make([]int, 1, len(idx)+1)}
	n := 0
	for _, i := range idx {
		n += j.Multiplicity(i)
	}
	out.Pt = make([]float64, 0, n)
	out.Y = make([]float64, 0, n)
	out.Phi = make([]float64, 0, n)
	out.PID = make([]int32, 0, n)
	out.Label = make([]int8, 0, len(idx))
	out.Weight = make([]float64, 0, len(idx))
	for _, i := range idx {
		out.AppendView(j.Jet(i))
	}
	if len(j.Aux) > 0 {
		out.Aux = make(map[string][]float64, len(j.Aux))
		for k, col := range j.Aux {
			c := make([]float64, len(idx))
			for r, i := range idx {
				c[r] = col[i]
			}
			out.Aux[k] = c
		}
	}
	out.Meta = copyMeta(j.Meta)
	return out
}

// Concat appends all jets of o to j. Aux columns present in either batch
// are kept; missing values are filled with NaN.
func (j *Jets) Concat(o *Jets) {
	n0 := j.Len()
	for i := 0; i < o.Len(); i++ {
		j.AppendView(o.Jet(i))
	}
	if len(j.Aux) == 0 && len(o.Aux) == 0 {
		return
	}
	if j.Aux == nil {
		j.Aux = map[string][]float64{}
	}
	for k := range j.Aux {
		if _, ok := o.Aux[k]; !ok {
			for i := 0; i < o.Len(); i++ {
				j.Aux[k] = append(j.Aux[k], math.NaN())
			}
		}
	}
	for k, col := range o.Aux {
		mine, ok := j.Aux[k]
		if !ok {
			mine = make([]float64, n0)
			for i := range mine {
				mine[i] = math.NaN()
			}
		}
		j.Aux[k] = append(mine, col...)
	}
	for k, v := range o.Meta {
		if j.Meta == nil {
			j.Meta = map[string]string{}
		}
		if _, ok := j.Meta[k]; !ok {
			j.Meta[k] = v
		}
	}
}

// Clone returns a deep copy.
func (j *Jets) Clone() *Jets {
	idx := make([]int, j.Len())
	for i := range idx {
		idx[i] = i
	}
	return j.Subset(idx)
}

// CountLabels returns the number of quark and gluon jets.
func (j *Jets) CountLabels() (quarks, gluons int) {
	for _, l := range j.Label {
		if l == Quark {
			quarks++
		} else {
			gluons++
		}
	}
	return
}

// SortByPt reorders the particles of every jet by decreasing pt (stable).
func (j *Jets) SortByPt() {
	for i := 0; i < j.Len(); i++ {
		a, b := j.Offsets[i], j.Offsets[i+1]
		s := particleSorter{j: j, a: a, n: b - a}
		sort.Stable(s)
	}
}

type particleSorter struct {
	j    *Jets
	a, n int
}

func (s particleSorter) Len() int           { return s.n }
func (s particleSorter) Less(x, y int) bool { return s.j.Pt[s.a+x] > s.j.Pt[s.a+y] }
func (s particleSorter) Swap(x, y int) {
	x, y = s.a+x, s.a+y
	j := s.j
	j.Pt[x], j.Pt[y] = j.Pt[y], j.Pt[x]
	j.Y[x], j.Y[y] = j.Y[y], j.Y[x]
	j.Phi[x], j.Phi[y] = j.Phi[y], j.Phi[x]
	j.PID[x], j.PID[y] = j.PID[y], j.PID[x]
}

// String summarises the batch.
func (j *Jets) String() string {
	q, g := j.CountLabels()
	return fmt.Sprintf("%d jets (%d quark, %d gluon), %d particles", j.Len(), q, g, j.NumParticles())
}

func copyMeta(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
