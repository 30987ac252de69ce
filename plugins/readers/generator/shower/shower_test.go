package shower

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// splitting returns the branching kernels of a parton of flavour f at z:
// the total and the g -> q qbar part ((1/2) P_gg for g -> gg, as the
// identical gluons are counted once).
func splitting(f Flavour, nf int, z float64) (total, qq float64) {
	if f == Quark {
		return CF * (1 + z*z) / (1 - z), 0
	}
	gg := CA * (z/(1-z) + (1-z)/z + z*(1-z))
	qq = float64(nf) * TR * (z*z + (1-z)*(1-z))
	return gg + qq, qq
}

// rate returns the branching probability per unit ln(theta) of a parton of
// energy e at angle theta, (alpha_s/pi) int dz P(z) Theta(k_t > Q0)
// (dtheta^2/theta^2 = 2 dln theta), and its g -> q qbar part, by numerical
// integration in t = ln(z/(1-z)) (dz = z(1-z) dt removes the soft poles).
func rate(p Params, f Flavour, e, theta float64) (total, qq float64) {
	a := p.Cutoff / (e * theta)
	if a >= 0.25 {
		return 0, 0
	}
	zlo := (1 - math.Sqrt(1-4*a)) / 2
	tlo := math.Log(zlo / (1 - zlo))
	const n = 400
	h := -2 * tlo / n
	for i := 0; i < n; i++ {
		t := tlo + (float64(i)+0.5)*h
		z := 1 / (1 + math.Exp(-t))
		jac := z * (1 - z) * h
		kt := z * (1 - z) * e * theta
		al := p.Alpha(kt) / math.Pi
		tot, q := splitting(f, p.NF, z)
		total += al * tot * jac
		qq += al * q * jac
	}
	return total, qq
}

// sudakov integrates the rate in ln(theta) from thetaMax down to theta and
// returns the no-branching probability exp(-int) at each grid angle, with
// the grid, for the analytic expectations of the tests.
func sudakov(p Params, f Flavour, e, thetaMax float64, n int) (lnTheta, delta, rates, qqRates []float64) {
	lo := math.Log(4 * p.Cutoff / e)
	hi := math.Log(thetaMax)
	h := (hi - lo) / float64(n)
	integral := 0.0
	for i := 0; i < n; i++ {
		lt := hi - (float64(i)+0.5)*h
		r, q := rate(p, f, e, math.Exp(lt))
		integral += r * h / 2 // half before, half after the midpoint
		lnTheta = append(lnTheta, lt)
		delta = append(delta, math.Exp(-integral))
		rates = append(rates, r)
		qqRates = append(qqRates, q)
		integral += r * h / 2
	}
	return
}

// TestSudakov checks the veto algorithm against the Sudakov form factor
// computed by direct numerical integration of the LO splitting functions
// (with the running coupling and the k_t cutoff): the probability that the
// initiating parton does not branch at all, the probability that its first
// branching is below theta = 0.1, and the g -> q qbar share of first
// branchings. Tolerances are 5 standard deviations of the Monte Carlo
// estimate (plus 0.002 for the quadrature).
func TestSudakov(t *testing.T) {
	cases := []struct {
		name  string
		f     Flavour
		e     float64
		fixed bool
		cut   float64
	}{
		{"quark 50 GeV running", Quark, 50, false, 1},
		{"gluon 50 GeV running", Gluon, 50, false, 1},
		{"quark 500 GeV fixed", Quark, 500, true, 1},
		{"gluon 200 GeV running cutoff 2", Gluon, 200, false, 2},
	}
	const n = 20000
	const thetaMax = 0.4
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := DefaultParams()
			p.FixedCoupling = c.fixed
			p.Cutoff = c.cut
			s, err := New(p)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(11, 12))
			var none, below, first, firstQQ float64
			var buf []Parton
			for i := 0; i < n; i++ {
				_, buf = s.Run(rng, c.f, c.e, thetaMax, buf[:0])
				br := s.Branchings()
				if len(br) == 0 {
					none++
					below++
					continue
				}
				first++
				if br[0].Theta < 0.1 {
					below++
				}
				if br[0].Channel == GToQQ {
					firstQQ++
				}
			}
			lt, delta, rates, qq := sudakov(p, c.f, c.e, thetaMax, 4000)
			wantNone := delta[len(delta)-1]
			wantBelow := 0.0
			var num, den float64
			for i := range lt {
				if wantBelow == 0 && lt[i] < math.Log(0.1) {
					wantBelow = delta[i]
				}
				num += delta[i] * qq[i]
				den += delta[i] * rates[i]
			}
			check := func(what string, got, want, n float64) {
				t.Helper()
				sd := math.Sqrt(want * (1 - want) / n)
				if d := math.Abs(got - want); d > 5*sd+0.002 {
					t.Errorf("%s: Monte Carlo %.4f, Sudakov integral %.4f (difference %.4f, 5 sd = %.4f)", what, got, want, d, 5*sd)
				}
			}
			check("P(no branching)", none/n, wantNone, n)
			check("P(first branching below 0.1 or none)", below/n, wantBelow, n)
			if c.f == Gluon {
				check("g->qqbar share of first branchings", firstQQ/first, num/den, first)
			}
			t.Logf("P(none) %.4f (want %.4f), P(below 0.1) %.4f (want %.4f)", none/n, wantNone, below/n, wantBelow)
		})
	}
}

