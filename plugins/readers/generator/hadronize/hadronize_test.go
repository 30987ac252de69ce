package hadronize

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/plugins/readers/generator/shower"
)

// parton returns a massless parton of energy e in the direction (theta, phi)
// from the +x axis.
func parton(e, theta, phi float64, f shower.Flavour) shower.Parton {
	st, ct := math.Sincos(theta)
	sp, cp := math.Sincos(phi)
	return shower.Parton{P: shower.Vec4{E: e, Px: e * ct, Py: e * st * cp, Pz: e * st * sp}, Flavour: f}
}

var stable = map[int32]bool{22: true, 211: true, -211: true, 321: true, -321: true, 130: true,
	2212: true, -2212: true, 2112: true, -2112: true}

// TestConservation checks that the hadrons of each parton carry exactly its
// three-momentum, are on their mass shell with the masses of jet.Mass and
// are stable species.
func TestConservation(t *testing.T) {
	h, err := New(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		e := math.Exp(math.Log(0.3) + rng.Float64()*math.Log(3000/0.3))
		p := parton(e, 0.5*rng.Float64(), 2*math.Pi*rng.Float64(), shower.Flavour(i%2))
		hs := h.Hadronize(rng, []shower.Parton{p}, nil)
		var sum shower.Vec4
		for _, x := range hs {
			if !stable[x.PID] {
				t.Fatalf("unstable or unknown pid %d in the output", x.PID)
			}
			m, ok := jet.Mass(x.PID)
			if !ok {
				t.Fatalf("jet.Mass does not know pid %d", x.PID)
			}
			if d := x.P.M2() - m*m; math.Abs(d) > 1e-9*x.P.E*x.P.E+1e-12 {
				t.Fatalf("pid %d off shell: m^2 = %g, want %g", x.PID, x.P.M2(), m*m)
			}
			sum = sum.Add(x.P)
		}
		d := sum.Sub(p.P)
		if tol := 1e-12 * e; math.Abs(d.Px) > tol || math.Abs(d.Py) > tol || math.Abs(d.Pz) > tol {
			t.Fatalf("parton %+v: hadrons sum to %+v", p.P, sum)
		}
		if sum.E < p.P.E-1e-12*e {
			t.Fatalf("hadron energy %g below the parton's %g", sum.E, p.P.E)
		}
	}
}

// finalPerPrimary is the expected number of each stable species per primary
// hadron, from the primary table and the decay branching ratios used here
// (pi0 -> gamma gamma; K0S -> pi+ pi- 0.69, pi0 pi0 0.31; eta -> gamma gamma
// 0.40, 3 pi0 0.33, pi+ pi- pi0 0.27).
func finalPerPrimary() map[int32]float64 {
	f := Fractions()
	out := map[int32]float64{}
	for pid, p := range f {
		switch pid {
		case pidPi0:
			out[22] += 2 * p
		case pidK0S:
			out[211] += 0.69 * p
			out[-211] += 0.69 * p
			out[22] += 0.31 * 4 * p
		case pidEta:
			out[22] += p * (0.40*2 + 0.33*6 + 0.27*2)
			out[211] += 0.27 * p
			out[-211] += 0.27 * p
		default:
			out[pid] += p
		}
	}
	return out
}

// TestSpeciesAndDecays checks the species composition of the output
// against the primary table folded with the decays (each fraction within
// 0.5% absolute, about 4 standard deviations on 1.6e5 particles), which
// tests the sampler and the decay chains.
func TestSpeciesAndDecays(t *testing.T) {
	h, _ := New(DefaultParams())
	rng := rand.New(rand.NewPCG(7, 8))
	count := map[int32]float64{}
	total := 0.0
	for i := 0; i < 10000; i++ {
		for _, x := range h.Hadronize(rng, []shower.Parton{parton(100, 0, 0, shower.Quark)}, nil) {
			count[x.PID]++
			total++
		}
	}
	want := finalPerPrimary()
	norm := 0.0
	for _, v := range want {
		norm += v
	}
	for pid, w := range want {
		got := count[pid] / total
		if math.Abs(got-w/norm) > 0.005 {
			t.Errorf("pid %d: fraction %.4f, want %.4f", pid, got, w/norm)
		}
	}
	t.Logf("%.0f particles; photon fraction %.3f, charged pions %.3f", total, count[22]/total, (count[211]+count[-211])/total)
}

