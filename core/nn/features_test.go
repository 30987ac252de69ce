package nn_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/table"
)

func TestParseLowLevel(t *testing.T) {
	cases := []struct {
		name string
		c, k int
		ok   bool
	}{
		{"c00_z", 0, 0, true}, {"c03_dy", 3, 1, true}, {"c29_dphi", 29, 2, true}, {"c123_z", 123, 0, true},
		{"c3_z", 0, 0, false}, {"c003_z", 0, 0, false}, {"c03_pt", 0, 0, false}, {"mass", 0, 0, false},
		{"c0a_z", 0, 0, false}, {"c03_", 0, 0, false}, {"d03_z", 0, 0, false}, {"c-1_z", 0, 0, false},
	}
	for _, c := range cases {
		i, k, ok := nn.ParseLowLevel(c.name)
		if ok != c.ok || (ok && (i != c.c || k != c.k)) {
			t.Errorf("%s: (%d, %d, %v), want (%d, %d, %v)", c.name, i, k, ok, c.c, c.k, c.ok)
		}
	}
	for _, name := range nn.LowLevelNames(12) {
		if _, _, ok := nn.ParseLowLevel(name); !ok {
			t.Errorf("LowLevelNames gave %q which does not parse", name)
		}
	}
	if got := nn.LowLevelNames(2); !reflect.DeepEqual(got, []string{"c00_z", "c00_dy", "c00_dphi", "c01_z", "c01_dy", "c01_dphi"}) {
		t.Errorf("LowLevelNames(2) = %v", got)
	}
}

// TestLowLevelHandJet checks z, Δy, Δφ, the ordering (pt descending, ties
// in input order), the φ wrap at ±π and the zero padding on a hand-made
// jet whose centroid is computed here.
func TestLowLevelHandJet(t *testing.T) {
	pt := []float64{10, 30, 10, 50}
	y := []float64{0.1, -0.2, 0.3, 0.0}
	phi := []float64{3.1, -3.1, 3.0, math.Pi - 0.01} // straddles ±π
	var j jet.Jets
	j.Append(pt, y, phi, nil, jet.Quark, 1)
	v := j.Jet(0)
	// Centroid, with azimuths unwrapped around the hardest particle (50 GeV at π-0.01).
	ref := math.Pi - 0.01
	var sw, sy, sp float64
	for i := range pt {
		sw += pt[i]
		sy += pt[i] * y[i]
		sp += pt[i] * (ref + jet.DeltaPhi(phi[i], ref))
	}
	yc, pc := sy/sw, sp/sw
	order := []int{3, 1, 0, 2}
	out := make([]float64, 3*6)
	nn.LowLevel(v, 6, out, nil)
	for r, i := range order {
		want := []float64{pt[i] / 100, y[i] - yc, jet.DeltaPhi(phi[i], pc)}
		for k := range want {
			if math.Abs(out[3*r+k]-want[k]) > 1e-15 {
				t.Errorf("constituent %d (particle %d), feature %d: %v, want %v", r, i, k, out[3*r+k], want[k])
			}
		}
		if math.Abs(out[3*r+2]) > 0.2 {
			t.Errorf("Δφ of particle %d is %v: not wrapped", i, out[3*r+2])
		}
	}
	for k := 12; k < 18; k++ {
		if out[k] != 0 {
			t.Errorf("padding feature %d = %v", k, out[k])
		}
	}
	// Fewer slots than particles: the hardest ones are kept.
	two := make([]float64, 6)
	nn.LowLevel(v, 2, two, nil)
	if !reflect.DeepEqual(two, out[:6]) {
		t.Errorf("M = 2 gives %v, want %v", two, out[:6])
	}
}

func expertTable(n int) *table.Table {
	idx, mass, nc := make([]float64, n), make([]float64, n), make([]float64, n)
	names := make([]string, n)
	for i := range idx {
		idx[i], mass[i], nc[i], names[i] = float64(i), 10+float64(i), float64(2*i), "j"
	}
	return table.New().AddFloat("jet_index", idx).AddFloat("mass", mass).AddString("tag", names).AddFloat("n_const", nc).AddFloat("label", make([]float64, n))
}

