package generator

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// summary holds per-class means of the observables of the comparison table.
type summary struct {
	n                            [2]int
	mult, mass, width, ptd, phot [2]float64
}

// jetObservables returns the multiplicity, the mass (PDG masses from the
// pids, E-scheme sum), the width (girth) sum_i z_i DeltaR(i, axis) with
// z_i = pt_i / sum pt and the E-scheme axis, pT_D = sqrt(sum z_i^2) and the
// photon fraction of one jet.
func jetObservables(v jet.View) (mult, mass, width, ptd, phot float64) {
	p := v.FourMomentum(true)
	ya, pa := p.Rapidity(), p.Phi()
	s := v.SumPt()
	for i, pt := range v.Pt {
		z := pt / s
		width += z * jet.DeltaR(v.Y[i], v.Phi[i], ya, pa)
		ptd += z * z
		if v.PID[i] == 22 {
			phot++
		}
	}
	n := float64(len(v.Pt))
	return n, p.M(), width, math.Sqrt(ptd), phot / n
}

func (s *summary) add(j *jet.Jets) {
	for i := 0; i < j.Len(); i++ {
		v := j.Jet(i)
		c := int(v.Label)
		m, ma, w, d, ph := jetObservables(v)
		s.n[c]++
		s.mult[c] += m
		s.mass[c] += ma
		s.width[c] += w
		s.ptd[c] += d
		s.phot[c] += ph
	}
}

func (s *summary) mean() *summary {
	out := *s
	for c := 0; c < 2; c++ {
		k := float64(s.n[c])
		out.mult[c] /= k
		out.mass[c] /= k
		out.width[c] /= k
		out.ptd[c] /= k
		out.phot[c] /= k
	}
	return &out
}

