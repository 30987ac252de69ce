package expert

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/jetobs"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/substructure"
	"github.com/smearflow/smearflow/core/table"
)

// Options are the resolved parameters of a computation (see the parameter
// spec for their meaning).
type Options struct {
	Set     string    // "xaug" or "all"; ignored when Columns is not empty
	Columns []string  // explicit column names, in output order
	Radius  float64   // jet radius R: R0 of the normalised τ_N and of soft drop
	Massive bool      // PDG masses from pid (true) or massless constituents
	ZCut    float64   // soft-drop z_cut
	Betas   []float64 // soft-drop angular exponents β
	Flags   bool      // add the "degenerate" bitmask column
}

// DefaultOptions returns the parameter defaults.
func DefaultOptions() Options {
	return Options{Set: "xaug", Radius: 0.4, Massive: true, ZCut: 0.1, Betas: []float64{0, 1}}
}

// plan is a validated computation: the columns and what they need.
type plan struct {
	opt   Options
	cols  []colDef
	needs needs
	sd    []bool // soft-drop β index needed
}

func newPlan(opt Options) (*plan, error) {
	seen := map[float64]bool{}
	for _, b := range opt.Betas {
		if seen[b] {
			return nil, &plugin.ParamError{Param: "beta", Msg: fmt.Sprintf("soft-drop β = %v is listed twice", b)}
		}
		seen[b] = true
	}
	all := catalogue(opt.Betas, opt.ZCut)
	byName := make(map[string]int, len(all))
	names := make([]string, len(all))
	for i, c := range all {
		byName[c.name] = i
		names[i] = c.name
	}
	var want []string
	switch {
	case len(opt.Columns) > 0:
		want = opt.Columns
	case opt.Set == "all":
		want = names
	case opt.Set == "xaug":
		want = xaugColumns(opt.Betas, opt.ZCut)
	default:
		return nil, &plugin.ParamError{Param: "set", Msg: fmt.Sprintf("unknown column set %q (known: xaug, all)", opt.Set)}
	}
	p := &plan{opt: opt, sd: make([]bool, len(opt.Betas))}
	used := map[string]bool{}
	for _, name := range want {
		if name == "jet_index" || name == FlagColumn {
			return nil, &plugin.ParamError{Param: "columns", Msg: fmt.Sprintf("column %q is added automatically", name)}
		}
		i, ok := byName[name]
		if !ok {
			msg := fmt.Sprintf("unknown column %q", name)
			if s := plugin.Suggest(name, names); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else {
				msg += " (known: " + strings.Join(names, ", ") + ")"
			}
			return nil, &plugin.ParamError{Param: "columns", Msg: msg}
		}
		if used[name] {
			return nil, &plugin.ParamError{Param: "columns", Msg: fmt.Sprintf("column %q is listed twice", name)}
		}
		used[name] = true
		c := all[i]
		p.cols = append(p.cols, c)
		p.needs |= c.needs
		if c.sd >= 0 {
			p.sd[c.sd] = true
		}
	}
	return p, nil
}

// FlagColumn is the name of the optional degeneracy bitmask column.
const FlagColumn = "degenerate"

// ComputeTable returns one row per jet, in input order: jet_index, the chosen
// columns and, with Options.Flags, the "degenerate" bitmask. Jets are
// processed in parallel on GOMAXPROCS goroutines; the result does not
// depend on their number. Bad input (see jet.Jets.Validate, and unknown
// PDG ids when Massive) is an error naming the jet and particle.
func ComputeTable(ctx context.Context, jets *jet.Jets, opt Options) (*table.Table, error) {
	p, err := newPlan(opt)
	if err != nil {
		return nil, err
	}
	return p.compute(ctx, jets)
}