// TestConservation checks exact four-momentum conservation: the final
// partons sum to the initiator's four-momentum, which has |p| = pAbs along
// +x, and every final parton is massless.
func TestConservation(t *testing.T) {
	for _, c := range []struct {
		f     Flavour
		e     float64
		fixed bool
	}{{Quark, 500, false}, {Gluon, 500, false}, {Gluon, 50, true}, {Quark, 5000, false}} {
		p := DefaultParams()
		p.FixedCoupling = c.fixed
		s, _ := New(p)
		rng := rand.New(rand.NewPCG(3, uint64(c.e)))
		var buf []Parton
		for i := 0; i < 500; i++ {
			var root Vec4
			root, buf = s.Run(rng, c.f, c.e, 0.4, buf[:0])
			var sum Vec4
			for _, q := range buf {
				sum = sum.Add(q.P)
				if m2 := q.P.M2(); math.Abs(m2) > 1e-9*q.P.E*q.P.E {
					t.Fatalf("%v %g GeV: final parton has mass^2 %g", c.f, c.e, m2)
				}
			}
			d := sum.Sub(root)
			if tol := 1e-12 * root.E; math.Abs(d.E) > tol || math.Abs(d.Px) > tol || math.Abs(d.Py) > tol || math.Abs(d.Pz) > tol {
				t.Fatalf("%v %g GeV: partons sum to %+v, initiator %+v", c.f, c.e, sum, root)
			}
			if math.Abs(root.Px-c.e) > 1e-12*c.e || root.Py != 0 || root.Pz != 0 {
				t.Fatalf("initiator %+v is not (E, %g, 0, 0)", root, c.e)
			}
			if math.Abs(root.M()*root.M()-(root.E*root.E-c.e*c.e)) > 1e-9*root.E*root.E {
				t.Fatalf("initiator mass inconsistent: %+v", root)
			}
		}
	}
}

