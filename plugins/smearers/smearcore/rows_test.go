package smearcore_test

import (
	"encoding/csv"
	"os"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/smearers/smearcore/smeartest"
)

// readRows returns the smearer column of loo_convention_comparison.csv.
func readRows(t *testing.T) []string {
	p := sharedtest.Path(t, smeartest.Dir+"loo_convention_comparison.csv")
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[0])
	}
	return out
}
