package evt

import (
	"testing"

	"github.com/smearflow/smearflow/core/evt/evttest"
)

// Thin aliases over evttest (shared with the fitter plugins' tests).
type refFit = evttest.Fit

var relErr = evttest.RelErr

func readCSV(t testing.TB, rel string) ([]string, map[string][]float64) {
	return evttest.ReadCSV(t, rel)
}

func readJSON(t testing.TB, rel string, v any) { evttest.ReadJSON(t, rel, v) }

func readNPYMatrix(t testing.TB, rel string) ([]float64, int, int) {
	return evttest.ReadNPYMatrix(t, rel)
}

// refDist is the distribution of a reference report at the given parameters.
func refDist(r refFit, params map[string]float64) Dist {
	return Dist{Family: Family(r.Family), C: params["c"], Loc: params["loc"], Scale: params["scale"]}
}
