// Package observable is the built-in metric plugin "observable": the
// distance |O(a) − O(b)| between jets for one per-jet observable O (mass,
// multiplicity, width, pT_D or an angularity), the cheap baseline against
// which the energy-flow metrics are compared.
//
// See README.md for conventions and units.
package observable

import (
	"github.com/smearflow/smearflow/core/jetobs"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/metrics/metricutil"
)

// Version is the plugin version.
const Version = "0.1.0"

// Metric is the observable metric plugin. The zero value is ready to use.
type Metric struct{}

// New returns the observable metric plugin.
func New() *Metric { return &Metric{} }

// Observable names.
const (
	Mass         = "mass"
	Multiplicity = "multiplicity"
	Width        = "width"
	PtD          = "ptd"
	Angularity   = "angularity"
)

var spec = plugin.Spec{
	{Name: "observable", Type: plugin.TypeString, Required: true,
		Enum: []string{Mass, Multiplicity, Width, PtD, Angularity},
		Doc:  "The per-jet observable O; the distance is |O(a) − O(b)| (GeV for mass, a count for multiplicity, dimensionless otherwise)."},
	{Name: "massive", Type: plugin.TypeBool, Default: true,
		Doc: "Give constituents their PDG mass from the pid (unknown pids are an error) rather than treating them as massless; used by `mass` and by the `e_scheme` axis."},
	{Name: "axis", Type: plugin.TypeString, Default: string(jetobs.PtCentroid), Enum: []string{string(jetobs.PtCentroid), string(jetobs.EScheme)},
		Doc: "Jet axis for `width` and `angularity`: the pt-weighted (y, φ) centroid, or the (y, φ) of the E-scheme four-vector sum (FastJet's jet axis)."},
	{Name: "a", Type: plugin.TypeFloat, Default: 0.5, Min: plugin.Bound(1e-3), Max: plugin.Bound(10),
		Doc: "Exponent a of the angularity λ_a = Σ z_i (ΔR_i/R)^a (0.5: Les Houches angularity; 1: width/R; 2: ~ mass²/(pt R)²)."},
	{Name: "radius", Type: plugin.TypeFloat, Default: 0.4, Min: plugin.Bound(1e-6), Max: plugin.Bound(10), Unit: "ΔR (rapidity–azimuth plane, rad)",
		Doc: "Jet radius R normalising ΔR in the angularity."},
}

const doc = `The distance between two jets is |O(a) − O(b)| for one per-jet observable:

* ` + "`mass`" + `: invariant mass of the constituents' four-vector sum, in GeV (PDG
  masses from the pid with ` + "`massive: true`" + `, massless otherwise);
* ` + "`multiplicity`" + `: number of constituents;
* ` + "`width`" + `: girth Σ_i z_i ΔR(i, axis), z_i = pt_i/Σpt;
* ` + "`ptd`" + `: pT_D = sqrt(Σ_i z_i²);
* ` + "`angularity`" + `: λ_a = Σ_i z_i (ΔR(i, axis)/R)^a.

ΔR is measured in the (rapidity, azimuth) plane with Δφ wrapped into [−π, π],
about the pt-weighted centroid (default) or the E-scheme axis. The observable
is computed once per jet; distances are exact. Capability ` + "`lower-bound`" + `:
the one-dimensional embedding v_i = O(i) with zero residual reproduces the
distance exactly, so the host can prune with it without any loss.`

// Info describes the plugin.
func (*Metric) Info() plugin.Info {
	return plugin.Info{
		Kind:         plugin.KindMetric,
		Name:         "observable",
		Version:      Version,
		APIVersion:   plugin.APIVersion,
		Summary:      "|O(a) − O(b)| for one jet observable (mass, multiplicity, width, pT_D, angularity)",
		Doc:          doc,
		Params:       spec,
		Capabilities: []string{plugin.CapExact, plugin.CapLowerBound},
	}
}

// Options are the resolved parameters.
type Options struct {
	Observable string
	Massive    bool
	Axis       jetobs.AxisKind
	A, Radius  float64
}

func options(p plugin.Params) (Options, error) {
	full, err := spec.Resolve(metricutil.OwnParams(p))
	if err != nil {
		return Options{}, err
	}
	return Options{
		Observable: full.String("observable"),
		Massive:    full.Bool("massive"),
		Axis:       jetobs.AxisKind(full.String("axis")),
		A:          full.Float("a"),
		Radius:     full.Float("radius"),
	}, nil
}
