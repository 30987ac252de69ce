// Package semd is the built-in metric plugin "semd": the p = 2 spectral
// Energy Mover's Distance of Larkoski and Thaler (arXiv:2305.03751), as
// evaluated by SPECTER (arXiv:2410.05379), with an exact lower-bound
// embedding for pruning. It returns the distance, not its square.
//
// See README.md for the conventions, units and performance.
package semd

import (
	"context"
	"fmt"
	"math"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil"
)

// Version is the plugin version.
const Version = "0.2.0"

// Metric is the semd metric plugin. The zero value is ready to use.
type Metric struct{}

// New returns the semd metric plugin.
func New() *Metric { return &Metric{} }

var spec = plugin.Spec{
	{Name: "beta", Type: plugin.TypeFloat, Default: 1.0, Min: plugin.Bound(1e-3), Max: plugin.Bound(10),
		Doc: "Angular exponent β of the spectral coordinate ω_ij = ΔR_ij^β / β (β = 1: ω = ΔR)."},
	{Name: "normalize", Type: plugin.TypeBool, Default: true,
		Doc: "Use normalised energies z_i = pt_i/Σpt (total weight T = 1, dimensionless SEMD); false uses pt in GeV (SEMD in GeV·ω units) and pads the jet with the smaller total (Σpt)² with an entry of weight T_heavy − T_light at ω = `omega_max`."},
	{Name: "radius", Type: plugin.TypeFloat, Default: 0.4, Min: plugin.Bound(1e-6), Max: plugin.Bound(10), Unit: "ΔR (rapidity–azimuth plane, rad)",
		Doc: "Jet radius R; only sets the default of `omega_max` = R^β/β."},
	{Name: "omega_max", Type: plugin.TypeFloat, Min: plugin.Bound(0), Unit: "ω = ΔR^β/β (dimensionless)",
		Doc: "Position ω of the padding entry for unequal totals (normalize = false only); default R^β/β with R = `radius` (0.4 for β = 1, 0.08 for β = 2)."},
	{Name: "bound_bins", Type: plugin.TypeInt, Default: int64(1024), Min: plugin.Bound(1), Max: plugin.Bound(4096),
		Doc: "Number K of equal bins of cumulative spectral weight averaged in the lower-bound embedding used to prune exact evaluations (dimension K, 8K bytes per jet; normalised energies only). Larger K gives tighter bounds: on 20 000 Pythia jets K = 16 leaves 46% of the pairs to the exact merge, K = 1024 0.9% (8× faster)."},
}

const doc = `The p = 2 spectral EMD (SEMD) between jets A and B is the L2 distance
between the quantile functions Q_A, Q_B of their spectral functions:
SEMD² = ∫_0^T (Q_A(t) − Q_B(t))² dt. A jet's spectral function has an entry
of weight Σ E_i² at ω = 0 and one of weight 2 E_i E_j at ω_ij = ΔR_ij^β/β per
pair (ΔR in the rapidity–azimuth plane, Δφ wrapped into [−π, π]); its total
weight is T = (Σ E_i)².

**The plugin returns SEMD, the distance, not SEMD² (which SPECTER returns).**
With ` + "`normalize: true`" + ` (default) E_i = pt_i/Σpt, T = 1 and SEMD is
dimensionless (in units of ω; for β = 1, of ΔR). With ` + "`normalize: false`" + `
E_i = pt_i in GeV and SEMD is in GeV (times ω units); the jet with the smaller
T gets one extra entry of weight T_heavy − T_light at ω = ` + "`omega_max`" + `
(default R^β/β), sorted into place.

Exact: each jet's spectrum is built and sorted once; each pair is a direct
sweep over the merged breakpoints summing step·(ω_A − ω_B)² (no cancellation),
branch-free and split into four interleaved chains. Matches the reference
values to ~1e-13.

Lower bound (capability ` + "`lower-bound`" + `): averaging Q over K equal bins
of t (` + "`bound_bins`" + `) is an orthogonal projection, so with
v = sqrt(T/K)·(bin averages) and r = ‖Q − bin-average step function‖,
|v_A − v_B| ≤ SEMD(A, B) ≤ |v_A − v_B| + r_A + r_B. Offered when every jet has
the same T (always with normalised energies); with GeV energies and unequal
totals LowerBound returns an error, because the padding entry depends on the
pair and no pair-independent embedding gives both inequalities.`

// Info describes the plugin.
func (*Metric) Info() plugin.Info {
	return plugin.Info{
		Kind:         plugin.KindMetric,
		Name:         "semd",
		Version:      Version,
		APIVersion:   plugin.APIVersion,
		Summary:      "p = 2 spectral EMD (Larkoski–Thaler, SPECTER): exact, fast, with a lower-bound embedding",
		Doc:          doc,
		Params:       spec,
		Capabilities: []string{plugin.CapExact, plugin.CapLowerBound},
	}
}

// Options are the resolved parameters of a semd Space.
type Options struct {
	Beta      float64 // ω = ΔR^β/β
	Normalize bool    // z_i weights (T = 1) rather than GeV
	OmegaMax  float64 // padding position for unequal totals
	BoundBins int     // K of the lower-bound embedding
}

// options resolves and checks the parameters.
func options(p plugin.Params) (Options, error) {
	full, err := spec.Resolve(metricutil.OwnParams(p))
	if err != nil {
		return Options{}, err
	}
	o := Options{
		Beta:      full.Float("beta"),
		Normalize: full.Bool("normalize"),
		BoundBins: full.Int("bound_bins"),
	}
	if !(o.Beta > 0) || math.IsInf(o.Beta, 0) {
		return Options{}, &plugin.ParamError{Param: "beta", Msg: fmt.Sprintf("must be a finite number > 0, got %v", o.Beta)}
	}
	if full.Has("omega_max") {
		o.OmegaMax = full.Float("omega_max")
	} else {
		r := full.Float("radius")
		o.OmegaMax = math.Pow(r, o.Beta) / o.Beta
	}
	if math.IsInf(o.OmegaMax, 0) || math.IsNaN(o.OmegaMax) || o.OmegaMax < 0 {
		return Options{}, &plugin.ParamError{Param: "omega_max", Msg: fmt.Sprintf("must be a finite number >= 0, got %v", o.OmegaMax)}
	}
	return o, nil
}

// Prepare builds and sorts the spectral function of every jet once. Jets
// must be valid (jet.Jets.Validate): an empty jet or a non-finite or
// non-positive pt is an error naming the jet.
func (*Metric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	o, err := options(req.Params)
	if err != nil {
		return nil, err
	}
	if err := metricutil.CheckJets("semd", req.Jets); err != nil {
		return nil, err
	}
	return NewSpace(ctx, req.Jets, o)
}
