package lrp

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/plugin"
)

// Rule is an LRP propagation rule (README-analysis.md, "lrp/").
type Rule string

// Rules.
const (
	// LRP0: R_j = Σ_k z_jk / (Σ_i z_ik + b_k) R_k.
	LRP0 Rule = "lrp0"
	// Epsilon: the LRP-0 denominator s_k shifted by ε sign(s_k), sign(0) = +1.
	Epsilon Rule = "epsilon"
	// Gamma: the original rule, w' = w + γ max(w, 0) (and b' = b + γ max(b, 0))
	// on every layer and neuron.
	Gamma Rule = "gamma"
	// GammaGeneralized: zennit ≥ 0.5 Gamma; z_jk + γ max(z_jk, 0) on neurons
	// with z_k > 0, z_jk + γ min(z_jk, 0) on those with z_k < 0.
	GammaGeneralized Rule = "gamma_generalized"
	// ZPlus: only positive contributions z+_jk = max(z_jk, 0) (αβ with α=1, β=0).
	ZPlus Rule = "zplus"
	// AlphaBeta: α times the positive minus β times the negative shares.
	AlphaBeta Rule = "alphabeta"
)

// AllRules lists the rules in documentation order.
var AllRules = []Rule{LRP0, Epsilon, Gamma, GammaGeneralized, ZPlus, AlphaBeta}

// Config selects a rule and its parameters.
type Config struct {
	Rule Rule
	// BiasIncluded keeps the biases b_k (as modified by the rule) in the
	// denominators (zennit's default); otherwise they are 0 there. The
	// forward pass always uses the real biases.
	BiasIncluded bool
	Epsilon      float64 // stabiliser of Epsilon (> 0)
	Gamma        float64 // γ of Gamma and GammaGeneralized (>= 0)
	Alpha, Beta  float64 // of AlphaBeta (>= 0)
}

// Validate checks the rule and the parameters it uses.
func (c Config) Validate() error {
	bad := func(name string, v float64, cond string) error {
		return fmt.Errorf("lrp: %s = %v, must be %s", name, v, cond)
	}
	ok := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch c.Rule {
	case LRP0, ZPlus:
	case Epsilon:
		if !ok(c.Epsilon) || c.Epsilon <= 0 {
			return bad("epsilon", c.Epsilon, "a finite positive number")
		}
	case Gamma, GammaGeneralized:
		if !ok(c.Gamma) || c.Gamma < 0 {
			return bad("gamma", c.Gamma, "a finite number >= 0")
		}
	case AlphaBeta:
		if !ok(c.Alpha) || c.Alpha < 0 {
			return bad("alpha", c.Alpha, "a finite number >= 0")
		}
		if !ok(c.Beta) || c.Beta < 0 {
			return bad("beta", c.Beta, "a finite number >= 0")
		}
	default:
		return fmt.Errorf("lrp: unknown rule %q (known: %v)", c.Rule, AllRules)
	}
	return nil
}

// LayerReport is the relevance balance of one dense layer for one jet.
type LayerReport struct {
	Out float64 // Σ_k R_k over the layer's outputs
	In  float64 // Σ_j R_j over the layer's inputs (previous layer and routed features)
	// Dropped is the relevance of outputs that passed nothing because
	// every denominator of their rule was exactly 0 (x/0 := 0), or, for
	// GammaGeneralized, because z_k = 0; DroppedUnits counts them.
	Dropped      float64
	DroppedUnits int
}

// Result is the explanation of one input.
type Result struct {
	Logit float64   // the explained output (the relevance put on the output)
	Input []float64 // relevance of every network input (Network.Features order)
	// Layers[l] is the relevance of layer l's input vector (the previous
	// layer's output followed by the routed features); Layers[L] = [logit].
	// For a plain chain such as reference/lrp/mlp.json this is
	// [input, hidden 1, hidden 2, ..., [logit]].
	Layers [][]float64
	Report []LayerReport // per dense layer
	Sum    float64       // Σ Input
	Lost   float64       // Logit - Sum: absorbed by biases and stabilisers, dropped, or created (αβ)
}

