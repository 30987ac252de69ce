// Package builtin lists smearflow's built-in plugins. There is no hidden
// global registry: the runner calls Registry to build one, and tests build
// their own from Plugins.
package builtin

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/explainers/lrp"
	"github.com/smearflow/smearflow/plugins/fitters/frechet"
	"github.com/smearflow/smearflow/plugins/fitters/gev"
	"github.com/smearflow/smearflow/plugins/fitters/gumbel"
	"github.com/smearflow/smearflow/plugins/fitters/weibull"
	"github.com/smearflow/smearflow/plugins/metrics/emd"
	"github.com/smearflow/smearflow/plugins/metrics/observable"
	"github.com/smearflow/smearflow/plugins/metrics/semd"
	"github.com/smearflow/smearflow/plugins/observables/expert"
	"github.com/smearflow/smearflow/plugins/readers/csv"
	"github.com/smearflow/smearflow/plugins/readers/generator"
	"github.com/smearflow/smearflow/plugins/readers/hepmc"
	"github.com/smearflow/smearflow/plugins/readers/npz"
	"github.com/smearflow/smearflow/plugins/readers/root"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
	"github.com/smearflow/smearflow/plugins/smearers/gaussian"
	"github.com/smearflow/smearflow/plugins/smearers/knn"
	"github.com/smearflow/smearflow/plugins/taggers/mlp"
)

// Plugins returns a fresh instance of every built-in plugin, in pipeline
// order.
func Plugins() []plugin.Plugin {
	return []plugin.Plugin{
		generator.New(), npz.New(), csv.New(), hepmc.New(), root.New(),
		semd.New(), emd.New(), observable.New(),
		ball.New(), gaussian.New(), knn.New(),
		weibull.New(), gev.New(), gumbel.New(), frechet.New(),
		expert.New(), mlp.New(), lrp.New(),
	}
}

// Registry returns a registry holding every built-in plugin.
func Registry() (*plugin.Registry, error) { return plugin.NewRegistry(Plugins()...) }