// TestCutoffOrderingCascade checks that every branching has k_t above the
// cutoff and an angle below its ordering bound, that the cutoff is the
// active bound (the smallest k_t is close to it), that emitted partons
// branch again (a cascade: depth >= 2 occurs) and that all three channels
// occur.
func TestCutoffOrderingCascade(t *testing.T) {
	for _, cut := range []float64{0.5, 1, 3} {
		p := DefaultParams()
		p.Cutoff = cut
		s, _ := New(p)
		rng := rand.New(rand.NewPCG(5, 6))
		minKt, maxDepth := math.Inf(1), 0
		channels := map[Channel]int{}
		var buf []Parton
		for i := 0; i < 2000; i++ {
			f := Flavour(i % 2)
			_, buf = s.Run(rng, f, 500, 0.4, buf[:0])
			if i < 2 && f == Quark && len(s.Branchings()) > 0 && s.Branchings()[0].Channel != QToQG {
				t.Fatalf("quark initiator's first branching is %v", s.Branchings()[0].Channel)
			}
			for _, b := range s.Branchings() {
				if b.Kt < cut {
					t.Fatalf("cutoff %g: branching %+v has k_t below the cutoff", cut, b)
				}
				if b.Theta > b.ThetaMax || (b.Depth == 0 && b.ThetaMax != 0.4) {
					t.Fatalf("branching %+v violates angular ordering", b)
				}
				minKt = math.Min(minKt, b.Kt)
				maxDepth = max(maxDepth, b.Depth)
				channels[b.Channel]++
			}
		}
		if minKt > 1.05*cut {
			t.Errorf("cutoff %g: smallest k_t %g; the cutoff does not look active", cut, minKt)
		}
		if maxDepth < 2 {
			t.Errorf("cutoff %g: deepest branching at depth %d, want a cascade (>= 2)", cut, maxDepth)
		}
		for _, ch := range []Channel{QToQG, GToGG, GToQQ} {
			if channels[ch] == 0 {
				t.Errorf("cutoff %g: no %v branching", cut, ch)
			}
		}
	}
}

// TestAlpha checks the one-loop coupling: alpha_s(M_Z) is the input, the
// Landau pole Lambda^(5) = 88 MeV for alpha_s(M_Z) = 0.118 (the one-loop
// value quoted in textbooks, e.g. ESW ch. 2), alpha_s(Q) = 1/(b0 ln(Q^2/
// Lambda^2)) at several scales, and the fixed coupling is constant.
func TestAlpha(t *testing.T) {
	p := DefaultParams()
	if a := p.Alpha(MZ); math.Abs(a-0.118) > 1e-15 {
		t.Errorf("alpha_s(M_Z) = %v", a)
	}
	if l := p.Lambda(); math.Abs(l-0.088) > 0.002 {
		t.Errorf("Lambda = %v GeV, want 0.088", l)
	}
	for _, q := range []float64{1, 2, 10, 1000} {
		want := 1 / (p.b0() * math.Log(q*q/(p.Lambda()*p.Lambda())))
		if a := p.Alpha(q); math.Abs(a-want) > 1e-12 {
			t.Errorf("alpha_s(%g) = %v, want %v", q, a, want)
		}
	}
	if p.Alpha(1) <= p.Alpha(10) {
		t.Error("alpha_s does not decrease with the scale")
	}
	p.FixedCoupling = true
	if p.Alpha(1) != 0.118 || p.Alpha(1000) != 0.118 {
		t.Error("fixed coupling is not constant")
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		p    Params
		want string
	}{
		{Params{Cutoff: 0, AlphaS: 0.118, NF: 5}, "cutoff"},
		{Params{Cutoff: math.NaN(), AlphaS: 0.118, NF: 5}, "cutoff"},
		{Params{Cutoff: 1, AlphaS: 1.2, NF: 5}, "alpha_s"},
		{Params{Cutoff: 1, AlphaS: 0.118, NF: 7}, "nf"},
		{Params{Cutoff: 0.3, AlphaS: 0.3, NF: 5}, "Landau pole"},
	} {
		_, err := New(c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", c.p, err, c.want)
		}
	}
	if _, err := New(Params{Cutoff: 0.3, AlphaS: 0.3, NF: 5, FixedCoupling: true}); err != nil {
		t.Errorf("a fixed coupling has no Landau pole: %v", err)
	}
}

func TestBasis(t *testing.T) {
	for _, n := range []Vec3{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.6, 0, 0.8}, {-0.48, 0.6, -0.64}} {
		e1, e2 := Basis(n)
		dot := func(a, b Vec3) float64 { return a.X*b.X + a.Y*b.Y + a.Z*b.Z }
		for _, v := range []float64{dot(e1, n), dot(e2, n), dot(e1, e2), dot(e1, e1) - 1, dot(e2, e2) - 1} {
			if math.Abs(v) > 1e-15 {
				t.Errorf("basis of %+v not orthonormal: %+v %+v", n, e1, e2)
			}
		}
	}
}