func generateSummary(t testing.TB, cfg Config, seed int64) *summary {
	t.Helper()
	var s summary
	err := Generate(context.Background(), cfg, seed, 0, func(j *jet.Jets) error {
		if err := j.Validate(); err != nil {
			return err
		}
		s.add(j)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.mean()
}

// readPythiaNPZ reads an EnergyFlow-layout npz (X (N, M, 4), y (N)).
func readPythiaNPZ(t testing.TB, path string) *jet.Jets {
	t.Helper()
	data, shapes, err := npy.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	x, y, sh := data["X"], data["y"], shapes["X"]
	if len(sh) != 3 || sh[2] != 4 || len(y) != sh[0] {
		t.Fatalf("%s: unexpected shapes %v", path, shapes)
	}
	out := &jet.Jets{}
	for i := 0; i < sh[0]; i++ {
		var pt, yy, phi []float64
		var pid []int32
		for k := 0; k < sh[1]; k++ {
			r := x[(i*sh[1]+k)*4:]
			if r[0] <= 0 {
				continue
			}
			pt, yy, phi, pid = append(pt, r[0]), append(yy, r[1]), append(phi, r[2]), append(pid, int32(r[3]))
		}
		out.Append(pt, yy, phi, pid, int8(y[i]), 1)
	}
	return out
}

// multiplicityAUC returns the quark-vs-gluon AUC of the multiplicity
// (fewer constituents = more quark-like), ties counted 1/2.
func multiplicityAUC(j *jet.Jets) float64 {
	hist := [2]map[int]float64{{}, {}}
	var n [2]float64
	for i := 0; i < j.Len(); i++ {
		hist[j.Label[i]][j.Multiplicity(i)]++
		n[j.Label[i]]++
	}
	auc := 0.0
	for mq, cq := range hist[jet.Quark] {
		for mg, cg := range hist[jet.Gluon] {
			switch {
			case mq < mg:
				auc += cq * cg
			case mq == mg:
				auc += cq * cg / 2
			}
		}
	}
	return auc / (n[0] * n[1])
}

// TestCompareTable prints the comparison table of docs/generator.md: the
// generator at default settings (10 000 quark and 10 000 gluon jets, seed 1)
// against the 20 000 Pythia 8 jets of ../shared/data/pythia8-qg-dev.npz.
// It is skipped unless SMEARFLOW_GENERATOR_TABLE=1:
//
//	SMEARFLOW_GENERATOR_TABLE=1 go test -run TestCompareTable -v ./plugins/readers/generator/
func TestCompareTable(t *testing.T) {
	if os.Getenv("SMEARFLOW_GENERATOR_TABLE") != "1" {
		t.Skip("set SMEARFLOW_GENERATOR_TABLE=1 to print the generator-vs-Pythia table")
	}
	pj := readPythiaNPZ(t, sharedtest.Path(t, "data/pythia8-qg-dev.npz"))
	var ps summary
	ps.add(pj)
	p := ps.mean()
	cfg := DefaultConfig()
	cfg.Quarks, cfg.Gluons = 10000, 10000
	gj := collect(t, cfg, 1)
	var gs summary
	gs.add(gj)
	g := gs.mean()
	var b strings.Builder
	fmt.Fprintf(&b, "| mean | generator quark | Pythia quark | generator gluon | Pythia gluon | generator g/q | Pythia g/q |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|\n")
	row := func(name, f string, gv, pv [2]float64) {
		fmt.Fprintf(&b, "| %s | "+f+" | "+f+" | "+f+" | "+f+" | %.2f | %.2f |\n", name, gv[1], pv[1], gv[0], pv[0], gv[0]/gv[1], pv[0]/pv[1])
	}
	row("multiplicity", "%.2f", g.mult, p.mult)
	row("mass [GeV]", "%.1f", g.mass, p.mass)
	row("width (girth)", "%.4f", g.width, p.width)
	row("p_T^D", "%.3f", g.ptd, p.ptd)
	row("photon fraction", "%.3f", g.phot, p.phot)
	fmt.Fprintf(&b, "\nmultiplicity AUC (quark vs gluon): generator %.3f, Pythia %.3f\n", multiplicityAUC(gj), multiplicityAUC(pj))
	fmt.Fprintf(&b, "jets: generator %d quark + %d gluon (seed 1, default settings); Pythia %d quark + %d gluon\n", g.n[1], g.n[0], p.n[1], p.n[0])

	// How the defaults were chosen: the cutoff and the gluon treatment of
	// the fragmentation (5000 + 5000 jets each).
	fmt.Fprintf(&b, "\n| cutoff [GeV] | gluon_split | multiplicity q/g | mass q/g [GeV] | width q/g | p_T^D q/g | multiplicity AUC |\n|---|---|---|---|---|---|---|\n")
	for _, c := range []struct {
		cut   float64
		split bool
	}{{1, false}, {1.5, false}, {1, true}, {1.5, true}, {2, true}} {
		cfg := DefaultConfig()
		cfg.Quarks, cfg.Gluons = 5000, 5000
		cfg.Shower.Cutoff, cfg.Hadron.GluonSplit = c.cut, c.split
		j := collect(t, cfg, 1)
		var s summary
		s.add(j)
		m := s.mean()
		fmt.Fprintf(&b, "| %.1f | %v | %.1f / %.1f | %.1f / %.1f | %.4f / %.4f | %.3f / %.3f | %.3f |\n", c.cut, c.split,
			m.mult[1], m.mult[0], m.mass[1], m.mass[0], m.width[1], m.width[0], m.ptd[1], m.ptd[0], multiplicityAUC(j))
	}
	fmt.Fprintf(&b, "| Pythia 8 | | %.1f / %.1f | %.1f / %.1f | %.4f / %.4f | %.3f / %.3f | %.3f |\n",
		p.mult[1], p.mult[0], p.mass[1], p.mass[0], p.width[1], p.width[0], p.ptd[1], p.ptd[0], multiplicityAUC(pj))
	t.Log("\n" + b.String())
}