// Explainer propagates relevance through one network with one rule. It is
// not safe for concurrent use (it owns scratch space); use one per
// goroutine (Clone).
type Explainer struct {
	net  *nn.Network
	cfg  Config
	mats []ruleMats // per layer, shared read-only between clones
	tr   *nn.Trace
	// scratch, per output unit of the widest layer
	s1, s2, c1, c2 []float64
	// naive replaces the optimised layer propagation (tests only).
	naive func(e *Explainer, ly *nn.Layer, a, z, rOut, rIn []float64) LayerReport
}

// ruleMats holds a layer's weights and biases as the rule uses them
// (In×Out row-major, biases already 0 when they are excluded):
//
//	lrp0, epsilon:      A = w,                 bA = b
//	gamma:              A = w + γ w⁺,          bA = b + γ b⁺
//	gamma_generalized:  A = w + γ w⁺, B = w + γ w⁻,  bA = b + γ b⁺, bB = b + γ b⁻
//	zplus, alphabeta:   A = w⁺,       B = w⁻,        bA = b⁺,       bB = b⁻
//
// With a_j > 0, a_j A_jk is the rule's positive-side term (z_jk⁺ for z+);
// with a_j < 0 the roles of A and B swap (a_j w⁻_jk = max(z_jk, 0)).
type ruleMats struct {
	A, B   []float64
	bA, bB []float64
}

func mats(ly *nn.Layer, cfg Config) ruleMats {
	var m ruleMats
	mapW := func(f func(w float64) float64, w []float64) []float64 {
		out := make([]float64, len(w))
		for i, v := range w {
			out[i] = f(v)
		}
		return out
	}
	bias := func(f func(b float64) float64) []float64 {
		if !cfg.BiasIncluded {
			return make([]float64, ly.Out)
		}
		return mapW(f, ly.B)
	}
	id := func(v float64) float64 { return v }
	pos := func(v float64) float64 { return max(v, 0) }
	neg := func(v float64) float64 { return min(v, 0) }
	gp := func(v float64) float64 { return v + cfg.Gamma*max(v, 0) }
	gm := func(v float64) float64 { return v + cfg.Gamma*min(v, 0) }
	switch cfg.Rule {
	case LRP0, Epsilon:
		m.A, m.bA = ly.W, bias(id)
	case Gamma:
		m.A, m.bA = mapW(gp, ly.W), bias(gp)
	case GammaGeneralized:
		m.A, m.B, m.bA, m.bB = mapW(gp, ly.W), mapW(gm, ly.W), bias(gp), bias(gm)
	case ZPlus, AlphaBeta:
		m.A, m.B, m.bA, m.bB = mapW(pos, ly.W), mapW(neg, ly.W), bias(pos), bias(neg)
	}
	return m
}

// NewExplainer returns an explainer for net (validated) with the rule of
// cfg. The rule matrices are derived from net here: net must not change
// afterwards.
func NewExplainer(net *nn.Network, cfg Config) (*Explainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := net.Validate(); err != nil {
		return nil, fmt.Errorf("lrp: %w", err)
	}
	e := &Explainer{net: net, cfg: cfg}
	for l := range net.Layers {
		e.mats = append(e.mats, mats(&net.Layers[l], cfg))
	}
	return e.Clone(), nil
}

// Clone returns an explainer sharing the network, rule and rule matrices
// with its own scratch space.
func (e *Explainer) Clone() *Explainer {
	w := 0
	for _, l := range e.net.Layers {
		w = max(w, l.Out)
	}
	return &Explainer{net: e.net, cfg: e.cfg, mats: e.mats, tr: e.net.NewTrace(), naive: e.naive,
		s1: make([]float64, w), s2: make([]float64, w), c1: make([]float64, w), c2: make([]float64, w)}
}

// NewResult allocates a Result for the explainer's network.
func (e *Explainer) NewResult() *Result {
	r := &Result{Input: make([]float64, e.net.NumInputs()), Report: make([]LayerReport, len(e.net.Layers))}
	for _, l := range e.net.Layers {
		r.Layers = append(r.Layers, make([]float64, l.In))
	}
	r.Layers = append(r.Layers, make([]float64, 1))
	return r
}

