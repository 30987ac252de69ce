package substructure

import (
	"fmt"
	"math"
)

// Axes chooses the N-subjettiness axes (fjcontrib Nsubjettiness 2.2.6
// AxesDefinition of the same name).
type Axes int

const (
	// KTAxes: the N exclusive jets of kt clustering (R = MaxAllowableR)
	// with E-scheme recombination (fjcontrib KT_Axes).
	KTAxes Axes = iota + 1
	// WTAKTAxes: exclusive kt with winner-take-all recombination
	// (WTA_KT_Axes); every axis lies on a constituent.
	WTAKTAxes
	// OnePassKTAxes: KTAxes refined by fjcontrib's one-pass minimisation
	// (OnePass_KT_Axes), see OnePassAttempts.
	OnePassKTAxes
	// OnePassWTAKTAxes: WTAKTAxes refined by the one-pass minimisation
	// (OnePass_WTA_KT_Axes).
	OnePassWTAKTAxes
)

// String names the axes as fjcontrib does.
func (a Axes) String() string {
	switch a {
	case KTAxes:
		return "KT_Axes"
	case WTAKTAxes:
		return "WTA_KT_Axes"
	case OnePassKTAxes:
		return "OnePass_KT_Axes"
	case OnePassWTAKTAxes:
		return "OnePass_WTA_KT_Axes"
	}
	return fmt.Sprintf("Axes(%d)", int(a))
}

func (a Axes) seedHistory() int {
	if a == WTAKTAxes || a == OnePassWTAKTAxes {
		return histKtWTA
	}
	return histKtE
}

func (a Axes) onePass() bool { return a == OnePassKTAxes || a == OnePassWTAKTAxes }

// The one-pass minimisation stops when the mean angular distance the axes
// moved in an iteration is at most OnePassAccuracy, or after
// OnePassAttempts iterations (fjcontrib AxesDefinition::setNPass defaults).
// OnePassAccuracy is also the regulator in the 1/ΔR weights.
const (
	OnePassAttempts = 1000
	OnePassAccuracy = 1e-4
)

// Measure is the N-subjettiness measure (fjcontrib DefaultMeasure with
// the pt_R measure type and no cutoff):
//
//	τ_N = Σ_i pt_i min_k ΔR_{i,k}^β            (Normalized = false, GeV)
//	τ_N = Σ_i pt_i min_k ΔR_{i,k}^β / (Σ_i pt_i R0^β)  (Normalized = true)
//
// with ΔR in (rapidity, azimuth).
type Measure struct {
	Beta       float64 // angular exponent β > 0
	R0         float64 // normalisation radius (Normalized only), > 0
	Normalized bool
}

// NormalizedMeasure is fjcontrib's NormalizedMeasure(beta, R0).
func NormalizedMeasure(beta, r0 float64) Measure {
	return Measure{Beta: beta, R0: r0, Normalized: true}
}

// UnnormalizedMeasure is fjcontrib's UnnormalizedMeasure(beta).
func UnnormalizedMeasure(beta float64) Measure { return Measure{Beta: beta} }

func (m Measure) check() error {
	if !(m.Beta > 0) || math.IsInf(m.Beta, 0) {
		return fmt.Errorf("substructure: N-subjettiness beta = %v must be finite and > 0", m.Beta)
	}
	if m.Normalized && (!(m.R0 > 0) || math.IsInf(m.R0, 0)) {
		return fmt.Errorf("substructure: N-subjettiness R0 = %v must be finite and > 0", m.R0)
	}
	return nil
}

// axis is fjcontrib's LightLikeAxis (rapidity, azimuth, weight, |p|).
type axis struct{ rap, phi, weight, mom float64 }

// distSq is LightLikeAxis::DistanceSq.
func (a axis) distSq(rap, phi float64) float64 {
	dr := a.rap - rap
	dp := math.Abs(a.phi - phi)
	if dp > math.Pi {
		dp = twoPi - dp
	}
	return dr*dr + dp*dp
}