func (p *plan) compute(ctx context.Context, jets *jet.Jets) (*table.Table, error) {
	if jets == nil {
		return nil, fmt.Errorf("expert: no jets")
	}
	if err := jets.Validate(); err != nil {
		return nil, fmt.Errorf("expert: %w", err)
	}
	if p.opt.Massive {
		for i := 0; i < jets.Len(); i++ {
			a := jets.Offsets[i]
			for k, pid := range jets.PID[a:jets.Offsets[i+1]] {
				if _, ok := jet.Mass(pid); !ok {
					return nil, fmt.Errorf("expert: %w", &jetobs.UnknownPIDError{Jet: i, Particle: k, PID: pid})
				}
			}
		}
	}
	n := jets.Len()
	vals := make([][]float64, len(p.cols))
	for c := range vals {
		vals[c] = make([]float64, n)
	}
	var flags []float64
	if p.opt.Flags {
		flags = make([]float64, n)
	}

	const block = 8
	nblocks := (n + block - 1) / block
	workers := max(1, min(runtime.GOMAXPROCS(0), nblocks))
	var next, done atomic.Int64
	var firstErr error
	errAt := n
	var mu sync.Mutex
	prog := newProgress(ctx, int64(n))
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var j substructure.Jet
			var r jetResult
			for {
				b := int(next.Add(1) - 1)
				if b >= nblocks || ctx.Err() != nil {
					return
				}
				lo, hi := b*block, min(n, (b+1)*block)
				for i := lo; i < hi; i++ {
					if err := p.jet(&j, jets.Jet(i), &r); err != nil {
						mu.Lock()
						if i < errAt {
							errAt, firstErr = i, err
						}
						mu.Unlock()
						return
					}
					for c, col := range p.cols {
						vals[c][i] = col.get(&r)
					}
					if flags != nil {
						flags[i] = float64(r.flags)
					}
				}
				prog.report(done.Add(int64(hi - lo)))
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("expert: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prog.final()

	t := table.New()
	idx := make([]float64, n)
	for i := range idx {
		idx[i] = float64(i)
	}
	t.AddFloat("jet_index", idx)
	for c, col := range p.cols {
		t.AddFloat(col.name, vals[c])
		t.Columns[len(t.Columns)-1].Unit = col.unit
	}
	if flags != nil {
		t.AddFloat(FlagColumn, flags)
	}
	return t, nil
}

// jet computes every needed quantity of one jet into r.
func (p *plan) jet(j *substructure.Jet, v jet.View, r *jetResult) error {
	if err := j.Reset(v, p.opt.Massive); err != nil {
		return err
	}
	nd := p.needs
	sd := r.sd
	*r = jetResult{}
	r.n = j.Len()
	if r.n == 1 {
		r.flags |= FlagSingle
	}
	r.pt, r.y, r.phi, r.sumPt = j.Pt(), j.Rapidity(), j.Phi(), j.SumPt()
	if nd&needMass != 0 {
		r.mass = j.Mass()
	}
	var err error
	if nd&needPTD != 0 {
		if r.ptd, err = jetobs.PtD(v); err != nil {
			return err
		}
	}
	if nd&needGirth != 0 {
		if r.girth, err = jetobs.Width(v, r.y, r.phi); err != nil {
			return err
		}
	}
	for k, beta := range []float64{1, 2} {
		switch {
		case nd&(needE3b1<<k) != 0:
			if r.e2[k], r.e3[k], err = j.ECF(beta); err != nil {
				return err
			}
			var ok bool
			r.c2[k], ok = substructure.C2(r.e2[k], r.e3[k])
			r.d2[k], _ = substructure.D2(r.e2[k], r.e3[k])
			if !ok {
				r.flags |= FlagE2Zero
			}
		case nd&(needE2b1<<k) != 0:
			if r.e2[k], err = j.E2(beta); err != nil {
				return err
			}
		}
	}
	taus := func(ax substructure.Axes, m substructure.Measure, out *[3]float64, ratio *[2]float64) error {
		if err := j.Taus(ax, m, out[:]); err != nil {
			return err
		}
		ratio[0] = p.ratio(out[1], out[0], r)
		ratio[1] = p.ratio(out[2], out[1], r)
		return nil
	}
	if nd&(needWTA|needOKT|needOWTA) != 0 {
		if r.n <= 2 {
			r.flags |= FlagTau2Trivial
		}
		if r.n <= 3 {
			r.flags |= FlagTau3Trivial
		}
	}
	if nd&needWTA != 0 {
		if err := taus(substructure.WTAKTAxes, substructure.UnnormalizedMeasure(1), &r.wta, &r.wtaR); err != nil {
			return err
		}
		den := r.sumPt * p.opt.Radius
		for k := range r.wta {
			r.wtaN[k] = r.wta[k] / den
		}
	}
	norm := substructure.NormalizedMeasure(1, p.opt.Radius)
	if nd&needOKT != 0 {
		if err := taus(substructure.OnePassKTAxes, norm, &r.okt, &r.oktR); err != nil {
			return err
		}
	}
	if nd&needOWTA != 0 {
		if err := taus(substructure.OnePassWTAKTAxes, norm, &r.owta, &r.owtaR); err != nil {
			return err
		}
	}
	if nd&needSD != 0 {
		if cap(sd) < len(p.opt.Betas) {
			sd = make([]substructure.SoftDropResult, len(p.opt.Betas))
		}
		r.sd = sd[:len(p.opt.Betas)]
		for i, beta := range p.opt.Betas {
			if !p.sd[i] {
				r.sd[i] = substructure.SoftDropResult{}
				continue
			}
			sd, err := j.SoftDrop(beta, p.opt.ZCut, p.opt.Radius)
			if err != nil {
				return err
			}
			r.sd[i] = sd
			if !sd.Passed {
				r.flags |= FlagSoftDropFailed
			}
		}
	}
	return nil
}

// ratio returns a/b, or 0 with FlagTauRatio when b = 0.
func (p *plan) ratio(a, b float64, r *jetResult) float64 {
	if b == 0 {
		r.flags |= FlagTauRatio
		return 0
	}
	return a / b
}

// progress forwards throttled progress reports to the context's callback.
type progress struct {
	ctx   context.Context
	total int64
	mu    sync.Mutex
	last  time.Time
}

func newProgress(ctx context.Context, total int64) *progress {
	return &progress{ctx: ctx, total: total, last: time.Now()}
}

func (p *progress) report(done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 250*time.Millisecond {
		p.last = now
		plugin.ReportProgress(p.ctx, done, p.total, "jets")
	}
}

func (p *progress) final() { plugin.ReportProgress(p.ctx, p.total, p.total, "jets") }

// ColumnNames lists every column available with the given soft-drop
// parameters, in the order of the "all" set (jet_index and the flag
// column excluded).
func ColumnNames(betas []float64, zcut float64) []string {
	cs := catalogue(betas, zcut)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.name
	}
	return out
}
