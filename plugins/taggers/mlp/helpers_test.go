package mlp_test

import (
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/jetobs"
	"github.com/smearflow/smearflow/core/table"
)

// expertTable computes simple expert variables with core/jetobs: n_const,
// mass (massless constituents), pTD and girth (about the pT centroid),
// plus a jet_index column that must not become a feature.
func expertTable(t testing.TB, jets *jet.Jets) *table.Table {
	t.Helper()
	n := jets.Len()
	idx, nc, mass, ptd, girth := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		v := jets.Jet(i)
		var err error
		idx[i] = float64(i)
		nc[i] = float64(jetobs.Multiplicity(v))
		if mass[i], err = jetobs.Mass(v, false); err != nil {
			t.Fatal(err)
		}
		if ptd[i], err = jetobs.PtD(v); err != nil {
			t.Fatal(err)
		}
		y, phi, err := jetobs.Axis(v, jetobs.PtCentroid, false)
		if err != nil {
			t.Fatal(err)
		}
		if girth[i], err = jetobs.Width(v, y, phi); err != nil {
			t.Fatal(err)
		}
	}
	return table.New().AddFloat("jet_index", idx).AddFloat("n_const", nc).AddFloat("mass", mass).AddFloat("pTD", ptd).AddFloat("girth", girth)
}

// split divides jets (and their expert rows) by index modulo 5: rest 0 is
// the test set, rest 1 the validation set, the others the training set.
func split(jets *jet.Jets, ex *table.Table) (train, val, test *jet.Jets, exTrain, exVal, exTest *table.Table) {
	var ti, vi, si []int
	for i := 0; i < jets.Len(); i++ {
		switch i % 5 {
		case 0:
			si = append(si, i)
		case 1:
			vi = append(vi, i)
		default:
			ti = append(ti, i)
		}
	}
	rows := func(idx []int) *table.Table {
		out := table.New()
		for _, c := range ex.Columns {
			v := make([]float64, len(idx))
			for r, i := range idx {
				v[r] = c.Float[i]
			}
			out.AddFloat(c.Name, v)
		}
		return out
	}
	return jets.Subset(ti), jets.Subset(vi), jets.Subset(si), rows(ti), rows(vi), rows(si)
}
