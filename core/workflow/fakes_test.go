package workflow_test

import (
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
)

// fake is a plugin that only describes itself: enough for the workflow
// package, which never runs plugins.
type fake struct{ info plugin.Info }

func (f fake) Info() plugin.Info { return f.info }

func mk(kind plugin.Kind, name string, params ...plugin.ParamSpec) plugin.Plugin {
	return fake{plugin.Info{Kind: kind, Name: name, Version: "0.1.0", APIVersion: plugin.APIVersion,
		Summary: "test " + name, Params: params}}
}

// registry returns a registry of small fake plugins standing in for the
// built-ins.
func registry() *plugin.Registry {
	reg, err := plugin.NewRegistry(
		mk(plugin.KindReader, "generator",
			plugin.ParamSpec{Name: "quarks", Type: plugin.TypeInt, Default: int64(1000), Min: plugin.Bound(1), Doc: "quark jets"},
			plugin.ParamSpec{Name: "gluons", Type: plugin.TypeInt, Default: int64(1000), Min: plugin.Bound(1), Doc: "gluon jets"},
			plugin.ParamSpec{Name: "pt", Type: plugin.TypeFloat, Default: 500.0, Min: plugin.Bound(0), Unit: "GeV", Doc: "jet pt"},
			plugin.ParamSpec{Name: "radius", Type: plugin.TypeFloat, Default: 0.4, Min: plugin.Bound(0.05), Max: plugin.Bound(2), Doc: "jet radius"},
			plugin.ParamSpec{Name: "tag", Type: plugin.TypeString, Default: "", Doc: "free text"},
		),
		mk(plugin.KindReader, "npz",
			plugin.ParamSpec{Name: "file", Type: plugin.TypePath, Required: true, Doc: "npz file or glob"},
			plugin.ParamSpec{Name: "max_jets", Type: plugin.TypeInt, Default: int64(0), Min: plugin.Bound(0), Doc: "limit"},
		),
		mk(plugin.KindMetric, "semd",
			plugin.ParamSpec{Name: "beta", Type: plugin.TypeFloat, Default: 1.0, Min: plugin.Bound(0), Max: plugin.Bound(2), Doc: "angular exponent"},
			plugin.ParamSpec{Name: "normalize", Type: plugin.TypeBool, Default: false, Doc: "normalise pt"},
		),
		mk(plugin.KindMetric, "emd",
			plugin.ParamSpec{Name: "radius", Type: plugin.TypeFloat, Default: 0.4, Min: plugin.Bound(0), Doc: "R"},
		),
		mk(plugin.KindSmearer, "ball",
			plugin.ParamSpec{Name: "eps", Type: plugin.TypeGrid, Required: true, Min: plugin.Bound(0), Doc: "radii"},
		),
		mk(plugin.KindSmearer, "knn",
			plugin.ParamSpec{Name: "k", Type: plugin.TypeIntList, Default: []int64{1}, Min: plugin.Bound(1), Doc: "neighbours"},
		),
		mk(plugin.KindFitter, "weibull",
			plugin.ParamSpec{Name: "fix_loc", Type: plugin.TypeBool, Default: true, Doc: "location fixed at 0"},
			plugin.ParamSpec{Name: "tolerance", Type: plugin.TypeFloat, Default: 1e-8, Min: plugin.Bound(0), Doc: "tol"},
		),
		mk(plugin.KindFitter, "gev",
			plugin.ParamSpec{Name: "tolerance", Type: plugin.TypeFloat, Default: 1e-6, Min: plugin.Bound(0), Doc: "tol"},
		),
		mk(plugin.KindFitter, "gumbel"),
		mk(plugin.KindObservables, "expert",
			plugin.ParamSpec{Name: "variables", Type: plugin.TypeStringList, Default: []string{"mass", "width"},
				Enum: []string{"mass", "width", "multiplicity"}, Doc: "variables"},
		),
		mk(plugin.KindTagger, "mlp",
			plugin.ParamSpec{Name: "hidden", Type: plugin.TypeIntList, Default: []int64{64, 64}, Min: plugin.Bound(1), Doc: "layer widths"},
			plugin.ParamSpec{Name: "epochs", Type: plugin.TypeInt, Default: int64(10), Min: plugin.Bound(1), Doc: "epochs"},
			plugin.ParamSpec{Name: "activation", Type: plugin.TypeString, Default: "relu", Enum: []string{"relu", "tanh"}, Doc: "activation"},
		),
		mk(plugin.KindExplainer, "lrp",
			plugin.ParamSpec{Name: "rule", Type: plugin.TypeString, Default: "epsilon", Enum: []string{"epsilon", "gamma", "z_plus"}, Doc: "rule"},
		),
	)
	if err != nil {
		panic(err)
	}
	return reg
}

func mustRegistry(t testing.TB) *plugin.Registry {
	t.Helper()
	return registry()
}