// toPseudo is LightLikeAxis::ConvertToPseudoJet.
func (a axis) toPseudo() pseudo {
	e := a.mom
	x := math.Exp(2 * a.rap)
	pz := (x - 1) / (x + 1) * e
	pt := math.Sqrt(e*e - pz*pz)
	return fromP4(math.Cos(a.phi)*pt, math.Sin(a.phi)*pt, pz, e)
}

// zeroPseudo is FastJet's PseudoJet(0, 0, 0, 0): rapidity MaxRap, phi 0.
var zeroPseudo = pseudo{rap: 1e5}

// NSubjettiness returns τ_N of the jet for the given axes and measure. A
// jet with at most N constituents has τ_N = 0 (fjcontrib's convention).
func (j *Jet) NSubjettiness(n int, ax Axes, m Measure) (float64, error) {
	if n < 1 {
		return 0, fmt.Errorf("substructure: N-subjettiness needs N >= 1, got %d", n)
	}
	axes, err := j.axesFor(n, ax, m)
	if err != nil || axes == nil {
		return 0, err
	}
	return j.tau(axes, m), nil
}

// Taus fills out[k] with τ_{k+1} for k < len(out) (so τ1, τ2, ... up to
// N = len(out)), clustering the jet once.
func (j *Jet) Taus(ax Axes, m Measure, out []float64) error {
	for k := range out {
		t, err := j.NSubjettiness(k+1, ax, m)
		if err != nil {
			return err
		}
		out[k] = t
	}
	return nil
}

// NSubjettinessAxes returns the (rapidity, azimuth in [0, 2π)) of the N
// axes; nil when the jet has at most N constituents (τ_N = 0, no axes
// needed).
func (j *Jet) NSubjettinessAxes(n int, ax Axes, m Measure) ([][2]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("substructure: N-subjettiness needs N >= 1, got %d", n)
	}
	ps, err := j.axesFor(n, ax, m)
	if err != nil || ps == nil {
		return nil, err
	}
	out := make([][2]float64, len(ps))
	for k, p := range ps {
		out[k] = [2]float64{p.rap, p.phi}
	}
	return out, nil
}

// axesFor returns the N axes as pseudojets (in a scratch buffer), or nil
// when the jet has at most N constituents.
func (j *Jet) axesFor(n int, ax Axes, m Measure) ([]pseudo, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if ax < KTAxes || ax > OnePassWTAKTAxes {
		return nil, fmt.Errorf("substructure: unknown N-subjettiness axes %v", ax)
	}
	if len(j.p) <= n {
		return nil, nil
	}
	h := j.cached(ax.seedHistory())
	j.idx = h.ExclusiveJets(n, j.idx[:0])
	j.sums = grow(j.sums, n)
	seeds := j.sums[:n]
	for k := range seeds {
		if k < len(j.idx) {
			seeds[k] = h.nodes[j.idx[k]]
		} else {
			seeds[k] = zeroPseudo
		}
	}
	if ax.onePass() {
		j.onePass(seeds, m.Beta)
	}
	return seeds, nil
}

// onePass is fjcontrib's DefaultMeasure::get_one_pass_axes for the pt_R
// measure (a Lloyd-style iteration: assign every particle to its nearest
// axis, move each axis to the weighted mean (rapidity, azimuth) of its
// particles with weights pt_i ΔR_i^(β-2), repeat until the axes move less
// than OnePassAccuracy on average). The seeds are replaced by the result.
func (j *Jet) onePass(seeds []pseudo, beta float64) {
	n := len(seeds)
	j.axes = grow(j.axes, n)
	j.newAxes = grow(j.newAxes, n)
	old, next := j.axes[:n], j.newAxes[:n]
	for k, s := range seeds {
		old[k] = axis{rap: s.rap, phi: s.phi, mom: math.Sqrt(s.modp2())}
	}
	cmp := math.MaxFloat64
	for h := 0; cmp > OnePassAccuracy && h < OnePassAttempts; h++ {
		j.updateAxes(old, next, beta)
		cmp = 0
		for k := range old {
			cmp += math.Sqrt(old[k].distSq(next[k].rap, next[k].phi))
		}
		cmp /= float64(n)
		old, next = next, old
	}
	for k := range seeds {
		seeds[k] = old[k].toPseudo()
	}
}

