package expert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/smearflow/smearflow/core/substructure"
)

// needs is the set of computations a column requires.
type needs uint32

const (
	needMass needs = 1 << iota
	needPTD
	needGirth
	needE2b1
	needE2b2
	needE3b1
	needE3b2
	needWTA
	needOKT
	needOWTA
	needSD
)

// Degeneracy flags (bits of the optional "degenerate" column). Each bit is
// set only when a column it concerns is in the table.
const (
	// FlagSingle: the jet has one constituent (pTD = 1, girth = 0, e2 =
	// e3 = 0, every τ_N = 0, soft drop keeps the particle).
	FlagSingle = 1 << iota
	// FlagTau2Trivial: n_const <= 2, so τ2 = 0 by fjcontrib's convention
	// (no axes are needed to resolve every particle).
	FlagTau2Trivial
	// FlagTau3Trivial: n_const <= 3, so τ3 = 0.
	FlagTau3Trivial
	// FlagTauRatio: a τ ratio had a zero denominator (τ1 = 0 or τ2 = 0)
	// and was set to 0 (fjcontrib gives 0/0 = NaN).
	FlagTauRatio
	// FlagE2Zero: e2 = 0 for some β (one constituent, or all at one
	// point), so C2 = D2 = 0 were set (fjcontrib gives NaN).
	FlagE2Zero
	// FlagSoftDropFailed: no splitting passed the soft-drop condition for
	// some β: the groomed jet is one constituent and z_g = ΔR_g = 0
	// (fjcontrib reports -1 for both).
	FlagSoftDropFailed
)

// jetResult holds everything computed for one jet.
type jetResult struct {
	n                    int
	pt, y, phi, mass     float64
	sumPt, ptd, girth    float64
	e2, e3, c2, d2       [2]float64 // β = 1, 2
	wta, wtaN, okt, owta [3]float64 // τ1..τ3
	wtaR, oktR, owtaR    [2]float64 // τ21, τ32
	sd                   []substructure.SoftDropResult
	flags                uint32
}

// colDef is one output column.
type colDef struct {
	name, unit, doc string
	needs           needs
	sd              int // soft-drop index, -1 for none
	get             func(r *jetResult) float64
}

// sdName formats a soft-drop parameter for a column name: 0 → "0",
// 0.1 → "0p1", -1 → "m1".
func sdName(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	s = strings.ReplaceAll(s, ".", "p")
	return strings.ReplaceAll(s, "-", "m")
}

