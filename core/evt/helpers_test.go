package evt

import (
	"github.com/smearflow/smearflow/core/evt/evttest"
)

// Thin aliases over evttest (shared with the fitter plugins' tests).
type refFit = evttest.Fit

var relErr = evttest.RelErr

// refDist is the distribution of a reference report at the given parameters.
func refDist(r refFit, params map[string]float64) Dist {
	return Dist{Family: Family(r.Family), C: params["c"], Loc: params["loc"], Scale: params["scale"]}
}