// updateAxes is DefaultMeasure::UpdateAxesFast: one assignment and update
// step from old into next.
func (j *Jet) updateAxes(old, next []axis, beta float64) {
	const precision = OnePassAccuracy
	n := len(old)
	j.assign = grow(j.assign, len(j.p))
	var jets [3][4]float64 // px, py, pz of the summed particles per axis (small N)
	var big [][4]float64
	if n > len(jets) {
		big = make([][4]float64, n)
	} else {
		big = jets[:n]
		clear(big)
	}
	for k := range next {
		next[k] = axis{}
	}
	kAssign := -1
	for i, p := range j.p {
		smallest := math.MaxFloat64
		for k := range old {
			if d := old[k].distSq(p.rap, p.phi); d < smallest {
				smallest, kAssign = d, k
			}
		}
		j.assign[i] = kAssign
	}
	for i, p := range j.p {
		k := j.assign[i]
		if k < 0 {
			continue
		}
		o := old[k]
		var w float64
		switch beta {
		case 1:
			w = 1 / math.Sqrt(precision*precision+o.distSq(p.rap, p.phi))
		case 2:
			w = 1
		default:
			w = math.Pow(precision*precision+o.distSq(p.rap, p.phi), 0.5*beta-1)
		}
		pt := p.pt()
		a := &next[k]
		a.rap += pt * p.rap * w
		dphi := p.phi - o.phi
		switch {
		case math.Abs(dphi) <= math.Pi:
			a.phi += pt * p.phi * w
		case dphi > math.Pi:
			a.phi += pt * (-twoPi + p.phi) * w
		default:
			a.phi += pt * (twoPi + p.phi) * w
		}
		a.weight += pt * w
		s := &big[k]
		s[0] += p.px
		s[1] += p.py
		s[2] += p.pz
	}
	for k := range next {
		a := &next[k]
		if a.weight == 0 {
			*a = old[k]
			continue
		}
		a.rap /= a.weight
		a.phi /= a.weight
		a.phi = math.Mod(a.phi+twoPi, twoPi)
		s := big[k]
		a.mom = math.Sqrt(s[0]*s[0] + s[1]*s[1] + s[2]*s[2])
	}
}

// tau evaluates the measure on the given axes (fjcontrib get_partition and
// component_result_from_partition without a beam region).
func (j *Jet) tau(axes []pseudo, m Measure) float64 {
	var pieces [3]float64
	var ps []float64
	if len(axes) > len(pieces) {
		ps = make([]float64, len(axes))
	} else {
		ps = pieces[:len(axes)]
	}
	den := 0.0
	r0b := 1.0
	if m.Normalized {
		r0b = math.Pow(m.R0, m.Beta)
	}
	for _, p := range j.p {
		best, bestD := -1, math.MaxFloat64
		for k, a := range axes {
			if d := dist2(p.rap, p.phi, a.rap, a.phi); d < bestD {
				best, bestD = k, d
			}
		}
		pt := p.pt()
		if best >= 0 && bestD > 0 {
			var f float64
			switch m.Beta {
			case 1:
				f = math.Sqrt(bestD)
			case 2:
				f = bestD
			default:
				f = math.Pow(bestD, m.Beta/2)
			}
			ps[best] += pt * f
		}
		den += pt * r0b
	}
	num := 0.0
	for _, v := range ps {
		num += v
	}
	if !m.Normalized {
		return num
	}
	return num / den
}