// Explain runs the network on the standardised input x and propagates the
// logit back to every input, filling r (from NewResult).
func (e *Explainer) Explain(x []float64, r *Result) {
	net := e.net
	logit := net.Forward(x, e.tr)
	L := len(net.Layers)
	r.Logit = logit
	r.Layers[L][0] = logit
	clear(r.Input)
	rOut := r.Layers[L]
	for l := L - 1; l >= 0; l-- {
		ly := &net.Layers[l]
		rIn := r.Layers[l]
		if e.naive != nil {
			r.Report[l] = e.naive(e, ly, e.tr.In[l], e.tr.Z[l], rOut, rIn)
		} else {
			r.Report[l] = e.layer(l, e.tr.In[l], e.tr.Z[l], rOut, rIn)
		}
		p := ly.Prev()
		for i, f := range ly.Inputs {
			r.Input[f] += rIn[p+i]
		}
		// A ReLU passes relevance unchanged (inactive units have a_j = 0
		// in the layer above, so they received none).
		rOut = rIn[:p]
	}
	r.Sum = 0
	for _, v := range r.Input {
		r.Sum += v
	}
	r.Lost = logit - r.Sum
}

// layer maps the relevance rOut of dense layer l's outputs to its inputs
// (rIn) with the configured rule; a are the layer inputs, z the true
// pre-activations (with bias). Inputs with a_j = 0 (inactive ReLUs, zero
// padding) contribute nothing to any denominator and receive nothing, so
// they are skipped. naive_test.go holds the direct transcription of the
// rules this is checked against.
func (e *Explainer) layer(l int, a, z, rOut, rIn []float64) LayerReport {
	ly := &e.net.Layers[l]
	m := &e.mats[l]
	out := ly.Out
	cfg := e.cfg
	var rep LayerReport
	for _, v := range rOut {
		rep.Out += v
	}
	clear(rIn)
	twoSided := m.B != nil
	// s1 = Σ_j a_j P_j + bA, s2 = Σ_j a_j N_j + bB with (P, N) = (A, B) for
	// a_j > 0 and (B, A) for a_j < 0.
	s1, s2 := e.s1[:out], e.s2[:out]
	copy(s1, m.bA)
	if twoSided {
		copy(s2, m.bB)
	}
	for j, aj := range a {
		if aj == 0 {
			continue
		}
		p, n := m.A[j*out:(j+1)*out], []float64(nil)
		if twoSided {
			n = m.B[j*out : (j+1)*out]
			if aj < 0 {
				p, n = n, p
			}
			axpy(aj, n, s2)
		}
		axpy(aj, p, s1)
	}
	// Coefficients c1 (for the P side) and c2 (for the N side) per output.
	c1, c2 := e.c1[:out], e.c2[:out]
	clear(c1)
	clear(c2)
	drop := func(rk float64) {
		if rk != 0 {
			rep.Dropped += rk
			rep.DroppedUnits++
		}
	}
	for k, rk := range rOut {
		switch cfg.Rule {
		case LRP0, Gamma:
			if s1[k] == 0 {
				drop(rk)
			} else {
				c1[k] = rk / s1[k]
			}
		case Epsilon:
			if s1[k] >= 0 {
				c1[k] = rk / (s1[k] + cfg.Epsilon)
			} else {
				c1[k] = rk / (s1[k] - cfg.Epsilon)
			}
		case GammaGeneralized:
			switch {
			case z[k] > 0 && s1[k] != 0:
				c1[k] = rk / s1[k]
			case z[k] < 0 && s2[k] != 0:
				c2[k] = rk / s2[k]
			default:
				drop(rk)
			}
		case ZPlus, AlphaBeta:
			alpha, beta := 1.0, 0.0
			if cfg.Rule == AlphaBeta {
				alpha, beta = cfg.Alpha, cfg.Beta
			}
			if s1[k] != 0 {
				c1[k] = alpha * rk / s1[k]
			}
			if s2[k] != 0 && beta != 0 {
				c2[k] = -beta * rk / s2[k]
			}
			if s1[k] == 0 && (s2[k] == 0 || beta == 0) {
				drop(rk)
			}
		}
	}
	for j, aj := range a {
		if aj == 0 {
			continue
		}
		p := m.A[j*out : (j+1)*out]
		var s float64
		if twoSided {
			n := m.B[j*out : (j+1)*out]
			if aj < 0 {
				p, n = n, p
			}
			s = dot(p, c1) + dot(n, c2)
		} else {
			s = dot(p, c1)
		}
		rIn[j] = aj * s
		rep.In += rIn[j]
	}
	return rep
}

