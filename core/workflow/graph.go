package workflow

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"

	"github.com/smearflow/smearflow/core/plugin"
)

// parseInputs splits input references "name" or "name@key=value,...".
func (r *resolver) parseInputs(d *StepDecl) []inputRef {
	var out []inputRef
	for _, in := range d.Inputs {
		ref := inputRef{Ref: in, target: in.Name}
		name, point, hasPoint := strings.Cut(in.Name, "@")
		if hasPoint {
			ref.target = name
			ok := point != ""
			seen := map[string]bool{}
			for _, part := range strings.Split(point, ",") {
				k, v, isKV := strings.Cut(part, "=")
				k, v = strings.TrimSpace(k), strings.TrimSpace(v)
				if !isKV || k == "" || v == "" {
					ok = false
					break
				}
				if seen[k] {
					r.errs.addf(in.Pos, d.Name, "input %q sets %s twice", in.Name, k)
				}
				seen[k] = true
				ref.fixed = append(ref.fixed, coord{k, v})
			}
			if !ok {
				r.errs.addf(in.Pos, d.Name, "input %q: want STEP or STEP@PARAM=VALUE[,PARAM=VALUE...]", in.Name)
				continue
			}
		}
		out = append(out, ref)
	}
	return out
}

func typesText(ts []plugin.ArtifactType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, " or ")
}

func slotsText(slots []plugin.InputSlot) string {
	s := make([]string, len(slots))
	for i, sl := range slots {
		s[i] = sl.Name
		if sl.Optional {
			s[i] += " (optional)"
		}
	}
	return strings.Join(s, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// checkGraph checks inputs (existence, number, artifact types) and cycles
// between the steps of the file. It reports whether the graph is sound
// enough to expand.
func (r *resolver) checkGraph() bool {
	before := len(r.errs.list)
	names := r.stepNames()
	for _, g := range r.groups {
		d := g.d
		for _, in := range g.inputs {
			if r.byName[in.target] == nil {
				cands := slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s == d.Name })
				r.errs.addf(in.Pos, d.Name, "no step named %q%s", in.target, didYouMean(in.target, cands))
			}
		}
		ks, ok := plugin.KindSpecs[d.Kind]
		if !ok {
			continue
		}
		nmax, nreq := len(ks.Inputs), 0
		for _, s := range ks.Inputs {
			if !s.Optional {
				nreq++
			}
		}
		n := len(d.Inputs)
		switch {
		case n > 0 && nmax == 0:
			r.errs.addf(d.InputPos, d.Name, "a %s takes no input", d.Kind)
		case n == 0 && nreq > 0:
			r.errs.addf(d.Pos, d.Name, "a %s needs %s (%s): add `input:`", d.Kind, plural(nreq, "input"), slotsText(ks.Inputs))
		case n > nmax && nreq == nmax:
			r.errs.addf(d.InputPos, d.Name, "a %s takes %s (%s), got %d", d.Kind, plural(nmax, "input"), slotsText(ks.Inputs), n)
		case n > nmax || n < nreq:
			r.errs.addf(d.InputPos, d.Name, "a %s takes %d to %d inputs (%s), got %d", d.Kind, nreq, nmax, slotsText(ks.Inputs), n)
		}
		for i, in := range g.inputs {
			t := r.byName[in.target]
			if t == nil || i >= nmax {
				continue
			}
			tk, ok := plugin.KindSpecs[t.d.Kind]
			if !ok {
				continue
			}
			slot := ks.Inputs[i]
			if !slices.Contains(slot.Types, tk.Output) {
				msg := fmt.Sprintf("input %q produces %s, %s needs %s", in.Name, tk.Output, d.Kind, typesText(slot.Types))
				if len(ks.Inputs) > 1 {
					msg += fmt.Sprintf(" as its %s input", slot.Name)
				}
				r.errs.addf(in.Pos, d.Name, "%s", msg)
			}
		}
	}
	r.checkCycles()
	return len(r.errs.list) == before
}

// checkCycles reports every cycle of inputs, naming its steps.
func (r *resolver) checkCycles() {
	const (
		white = iota
		grey
		black
	)
	color := make(map[*group]int)
	var stack []*group
	var visit func(g *group)
	visit = func(g *group) {
		color[g] = grey
		stack = append(stack, g)
		for _, in := range g.inputs {
			t := r.byName[in.target]
			if t == nil {
				continue
			}
			switch color[t] {
			case white:
				visit(t)
			case grey:
				i := slices.Index(stack, t)
				r.reportCycle(stack[i:])
			}
		}
		stack = stack[:len(stack)-1]
		color[g] = black
	}
	for _, g := range r.groups {
		if color[g] == white {
			visit(g)
		}
	}
}

