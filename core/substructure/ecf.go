package substructure

import (
	"fmt"
	"math"
)

// ECF returns the normalised energy correlation functions of the jet with
// angular exponent β, in fjcontrib's convention (EnergyCorrelator 1.3.1,
// pt_R measure; EnergyCorrelatorGeneralized(-1, N, β)), sums over
// unordered pairs and triples:
//
//	e2 = Σ_{i<j} z_i z_j ΔR_ij^β
//	e3 = Σ_{i<j<k} z_i z_j z_k (ΔR_ij ΔR_ik ΔR_jk)^β
//
// with z_i = pt_i / Σ_k pt_k and ΔR in (rapidity, azimuth). Both are
// dimensionless. EnergyFlow's EFP-based C2 and D2 sum over ordered tuples
// (e2 twice, e3 six times as large): see C2 and D2. e2 costs O(n²), e3
// O(n³/6).
func (j *Jet) ECF(beta float64) (e2, e3 float64, err error) {
	return j.ecf(beta, true)
}

// E2 returns e2 only (see ECF), in O(n²).
func (j *Jet) E2(beta float64) (float64, error) {
	e2, _, err := j.ecf(beta, false)
	return e2, err
}

// C2 returns e3 / e2² and D2 returns e3 / e2³ (fjcontrib EnergyCorrelatorC2
// and EnergyCorrelatorD2). They are undefined when e2 = 0 (one
// constituent, or all constituents at the same point); ok is false then
// and the value is 0.
func C2(e2, e3 float64) (c2 float64, ok bool) {
	if e2 == 0 {
		return 0, false
	}
	return e3 / (e2 * e2), true
}

// D2 returns e3 / e2³; see C2.
func D2(e2, e3 float64) (d2 float64, ok bool) {
	if e2 == 0 {
		return 0, false
	}
	return e3 / (e2 * e2 * e2), true
}

func (j *Jet) ecf(beta float64, third bool) (e2, e3 float64, err error) {
	if !(beta > 0) || math.IsInf(beta, 0) {
		return 0, 0, fmt.Errorf("substructure: energy correlation beta = %v must be finite and > 0", beta)
	}
	n := len(j.p)
	d2 := j.deltaR2()
	j.dpow = grow(j.dpow, n*n+n)
	d, z := j.dpow[:n*n], j.dpow[n*n:]
	sum := 0.0
	for i, p := range j.p {
		z[i] = p.pt()
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
	switch beta {
	case 1:
		for i, v := range d2 {
			d[i] = math.Sqrt(v)
		}
	case 2:
		copy(d, d2)
	default:
		for i, v := range d2 {
			d[i] = math.Pow(v, beta/2)
		}
	}
	for a := 0; a < n; a++ {
		za := z[a]
		ra := d[a*n : a*n+n]
		for b := a + 1; b < n; b++ {
			w := za * z[b] * ra[b]
			e2 += w
			if !third || w == 0 {
				continue
			}
			rb := d[b*n : b*n+n]
			s := 0.0
			for k := b + 1; k < n; k++ {
				s += z[k] * ra[k] * rb[k]
			}
			e3 += w * s
		}
	}
	return e2, e3, nil
}