// Summary is the conservation report of a batch of explanations.
type Summary struct {
	Rule         Rule
	BiasIncluded bool
	Jets         int
	// MeanAbsLost and MaxAbsLost are over jets of |Logit - Sum|;
	// MeanAbsOutput is the mean |Logit| (for scale).
	MeanAbsLost, MaxAbsLost, MeanAbsOutput float64
	// JetsWithDropped counts jets in which some neuron passed nothing
	// (zero denominators); Dropped sums that relevance over jets.
	JetsWithDropped int
	Dropped         float64
	// Layers sums each layer's LayerReport over jets.
	Layers []LayerReport
}

// Batch explains every row of a raw (unstandardised) feature matrix
// (rows × net.NumInputs(), row-major) on up to workers goroutines (0:
// GOMAXPROCS) and returns the explanation in the plugin's layout and the
// conservation summary. Results do not depend on workers. progress, if
// not nil, is called with the number of jets done (never concurrently).
func Batch(ctx context.Context, net *nn.Network, cfg Config, raw []float64, workers int, progress func(done, total int)) (*plugin.Explanation, *Summary, error) {
	ex, err := NewExplainer(net, cfg)
	if err != nil {
		return nil, nil, err
	}
	f := net.NumInputs()
	if len(raw) == 0 || len(raw)%f != 0 {
		return nil, nil, fmt.Errorf("lrp: feature matrix has %d values, not a positive multiple of %d features", len(raw), f)
	}
	for i, v := range raw {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, fmt.Errorf("lrp: jet %d, feature %q: value %v is not finite", i/f, net.Features[i%f], v)
		}
	}
	n := len(raw) / f
	expl := &plugin.Explanation{
		Features:  slices.Clone(net.Features),
		Relevance: make([]float64, n*f),
		Output:    make([]float64, n),
		Sum:       make([]float64, n),
		Lost:      make([]float64, n),
	}
	reports := make([][]LayerReport, n)
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const block = 256
	nb := (n + block - 1) / block
	workers = max(1, min(workers, nb))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		done     int
		firstErr error
	)
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			e := ex.Clone()
			res := e.NewResult()
			x := make([]float64, f)
			for c := g; c < nb; c += workers {
				if err := ctx.Err(); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				hi := min((c+1)*block, n)
				for i := c * block; i < hi; i++ {
					net.Standardize(raw[i*f:(i+1)*f], x)
					e.Explain(x, res)
					copy(expl.Relevance[i*f:(i+1)*f], res.Input)
					expl.Output[i], expl.Sum[i], expl.Lost[i] = res.Logit, res.Sum, res.Lost
					reports[i] = slices.Clone(res.Report)
				}
				if progress != nil {
					mu.Lock() // progress is called under the lock: it need not be safe for concurrent use
					done += hi - c*block
					progress(done, n)
					mu.Unlock()
				}
			}
		}(g)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, nil, firstErr
	}
	s := &Summary{Rule: cfg.Rule, BiasIncluded: cfg.BiasIncluded, Jets: n, Layers: make([]LayerReport, len(net.Layers))}
	for i := 0; i < n; i++ {
		al := math.Abs(expl.Lost[i])
		s.MeanAbsLost += al
		s.MaxAbsLost = max(s.MaxAbsLost, al)
		s.MeanAbsOutput += math.Abs(expl.Output[i])
		dropped := false
		for l, r := range reports[i] {
			t := &s.Layers[l]
			t.Out += r.Out
			t.In += r.In
			t.Dropped += r.Dropped
			t.DroppedUnits += r.DroppedUnits
			s.Dropped += r.Dropped
			dropped = dropped || r.DroppedUnits > 0
		}
		if dropped {
			s.JetsWithDropped++
		}
	}
	s.MeanAbsLost /= float64(n)
	s.MeanAbsOutput /= float64(n)
	return expl, s, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// axpy adds a·x to y (gonum's assembly kernel; len(x) == len(y)).
func axpy(a float64, x, y []float64) {
	blas64.Axpy(a, blas64.Vector{N: len(x), Inc: 1, Data: x}, blas64.Vector{N: len(y), Inc: 1, Data: y})
}

// dot returns x·y (gonum's assembly kernel; len(x) == len(y)).
func dot(x, y []float64) float64 {
	return blas64.Dot(blas64.Vector{N: len(x), Inc: 1, Data: x}, blas64.Vector{N: len(y), Inc: 1, Data: y})
}