// catalogue lists every column available with the given soft-drop
// parameters, in the order of the "all" set.
func catalogue(betas []float64, zcut float64) []colDef {
	c := []colDef{
		{name: "n_const", doc: "number of constituents", get: func(r *jetResult) float64 { return float64(r.n) }},
		{name: "pt", unit: "GeV", doc: "transverse momentum of the E-scheme jet", get: func(r *jetResult) float64 { return r.pt }},
		{name: "y", doc: "rapidity of the E-scheme jet", get: func(r *jetResult) float64 { return r.y }},
		{name: "phi", unit: "rad", doc: "azimuth of the E-scheme jet in [0, 2π)", get: func(r *jetResult) float64 { return r.phi }},
		{name: "mass", unit: "GeV", needs: needMass, doc: "invariant mass of the E-scheme jet", get: func(r *jetResult) float64 { return r.mass }},
		{name: "sum_pt", unit: "GeV", doc: "scalar sum of constituent pt", get: func(r *jetResult) float64 { return r.sumPt }},
		{name: "pTD", needs: needPTD, doc: "sqrt(Σ z_i²)", get: func(r *jetResult) float64 { return r.ptd }},
		{name: "girth", needs: needGirth, doc: "Σ z_i ΔR(i, jet axis)", get: func(r *jetResult) float64 { return r.girth }},
	}
	for k, b := range []string{"b1", "b2"} {
		c = append(c,
			colDef{name: "e2_" + b, needs: needE2b1 << k, doc: "Σ_{i<j} z_i z_j ΔR_ij^β", get: func(r *jetResult) float64 { return r.e2[k] }},
			colDef{name: "e3_" + b, needs: needE3b1 << k, doc: "Σ_{i<j<k} z_i z_j z_k (ΔR_ij ΔR_ik ΔR_jk)^β", get: func(r *jetResult) float64 { return r.e3[k] }},
			colDef{name: "C2_" + b, needs: needE3b1 << k, doc: "e3 / e2²", get: func(r *jetResult) float64 { return r.c2[k] }},
			colDef{name: "D2_" + b, needs: needE3b1 << k, doc: "e3 / e2³", get: func(r *jetResult) float64 { return r.d2[k] }},
		)
	}
	for k := 0; k < 3; k++ {
		c = append(c, colDef{name: fmt.Sprintf("tau%d_wta_unnorm_b1", k+1), unit: "GeV", needs: needWTA,
			doc: "τ_N, WTA kt axes, unnormalised: Σ pt_i min ΔR", get: func(r *jetResult) float64 { return r.wta[k] }})
	}
	for k := 0; k < 3; k++ {
		c = append(c, colDef{name: fmt.Sprintf("tau%d_wta_b1", k+1), needs: needWTA,
			doc: "τ_N, WTA kt axes, normalised by Σ pt_i R", get: func(r *jetResult) float64 { return r.wtaN[k] }})
	}
	ratios := func(tag string, nd needs, v func(r *jetResult) *[2]float64) {
		c = append(c,
			colDef{name: "tau21_" + tag + "_b1", needs: nd, doc: "τ2/τ1", get: func(r *jetResult) float64 { return v(r)[0] }},
			colDef{name: "tau32_" + tag + "_b1", needs: nd, doc: "τ3/τ2", get: func(r *jetResult) float64 { return v(r)[1] }})
	}
	ratios("wta", needWTA, func(r *jetResult) *[2]float64 { return &r.wtaR })
	for _, g := range []struct {
		tag string
		nd  needs
		doc string
		v   func(r *jetResult) *[3]float64
		rv  func(r *jetResult) *[2]float64
	}{
		{"okt", needOKT, "one-pass-minimised kt axes", func(r *jetResult) *[3]float64 { return &r.okt }, func(r *jetResult) *[2]float64 { return &r.oktR }},
		{"owta", needOWTA, "one-pass-minimised WTA kt axes", func(r *jetResult) *[3]float64 { return &r.owta }, func(r *jetResult) *[2]float64 { return &r.owtaR }},
	} {
		for k := 0; k < 3; k++ {
			c = append(c, colDef{name: fmt.Sprintf("tau%d_%s_b1", k+1, g.tag), needs: g.nd,
				doc: "τ_N, " + g.doc + ", normalised", get: func(r *jetResult) float64 { return g.v(r)[k] }})
		}
		ratios(g.tag, g.nd, g.rv)
	}
	for k := range c {
		c[k].sd = -1
	}
	z := "_z" + sdName(zcut)
	for i, b := range betas {
		p := "sd_b" + sdName(b)
		c = append(c,
			colDef{name: p + z + "_mass", unit: "GeV", needs: needSD, sd: i, doc: "soft-drop groomed mass", get: func(r *jetResult) float64 { return r.sd[i].Mass }},
			colDef{name: p + z + "_pt", unit: "GeV", needs: needSD, sd: i, doc: "soft-drop groomed pt", get: func(r *jetResult) float64 { return r.sd[i].Pt }},
			colDef{name: p + "_zg", needs: needSD, sd: i, doc: "soft-drop z_g", get: func(r *jetResult) float64 { return r.sd[i].Zg }},
			colDef{name: p + "_Rg", needs: needSD, sd: i, doc: "soft-drop ΔR_g", get: func(r *jetResult) float64 { return r.sd[i].Rg }},
		)
	}
	return c
}

// xaugColumns is the default set for taggers (see README.md): the first
// soft-drop β gives the groomed columns.
func xaugColumns(betas []float64, zcut float64) []string {
	names := []string{"n_const", "mass", "pTD", "girth", "tau21_wta_b1", "tau32_wta_b1", "C2_b1", "D2_b1"}
	if len(betas) > 0 {
		p := "sd_b" + sdName(betas[0])
		names = append(names, p+"_z"+sdName(zcut)+"_mass", p+"_zg", p+"_Rg")
	}
	return names
}