// reportCycle reports cyc (each step takes the next as input, the last
// takes the first), starting from the step earliest in the file.
func (r *resolver) reportCycle(cyc []*group) {
	start := 0
	for i, g := range cyc {
		if g.index < cyc[start].index {
			start = i
		}
	}
	cyc = append(slices.Clone(cyc[start:]), cyc[:start]...)
	names := make([]string, 0, len(cyc)+1)
	for _, g := range cyc {
		names = append(names, g.d.Name)
	}
	names = append(names, cyc[0].d.Name)
	first, next := cyc[0], cyc[0]
	if len(cyc) > 1 {
		next = cyc[1]
	}
	pos := first.d.InputPos
	for _, in := range first.inputs {
		if in.target == next.d.Name {
			pos = in.Pos
			break
		}
	}
	r.errs.addf(pos, first.d.Name, "inputs form a cycle: %s (each step takes the next as input)", strings.Join(names, " -> "))
}

// order returns the steps of the file with every step after its inputs
// (the graph is acyclic here).
func (r *resolver) order() []*group {
	done := map[*group]bool{}
	var out []*group
	var visit func(g *group)
	visit = func(g *group) {
		if done[g] {
			return
		}
		done[g] = true
		for _, in := range g.inputs {
			visit(r.byName[in.target])
		}
		out = append(out, g)
	}
	for _, g := range r.groups {
		visit(g)
	}
	return out
}

// expand computes a step's scan axes (inherited from its inputs, then its
// own) and creates one Step per point.
func (r *resolver) expand(g *group) {
	d := g.d
	type use struct {
		t     *group
		fixed map[int]int // axis index in t.all -> value index
	}
	uses := make([]use, len(g.inputs))
	for i, in := range g.inputs {
		t := r.byName[in.target]
		u := use{t: t, fixed: map[int]int{}}
		uses[i] = u
		if t.bad {
			g.bad = true
			continue
		}
		for _, c := range in.fixed {
			j := slices.Index(t.keys, c.key)
			if j < 0 {
				if len(t.keys) == 0 {
					r.errs.addf(in.Pos, d.Name, "input %q: step %q is not scanned", in.Name, t.d.Name)
				} else {
					r.errs.addf(in.Pos, d.Name, "input %q: step %q has no scan axis %q (axes: %s)", in.Name, t.d.Name, c.key, strings.Join(t.keys, ", "))
				}
				g.bad = true
				continue
			}
			v := slices.Index(t.all[j].texts, c.text)
			if v < 0 {
				r.errs.addf(in.Pos, d.Name, "input %q: no point %s=%s in the scan of %q (values: %s)", in.Name, c.key, c.text, t.d.Name, strings.Join(t.all[j].texts, ", "))
				g.bad = true
				continue
			}
			u.fixed[j] = v
		}
		for j, a := range t.all {
			if _, isFixed := u.fixed[j]; !isFixed && !slices.Contains(g.all, a) {
				g.all = append(g.all, a)
			}
		}
	}
	g.all = append(g.all, g.axes...)
	count := map[string]int{}
	for _, a := range g.all {
		count[a.param]++
	}
	g.keys = make([]string, len(g.all))
	total := 1
	for j, a := range g.all {
		g.keys[j] = a.param
		if count[a.param] > 1 {
			g.keys[j] = a.owner + "." + a.param
		}
		total *= len(a.vals)
		if total > maxSteps {
			break
		}
	}
	if g.bad || g.spec == nil {
		g.bad = true
		return
	}
	if r.nSteps+total > maxSteps {
		r.errs.addf(d.Pos, d.Name, "the scans expand the workflow to more than %d steps", maxSteps)
		g.bad = true
		return
	}
	r.nSteps += total

	idx := make([]int, len(g.all))
	for point := 0; point < total; point++ {
		s := &Step{
			Name: d.Name, Group: d.Name, Kind: d.Kind, PluginName: d.Plugin, Plugin: g.plugin,
			Output: plugin.KindSpecs[d.Kind].Output, Export: d.Export, Timeout: d.Timeout,
			Seed: g.seed, SeedSet: d.SeedSet, Description: d.Description, Pos: d.Pos,
		}
		raw := copyMap(g.base)
		var parts []string
		for j, a := range g.all {
			v := idx[j]
			s.ScanPoint = append(s.ScanPoint, ScanCoord{Step: a.owner, Param: a.param, Key: g.keys[j], Value: a.vals[v], Text: a.texts[v]})
			parts = append(parts, g.keys[j]+"="+a.texts[v])
			if a.owner != d.Name {
				continue
			}
			if a.seed {
				s.Seed, s.SeedSet = a.vals[v].(int64), true
			} else {
				raw[a.param] = a.vals[v]
			}
		}
		if len(parts) > 0 {
			s.Name += "@" + strings.Join(parts, ",")
		}
		full := copyMap(raw)
		for k, v := range g.pathDefaults {
			full[k] = v
		}
		params, err := g.spec.Resolve(full)
		if err != nil {
			r.errs.add(d.Pos, d.Name, err)
			g.bad = true
			return
		}
		s.Params, s.HostParams = plugin.Params{}, plugin.Params{}
		for k, v := range params {
			if _, own := g.own.Lookup(k); own {
				s.Params[k] = v
			} else {
				s.HostParams[k] = v
			}
		}
		for _, u := range uses {
			flat := 0
			for j, a := range u.t.all {
				v, isFixed := u.fixed[j]
				if !isFixed {
					v = idx[slices.Index(g.all, a)]
				}
				flat = flat*len(a.vals) + v
			}
			s.Inputs = append(s.Inputs, u.t.steps[flat].Name)
		}
		for _, c := range g.compare {
			craw := map[string]any{}
			for k, v := range raw {
				if _, ok := c.spec.Lookup(k); ok {
					craw[k] = v
				}
			}
			cp, err := c.spec.Resolve(craw)
			if err != nil {
				r.errs.add(c.pos, d.Name, fmt.Errorf("compare %q: %w", c.name, err))
				g.bad = true
				return
			}
			s.Compare = append(s.Compare, Compared{Name: c.name, Plugin: c.plugin, Params: cp})
		}
		g.steps = append(g.steps, s)
		// next point: the last axis varies fastest
		for j := len(idx) - 1; j >= 0; j-- {
			idx[j]++
			if idx[j] < len(g.all[j].vals) {
				break
			}
			idx[j] = 0
		}
	}
}

