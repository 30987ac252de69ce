package substructure

import (
	"fmt"
	"math"
)

// SoftDropResult is the outcome of soft-drop grooming.
type SoftDropResult struct {
	// Mass [GeV] and Pt [GeV] of the groomed jet; Y and Phi ([0, 2π)) its
	// rapidity and azimuth: FastJet's m(), perp(), rap() and phi() of the
	// Cambridge/Aachen node, except that a groomed jet of one constituent
	// has exactly that constituent's mass (see Jet.Mass).
	Mass, Pt, Y, Phi float64
	// Zg = min(pt1, pt2)/(pt1 + pt2) and Rg = ΔR12 at the first splitting
	// that passed; both 0 when none passed.
	Zg, Rg float64
	// Passed is false when no splitting passed the condition: the jet was
	// groomed down to a single constituent (fjcontrib's grooming mode
	// returns that constituent).
	Passed bool
	// NConst is the number of constituents kept; Dropped the number of
	// declustering steps that failed the condition.
	NConst, Dropped int
}

// SoftDrop grooms the jet as fjcontrib RecursiveTools 2.0 SoftDrop(β,
// z_cut, R0) does in its default configuration: the constituents are
// reclustered with Cambridge/Aachen (R = MaxAllowableR, E-scheme) and the
// tree is declustered from the top, following the branch with the larger
// pt, until a splitting into (1, 2) satisfies
//
//	min(pt1, pt2) / (pt1 + pt2) > z_cut (ΔR12 / R0)^β
//
// (scalar_z symmetry, no mass-drop condition). β >= 0, 0 <= z_cut < 1 and
// R0 > 0.
func (j *Jet) SoftDrop(beta, zcut, r0 float64) (SoftDropResult, error) {
	if !(beta >= 0) || math.IsInf(beta, 0) {
		return SoftDropResult{}, fmt.Errorf("substructure: soft-drop beta = %v must be finite and >= 0", beta)
	}
	if !(zcut >= 0 && zcut < 1) {
		return SoftDropResult{}, fmt.Errorf("substructure: soft-drop z_cut = %v must be in [0, 1)", zcut)
	}
	if !(r0 > 0) || math.IsInf(r0, 0) {
		return SoftDropResult{}, fmt.Errorf("substructure: soft-drop R0 = %v must be finite and > 0", r0)
	}
	h := j.cached(histCA)
	node := h.Final()
	var res SoftDropResult
	invR02 := 1 / (r0 * r0)
	for {
		a, b, ok := h.Parents(node)
		if !ok {
			break
		}
		pa, pb := h.nodes[a], h.nodes[b]
		pt1, pt2 := pa.pt(), pb.pt()
		sym := math.Min(pt1, pt2) / (pt1 + pt2)
		d2 := dist2(pa.rap, pa.phi, pb.rap, pb.phi)
		var cut float64
		switch beta {
		case 0:
			cut = zcut
		case 1:
			cut = zcut * math.Sqrt(d2*invR02)
		default:
			cut = zcut * math.Pow(d2*invR02, 0.5*beta)
		}
		if sym > cut {
			res.Passed, res.Zg, res.Rg = true, sym, math.Sqrt(d2)
			break
		}
		res.Dropped++
		node = a // Parents puts the larger pt² first
	}
	p := h.nodes[node]
	res.Pt, res.Y, res.Phi = p.pt(), p.rap, p.phi
	j.idx = h.Constituents(node, j.idx[:0])
	res.NConst = len(j.idx)
	if res.NConst == 1 {
		res.Mass = j.mass[j.idx[0]]
	} else {
		res.Mass = p.m()
	}
	return res, nil
}
