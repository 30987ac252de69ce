package smearcore_test

import (
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

// readRows returns the smearer column of loo_convention_comparison.csv.
func readRows(t *testing.T) []string {
	recs := sharedtest.ReadCSV(t, smeartest.Dir+"loo_convention_comparison.csv")
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[0])
	}
	return out
}