// topo orders every step after its inputs; among ready steps the earliest
// in the file, then the earliest point, comes first.
func (r *resolver) topo() []*Step {
	type item struct {
		s          *Step
		group, pos int
	}
	var items []*item
	byName := map[string]*item{}
	for _, g := range r.groups {
		for i, s := range g.steps {
			it := &item{s, g.index, i}
			items = append(items, it)
			byName[s.Name] = it
		}
	}
	waiting := map[*item]int{}
	users := map[*item][]*item{}
	h := &stepHeap{}
	for _, it := range items {
		seen := map[string]bool{}
		for _, in := range it.s.Inputs {
			if seen[in] {
				continue
			}
			seen[in] = true
			waiting[it]++
			users[byName[in]] = append(users[byName[in]], it)
		}
		if waiting[it] == 0 {
			heap.Push(h, [2]int{it.group, it.pos})
		}
	}
	lookup := map[[2]int]*item{}
	for _, it := range items {
		lookup[[2]int{it.group, it.pos}] = it
	}
	out := make([]*Step, 0, len(items))
	for h.Len() > 0 {
		k := heap.Pop(h).([2]int)
		it := lookup[[2]int{k[0], k[1]}]
		out = append(out, it.s)
		for _, u := range users[it] {
			if waiting[u]--; waiting[u] == 0 {
				heap.Push(h, [2]int{u.group, u.pos})
			}
		}
	}
	return out
}

// stepHeap orders (file index, point index) pairs.
type stepHeap [][2]int

func (h stepHeap) Len() int { return len(h) }
func (h stepHeap) Less(i, j int) bool {
	if h[i][0] != h[j][0] {
		return h[i][0] < h[j][0]
	}
	return h[i][1] < h[j][1]
}
func (h stepHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *stepHeap) Push(x any)   { *h = append(*h, x.([2]int)) }
func (h *stepHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