// TestLogarithmicMultiplicity checks the Field–Feynman chain: the number of
// primaries of a quark grows like ln(E) / <-ln(1-x)> with <-ln(1-x)> =
// 1 - 2a/3, so the mean final multiplicity at 1000 GeV exceeds that at
// 100 GeV by ln(10) / (1 - 2a/3) times the mean number of stable particles
// per primary. A split gluon has two chains, so twice the rise; an unsplit
// gluon the quark's.
func TestLogarithmicMultiplicity(t *testing.T) {
	perPrimary := 0.0
	for _, v := range finalPerPrimary() {
		perPrimary += v
	}
	for _, c := range []struct {
		a      float64
		f      shower.Flavour
		split  bool
		chains float64
	}{
		{0, shower.Quark, true, 1}, {0.77, shower.Quark, true, 1}, {1, shower.Quark, true, 1},
		{0.77, shower.Gluon, true, 2}, {0.77, shower.Gluon, false, 1},
	} {
		p := DefaultParams()
		p.A, p.GluonSplit = c.a, c.split
		h, _ := New(p)
		rng := rand.New(rand.NewPCG(9, 10))
		mean := func(e float64) float64 {
			const n = 4000
			s := 0
			for i := 0; i < n; i++ {
				s += len(h.Hadronize(rng, []shower.Parton{parton(e, 0, 0, c.f)}, nil))
			}
			return float64(s) / n
		}
		want := c.chains * perPrimary * math.Log(10) / (1 - 2*c.a/3)
		got := mean(1000) - mean(100)
		if math.Abs(got/want-1) > 0.05 {
			t.Errorf("a = %g, %v, split %v: multiplicity rise from 100 to 1000 GeV is %.2f, want %.2f", c.a, c.f, c.split, got, want)
		}
	}
}

// TestCollinearWithoutKicks: with sigma = 0 the primaries are collinear
// with their parton, so only decay products leave its direction, by at most
// the decay opening angle (~ m/p).
func TestCollinearWithoutKicks(t *testing.T) {
	p := DefaultParams()
	p.Sigma = 0
	h, _ := New(p)
	rng := rand.New(rand.NewPCG(1, 1))
	hs := h.Hadronize(rng, []shower.Parton{parton(200, 0, 0, shower.Quark)}, nil)
	for _, x := range hs {
		angle := math.Atan2(math.Hypot(x.P.Py, x.P.Pz), x.P.Px)
		if x.PID != 22 && x.PID != 211 && x.PID != -211 && angle > 1e-12 {
			t.Errorf("pid %d at angle %g from its parton without transverse momentum", x.PID, angle)
		}
	}
}

func TestTwoBody(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	for i := 0; i < 1000; i++ {
		m := massEta
		v := shower.Vec3{X: 50 * rng.Float64(), Y: rng.Float64() - 0.5, Z: rng.Float64() - 0.5}
		p := shower.Vec4{E: math.Sqrt(m*m + v.X*v.X + v.Y*v.Y + v.Z*v.Z), Px: v.X, Py: v.Y, Pz: v.Z}
		a, b := twoBody(rng, p, m, massPi0, massPi0)
		if d := a.Add(b).Sub(p); math.Abs(d.E)+math.Abs(d.Px)+math.Abs(d.Py)+math.Abs(d.Pz) > 1e-12*p.E {
			t.Fatalf("two-body decay does not conserve four-momentum: %+v", d)
		}
		for _, x := range []shower.Vec4{a, b} {
			if math.Abs(x.M()-massPi0) > 1e-6 {
				t.Fatalf("decay product mass %g, want %g", x.M(), massPi0)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		p    Params
		want string
	}{
		{Params{A: -0.1, Stop: 1, Sigma: 0.3}, "parameter a"},
		{Params{A: 0.5, Stop: 0, Sigma: 0.3}, "stop"},
		{Params{A: 0.5, Stop: 1, Sigma: math.NaN()}, "sigma"},
	} {
		if _, err := New(c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", c.p, err, c.want)
		}
	}
}