func twoJets() *jet.Jets {
	var j jet.Jets
	j.Append([]float64{3, 1}, []float64{0, 0.1}, []float64{1, 1.1}, nil, jet.Quark, 1)
	j.Append([]float64{2}, []float64{0.2}, []float64{0.5}, nil, jet.Gluon, 1)
	return &j
}

func TestMatrix(t *testing.T) {
	if got := nn.ExpertColumns(expertTable(2)); !reflect.DeepEqual(got, []string{"mass", "n_const"}) {
		t.Errorf("ExpertColumns = %v, want mass, n_const", got)
	}
	x, err := nn.Matrix("train", []string{"c00_z", "n_const", "c01_z", "mass", "c01_dy"}, twoJets(), expertTable(2))
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.75, 0, 0.25, 10, 0.1 - 0.025, 1, 2, 0, 11, 0}
	for i := range want {
		if math.Abs(x[i]-want[i]) > 1e-15 {
			t.Errorf("x[%d] = %v, want %v", i, x[i], want[i])
		}
	}
	nanTable := expertTable(2)
	nanTable.Col("mass").Float[1] = math.NaN()
	cases := []struct {
		name   string
		feats  []string
		jets   *jet.Jets
		expert *table.Table
		want   string
	}{
		{"no features", nil, twoJets(), nil, "train: no features"},
		{"no jets", []string{"c00_z"}, &jet.Jets{}, nil, "train: no jets"},
		{"no table", []string{"mass"}, twoJets(), nil, `feature "mass" is not a low-level feature`},
		{"missing column", []string{"mas"}, twoJets(), expertTable(2), `no column "mas" (did you mean "mass"?)`},
		{"string column", []string{"tag"}, twoJets(), expertTable(2), `"tag" holds strings`},
		{"row count", []string{"mass"}, twoJets(), expertTable(3), `"mass" has 3 rows for 2 jets`},
		{"nan", []string{"mass"}, twoJets(), nanTable, `column "mass", jet 1: value NaN`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := nn.Matrix("train", c.feats, c.jets, c.expert)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestBuildRouting(t *testing.T) {
	feats := []string{"c00_z", "c00_dy", "c01_dphi", "mass", "pTD"}
	arch := nn.Architecture{Hidden: []int{8, 4}, Head: []int{3}}
	cases := []struct {
		name    string
		feats   []string
		variant string
		widths  []int
		routes  map[int]int // layer -> number of routed features
		m       int
	}{
		{"both", feats, "both", []int{8, 4, 3, 1}, map[int]int{0: 3, 2: 2}, 2},
		{"lowlevel", feats[:3], "lowlevel", []int{8, 4, 3, 1}, map[int]int{0: 3}, 2},
		{"expert", feats[3:], "expert", []int{3, 1}, map[int]int{0: 2}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := nn.Build(c.feats, arch, 1)
			if err != nil {
				t.Fatal(err)
			}
			if n.Arch.Variant != c.variant || n.Arch.Constituents != c.m {
				t.Errorf("variant %q, M %d", n.Arch.Variant, n.Arch.Constituents)
			}
			for l, ly := range n.Layers {
				if ly.Out != c.widths[l] || len(ly.Inputs) != c.routes[l] {
					t.Errorf("layer %d: %d outputs, %d routed; want %d, %d", l, ly.Out, len(ly.Inputs), c.widths[l], c.routes[l])
				}
			}
			if len(n.Layers) != len(c.widths) {
				t.Errorf("%d layers, want %d", len(n.Layers), len(c.widths))
			}
		})
	}
	if _, err := nn.Build(feats, nn.Architecture{Hidden: []int{0}}, 1); err == nil {
		t.Error("a zero-width layer was accepted")
	}
	if _, err := nn.Build([]string{"mass", "mass"}, arch, 1); err == nil {
		t.Error("a repeated feature was accepted")
	}
}

func TestExpertFeatures(t *testing.T) {
	n, err := nn.Build([]string{"c00_z", "mass", "c01_dphi", "pTD"}, nn.Architecture{Hidden: []int{2}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.ExpertFeatures(); !reflect.DeepEqual(got, []string{"mass", "pTD"}) {
		t.Errorf("ExpertFeatures = %v", got)
	}
}
