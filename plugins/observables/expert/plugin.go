// Package expert is the built-in observables plugin "expert": the expert
// (XAUG) jet variables of Agarwal et al. (arXiv:2011.13466) — mass,
// multiplicity, pT_D, girth, N-subjettiness, energy correlation functions
// and soft drop — computed with FastJet 3.4 / fjcontrib 1.051 conventions
// by core/substructure and core/jetobs, one table row per jet.
//
// See README.md for every column's definition and the conventions.
package expert

import (
	"context"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// Version is the plugin version.
const Version = "0.1.0"

// Expert is the expert-variables plugin. The zero value is ready to use.
type Expert struct{}

// New returns the expert observables plugin.
func New() *Expert { return &Expert{} }

var spec = plugin.Spec{
	{Name: "set", Type: plugin.TypeString, Default: "xaug", Enum: []string{"xaug", "all"},
		Doc: "Column set: `xaug` (default subset for taggers: n_const, mass, pTD, girth, tau21_wta_b1, tau32_wta_b1, C2_b1, D2_b1 and the groomed mass, z_g and ΔR_g of the first soft-drop β) or `all` (every column). Ignored when `columns` is given."},
	{Name: "columns", Type: plugin.TypeStringList, Default: []string{},
		Doc: "Explicit list of columns, in output order (names as in reference/substructure, e.g. `mass`, `tau21_okt_b1`, `sd_b0_z0p1_mass`); overrides `set`. `jet_index` always comes first."},
	{Name: "radius", Type: plugin.TypeFloat, Default: 0.4, Min: plugin.Bound(1e-3), Max: plugin.Bound(10), Unit: "ΔR (rapidity–azimuth)",
		Doc: "Jet radius R: the R0 of the normalised N-subjettiness measure (Σ pt_i R0) and of the soft-drop condition (ΔR12/R0)^β."},
	{Name: "massive", Type: plugin.TypeBool, Default: true,
		Doc: "Give every constituent the PDG mass of its pid (an unknown pid is an error); false makes every constituent massless. Affects mass, y, girth and the groomed masses."},
	{Name: "zcut", Type: plugin.TypeFloat, Default: 0.1, Min: plugin.Bound(0), Max: plugin.Bound(0.5),
		Doc: "Soft-drop z_cut: a splitting passes when min(pt1, pt2)/(pt1 + pt2) > z_cut (ΔR12/R0)^β."},
	{Name: "beta", Type: plugin.TypeFloatList, Default: []float64{0, 1}, Min: plugin.Bound(0), Max: plugin.Bound(10),
		Doc: "Soft-drop angular exponents β, one group of columns each (sd_b<β>_z<zcut>_mass, _pt, sd_b<β>_zg, _Rg); β = 0 is the mMDT. Values must be distinct."},
	{Name: "flags", Type: plugin.TypeBool, Default: false,
		Doc: "Add the `degenerate` column: a bitmask of the degenerate cases met by the jet (1 one constituent, 2 τ2 trivially 0, 4 τ3 trivially 0, 8 a τ ratio with zero denominator set to 0, 16 e2 = 0 so C2 = D2 = 0, 32 soft drop found no passing splitting). Off by default so that taggers reading every column do not see it as a feature."},
}

const doc = `Expert (XAUG) jet variables, one row per jet in input order, computed
with FastJet 3.4.0 / fjcontrib 1.051 conventions (checked against
reference/substructure to 1e-12 or better):

- jet kinematics of the E-scheme constituent sum: ` + "`pt, y, phi, mass`" + ` (PDG
  masses from pid, or massless), ` + "`n_const`, `sum_pt`" + `;
- ` + "`pTD`" + ` = sqrt(Σ z_i²), ` + "`girth`" + ` = Σ z_i ΔR(i, jet axis), z_i = pt_i/Σ pt;
- N-subjettiness τ1, τ2, τ3 (β = 1) with winner-take-all exclusive-kt axes
  (unnormalised, GeV: ` + "`tau1_wta_unnorm_b1`" + `; normalised: ` + "`tau1_wta_b1`" + `), and
  normalised with fjcontrib's one-pass minimised axes (` + "`okt`, `owta`" + `), and
  the ratios τ21, τ32;
- energy correlation functions e2, e3 (fjcontrib i<j<k sums, pt_R
  measure) and C2 = e3/e2², D2 = e3/e2³ for β = 1 and 2 (EnergyFlow's
  C2 and D2 are 1.5× and 0.75× these);
- soft drop (Cambridge/Aachen declustering, z_cut, β, R0 = radius):
  groomed mass and pt, z_g, ΔR_g.

Angles are ΔR in rapidity and azimuth with Δφ wrapped. Degenerate jets
never give NaN: τ_N = 0 when n_const <= N, undefined ratios are 0, z_g =
ΔR_g = 0 when soft drop finds no passing splitting (fjcontrib: -1); the
optional ` + "`degenerate`" + ` column says which case occurred. Jets are processed in
parallel on all cores; the table does not depend on the number of cores.`

// Info describes the plugin.
func (*Expert) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindObservables,
		Name:       "expert",
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "expert (XAUG) jet variables: mass, multiplicity, pT_D, girth, N-subjettiness, ECFs (C2, D2), soft drop",
		Doc:        doc,
		Params:     spec,
	}
}

// OptionsFromParams converts parameters (or raw ones, which are resolved
// against the spec first) into Options.
func OptionsFromParams(params plugin.Params) (Options, error) {
	p, err := spec.Resolve(params)
	if err != nil {
		return Options{}, err
	}
	return Options{
		Set:     p.String("set"),
		Columns: p.Strings("columns"),
		Radius:  p.Float("radius"),
		Massive: p.Bool("massive"),
		ZCut:    p.Float("zcut"),
		Betas:   p.Floats("beta"),
		Flags:   p.Bool("flags"),
	}, nil
}

// Compute returns the table of the chosen columns for req.Jets: a
// jet_index column, then the columns in order (see ComputeTable).
func (*Expert) Compute(ctx context.Context, req plugin.ObservablesRequest) (*table.Table, error) {
	opt, err := OptionsFromParams(req.Params)
	if err != nil {
		return nil, err
	}
	return ComputeTable(ctx, req.Jets, opt)
}

var _ plugin.Observables = (*Expert)(nil)
