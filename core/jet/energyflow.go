package jet

import "fmt"

// EnergyFlow is the EnergyFlow quark/gluon array layout: X has shape
// (N, M, 4) in C order with columns (pt, y, phi, pid), rows with pt == 0 are
// padding; Y holds one label per jet (1 = quark).
type EnergyFlow struct {
	X    []float64
	N, M int
	Y    []float64
}

// ToEnergyFlow converts the batch to the EnergyFlow layout, zero-padded to
// the largest multiplicity (at least 1).
func (j *Jets) ToEnergyFlow() EnergyFlow {
	n := j.Len()
	m := 1
	for i := 0; i < n; i++ {
		if k := j.Multiplicity(i); k > m {
			m = k
		}
	}
	ef := EnergyFlow{X: make([]float64, n*m*4), N: n, M: m, Y: make([]float64, n)}
	for i := 0; i < n; i++ {
		v := j.Jet(i)
		for p := range v.Pt {
			row := ef.X[(i*m+p)*4 : (i*m+p)*4+4]
			row[0], row[1], row[2], row[3] = v.Pt[p], v.Y[p], v.Phi[p], float64(v.PID[p])
		}
		ef.Y[i] = float64(v.Label)
	}
	return ef
}

// FromEnergyFlow converts the EnergyFlow layout to jets. Rows with pt == 0
// are padding and are dropped wherever they occur. Labels must be 0 or 1;
// every weight is 1. The result is not validated (call Validate).
func FromEnergyFlow(ef EnergyFlow) (*Jets, error) {
	if len(ef.X) != ef.N*ef.M*4 {
		return nil, fmt.Errorf("energyflow: X has %d values, want N*M*4 = %d*%d*4", len(ef.X), ef.N, ef.M)
	}
	if len(ef.Y) != ef.N {
		return nil, fmt.Errorf("energyflow: %d labels for %d jets", len(ef.Y), ef.N)
	}
	j := &Jets{Offsets: make([]int, 1, ef.N+1)}
	for i := 0; i < ef.N; i++ {
		lab := ef.Y[i]
		if lab != 0 && lab != 1 {
			return nil, fmt.Errorf("energyflow: jet %d: label %v is neither 0 nor 1", i, lab)
		}
		for p := 0; p < ef.M; p++ {
			row := ef.X[(i*ef.M+p)*4 : (i*ef.M+p)*4+4]
			if row[0] == 0 {
				continue
			}
			j.Pt = append(j.Pt, row[0])
			j.Y = append(j.Y, row[1])
			j.Phi = append(j.Phi, row[2])
			j.PID = append(j.PID, int32(row[3]))
		}
		j.Offsets = append(j.Offsets, len(j.Pt))
		j.Label = append(j.Label, int8(lab))
		j.Weight = append(j.Weight, 1)
	}
	return j, nil
}
