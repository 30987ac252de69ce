package workflow

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/smearflow/smearflow/core/plugin"
)

// Resolve checks the workflow against the plugins of reg and returns the
// plan. overrides are command-line settings "STEP.PARAM=VALUE",
// "seed=N" or "output=DIR" (see ParseOverride), applied in order.
//
// The error is an ErrorList holding every problem found, the structural
// ones found by Parse included: unknown plugins, parameter errors
// (positioned at the offending value, or at the key of an unknown name),
// paths that match no file, missing inputs, cycles, input-type
// mismatches, bad scans and bad overrides.
func (f *File) Resolve(reg *plugin.Registry, overrides []string) (*Plan, error) {
	r := &resolver{f: f, reg: reg, byName: map[string]*group{}}
	for _, e := range f.errs.list {
		r.errs.push(e)
	}
	if reg == nil {
		r.errs.addf(Pos{File: f.Path}, "", "no plugin registry to resolve the workflow against")
		return nil, r.errs.err()
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	r.cwd = cwd
	plan := &Plan{
		Name: f.Name, Description: f.Description, Seed: f.Seed, Output: f.Output,
		PluginDirs: append([]string(nil), f.PluginDirs...), File: f.Abs, Hash: f.Hash,
	}
	for i, d := range f.Steps {
		g := &group{d: d, index: i}
		r.groups = append(r.groups, g)
		if _, dup := r.byName[d.Name]; !dup {
			r.byName[d.Name] = g
		}
	}
	stepOv := r.overrides(plan, overrides)
	for _, g := range r.groups {
		r.resolveGroup(g, plan.Seed, stepOv[g.d.Name])
	}
	if r.checkGraph() {
		for _, g := range r.order() {
			r.expand(g)
		}
	}
	if !r.errs.ok() {
		return nil, r.errs.err()
	}
	plan.Steps = r.topo()
	return plan, nil
}

// maxSteps bounds the number of steps a workflow expands to, so that a
// mistyped scan fails fast instead of planning millions of steps.
const maxSteps = 10000

type resolver struct {
	f      *File
	reg    *plugin.Registry
	errs   collector
	cwd    string
	groups []*group
	byName map[string]*group
	nSteps int
}

// group is a step of the file while it is being resolved.
type group struct {
	d     *StepDecl
	index int

	plugin plugin.Plugin
	spec   plugin.Spec    // plugin params then host params; nil if the plugin is unknown
	own    plugin.Spec    // the plugin's own params
	base   map[string]any // values given in `with` and overrides, canonical
	// pathDefaults holds the plugin's non-empty path defaults, resolved.
	pathDefaults map[string]any
	axes         []*axis // own scan axes
	seed         int64
	bad          bool // something failed: skip checks that depend on its scan axes

	compare []compared
	inputs  []inputRef

	// Expansion.
	all   []*axis  // inherited axes, then own
	keys  []string // keys of all, as in step names
	steps []*Step
}

type compared struct {
	name   string
	pos    Pos
	plugin plugin.Plugin
	spec   plugin.Spec
}

type axis struct {
	owner, param string
	seed         bool // a scan of the step seed
	vals         []any
	texts        []string
}

type coord struct {
	key, text string
}

type inputRef struct {
	Ref
	target string
	fixed  []coord
}

type override struct {
	Override
	pos Pos
}

// overrides applies top-level overrides to plan and returns the step ones
// by step name.
func (r *resolver) overrides(plan *Plan, list []string) map[string][]override {
	out := map[string][]override{}
	r.errs.order = map[string]int{}
	for i, s := range list {
		pos := Pos{File: "--set " + s}
		if _, dup := r.errs.order[pos.File]; !dup {
			r.errs.order[pos.File] = i
		}
		o, err := ParseOverride(s)
		if err != nil {
			r.errs.add(pos, "", err)
			continue
		}
		plan.Overrides = append(plan.Overrides, o)
		switch {
		case o.Step == "" && o.Key == "seed":
			x, err := strconv.ParseInt(strings.TrimSpace(o.Value), 0, 64)
			if err != nil {
				r.errs.addf(pos, "", "seed: want an integer, got %q", o.Value)
				continue
			}
			plan.Seed = x
		case o.Step == "" && o.Key == "output":
			if strings.TrimSpace(o.Value) == "" {
				r.errs.addf(pos, "", "output: want a folder, got an empty string")
				continue
			}
			plan.Output = absPath(o.Value, r.cwd)
		default:
			if r.byName[o.Step] == nil {
				r.errs.addf(pos, "", "no step named %q%s", o.Step, didYouMean(o.Step, r.stepNames()))
				continue
			}
			out[o.Step] = append(out[o.Step], override{o, pos})
		}
	}
	return out
}

func (r *resolver) stepNames() []string {
	out := make([]string, len(r.groups))
	for i, g := range r.groups {
		out[i] = g.d.Name
	}
	return out
}

func unknownParam(spec plugin.Spec, name string) error {
	msg := "unknown parameter"
	switch s := plugin.Suggest(name, spec.Names()); {
	case s != "":
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	case len(spec) == 0:
		msg += " (this plugin takes no parameters)"
	default:
		msg += " (known: " + strings.Join(spec.Names(), ", ") + ")"
	}
	return &plugin.ParamError{Param: name, Msg: msg}
}

func (r *resolver) resolveGroup(g *group, planSeed int64, ovs []override) {
	d := g.d
	name := d.Name
	if d.SeedSet {
		g.seed = d.Seed
	} else {
		g.seed = DeriveSeed(planSeed, name)
	}
	g.inputs = r.parseInputs(d)
	if d.Kind == "" || d.Plugin == "" {
		g.bad = true
		return
	}
	p, err := r.reg.Lookup(d.Kind, d.Plugin)
	if err != nil {
		r.errs.add(d.PluginPos, name, err)
		g.bad = true
	} else {
		g.plugin = p
		info := p.Info()
		g.own = info.Params
		g.spec = append(append(plugin.Spec{}, info.Params...), plugin.KindSpecs[d.Kind].HostParams...)
	}
	r.resolveCompare(g)
	if g.spec == nil {
		return
	}
	spec := g.spec
	g.base = map[string]any{}
	g.pathDefaults = map[string]any{}
	failed := map[string]bool{} // given but invalid: not also "required"

	// with
	for _, w := range d.With {
		ps, ok := spec.Lookup(w.Name)
		if !ok {
			r.errs.add(w.KeyPos, name, unknownParam(spec, w.Name))
			continue
		}
		v, err := coerce(ps, w.Value, r.f.Dir)
		if err != nil {
			r.errs.add(r.at(w.node, w.Pos, err), name, err)
			failed[w.Name] = true
			continue
		}
		g.base[w.Name] = v
	}

	// scan, with overrides of scanned parameters replacing the values
	scans := append([]ScanDecl(nil), d.Scan...)
	scanned := map[string]int{}
	for i, s := range scans {
		scanned[s.Param] = i
	}
	for _, o := range ovs {
		ps, ok := spec.Lookup(o.Key)
		if !ok {
			r.errs.add(o.pos, name, unknownParam(spec, o.Key))
			continue
		}
		if i, ok := scanned[o.Key]; ok {
			var vals []ScanValue
			for _, v := range overrideScanValues(o.Value, ps) {
				vals = append(vals, ScanValue{Value: v, Pos: o.pos})
			}
			scans[i].Values = vals
			continue
		}
		v, err := coerce(ps, overrideValue(o.Value, ps), r.cwd)
		if err != nil {
			r.errs.add(o.pos, name, err)
			failed[o.Key] = true
			continue
		}
		delete(failed, o.Key)
		g.base[o.Key] = v
	}
	for _, s := range scans {
		if a := r.scanAxis(g, s); a != nil {
			g.axes = append(g.axes, a)
		} else {
			g.bad = true
		}
	}

	// Path defaults, then required parameters.
	for _, ps := range spec {
		_, given := g.base[ps.Name]
		_, isScanned := scanned[ps.Name]
		if given || isScanned || failed[ps.Name] {
			continue
		}
		if ps.Required {
			r.errs.add(d.Pos, name, &plugin.ParamError{Param: ps.Name, Msg: fmt.Sprintf("is required (type %s)", ps.Type)})
			g.bad = true
			continue
		}
		if def, isStr := ps.Default.(string); ps.Type == plugin.TypePath && isStr && def != "" {
			abs := absPath(def, r.f.Dir)
			if err := checkPath(abs); err != nil {
				r.errs.add(d.Pos, name, &plugin.ParamError{Param: ps.Name, Msg: "default " + err.Error()})
				g.bad = true
				continue
			}
			g.pathDefaults[ps.Name] = abs
		}
	}
	if len(failed) > 0 {
		g.bad = true
	}
}

// at positions a coercion error: at the list element it names, or at the
// value's node, or at fallback when there is no node.
func (r *resolver) at(n *yaml.Node, fallback Pos, err error) Pos {
	if n == nil {
		return fallback
	}
	e := elementNode(n, errMsg(err))
	return Pos{File: r.f.Path, Line: e.Line, Col: e.Column}
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (r *resolver) scanAxis(g *group, s ScanDecl) *axis {
	name := g.d.Name
	a := &axis{owner: name, param: s.Param}
	ps, ok := g.spec.Lookup(s.Param)
	if !ok {
		if s.Param != "seed" {
			r.errs.add(s.KeyPos, name, unknownParam(g.spec, s.Param))
			return nil
		}
		a.seed = true
		ps = plugin.ParamSpec{Name: "seed", Type: plugin.TypeInt}
	}
	seen := map[string]bool{}
	bad := false
	for _, sv := range s.Values {
		base := r.f.Dir
		if sv.Pos.Line == 0 { // from an override
			base = r.cwd
		}
		v, err := coerce(ps, sv.Value, base)
		if err != nil {
			r.errs.push(&Error{Pos: r.at(sv.node, sv.Pos, err), Step: name, Msg: fmt.Sprintf("scan of %q: %s", s.Param, errMsg(err)), Err: err})
			bad = true
			continue
		}
		text := formatValue(v)
		if ps.Type == plugin.TypePath {
			text = filepath.Base(v.(string))
		}
		if err := checkNameText(text); err != nil {
			r.errs.addf(sv.Pos, name, "scan of %q: value %q %v", s.Param, text, err)
			bad = true
			continue
		}
		if seen[text] {
			r.errs.addf(sv.Pos, name, "scan of %q: value %s appears twice", s.Param, text)
			bad = true
			continue
		}
		seen[text] = true
		a.vals = append(a.vals, v)
		a.texts = append(a.texts, text)
	}
	if bad || len(a.vals) == 0 {
		return nil
	}
	return a
}

// errMsg is the message of a *plugin.ParamError or err's message.
func errMsg(err error) string {
	if pe, ok := err.(*plugin.ParamError); ok {
		return pe.Msg
	}
	return err.Error()
}

func (r *resolver) resolveCompare(g *group) {
	d := g.d
	if len(d.Compare) == 0 {
		return
	}
	if d.Kind != plugin.KindFitter {
		r.errs.addf(d.ComparePos, d.Name, "compare: only fitter steps compare fitters (this is a %s step)", d.Kind)
		return
	}
	seen := map[string]bool{}
	for _, c := range d.Compare {
		switch {
		case c.Name == d.Plugin:
			r.errs.addf(c.Pos, d.Name, "compare: %q is the step's own fitter", c.Name)
			continue
		case seen[c.Name]:
			r.errs.addf(c.Pos, d.Name, "compare: %q is listed twice", c.Name)
			continue
		}
		seen[c.Name] = true
		p, err := r.reg.Lookup(plugin.KindFitter, c.Name)
		if err != nil {
			r.errs.add(c.Pos, d.Name, fmt.Errorf("compare: %w", err))
			continue
		}
		g.compare = append(g.compare, compared{name: c.Name, pos: c.Pos, plugin: p, spec: p.Info().Params})
	}
}

// coerce checks one raw value against a parameter spec. A single value
// where a list is expected is a one-element list. Paths are made absolute
// relative to base and must match at least one file.
func coerce(ps plugin.ParamSpec, raw any, base string) (any, error) {
	switch ps.Type {
	case plugin.TypeIntList, plugin.TypeFloatList, plugin.TypeGrid, plugin.TypeStringList:
		switch raw.(type) {
		case int, int64, uint64, float64, bool:
			raw = []any{raw}
		}
	}
	v, err := ps.Coerce(raw)
	if err != nil {
		return nil, &plugin.ParamError{Param: ps.Name, Msg: err.Error()}
	}
	if ps.Type == plugin.TypePath {
		if s := v.(string); s != "" {
			abs := absPath(s, base)
			if err := checkPath(abs); err != nil {
				return nil, &plugin.ParamError{Param: ps.Name, Msg: err.Error()}
			}
			v = abs
		}
	}
	return v, nil
}

// checkPath verifies that a path, or a glob pattern, matches a file.
func checkPath(p string) error {
	if strings.ContainsAny(p, `*?[`) {
		m, err := filepath.Glob(p)
		if err != nil {
			return fmt.Errorf("bad glob pattern %q: %v", p, err)
		}
		if len(m) == 0 {
			return fmt.Errorf("no file matches %q", p)
		}
		return nil
	}
	if _, err := os.Stat(p); err != nil {
		return fmt.Errorf("no file matches %q", p)
	}
	return nil
}

// formatValue formats a canonical value for a step name: numbers
// shortest, lists joined by '_' (a one-element list as its element).
func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case []float64:
		return joinFormatted(len(x), func(i int) string { return formatValue(x[i]) })
	case []int64:
		return joinFormatted(len(x), func(i int) string { return formatValue(x[i]) })
	case []string:
		return joinFormatted(len(x), func(i int) string { return x[i] })
	}
	return fmt.Sprint(v)
}

func joinFormatted(n int, f func(int) string) string {
	s := make([]string, n)
	for i := range s {
		s[i] = f(i)
	}
	return strings.Join(s, "_")
}

// checkNameText refuses values that cannot appear in a step name (which
// names a folder under the output, on any system).
func checkNameText(s string) error {
	if s == "" {
		return fmt.Errorf("is empty and cannot name a scan point")
	}
	for _, c := range s {
		if c <= ' ' || strings.ContainsRune(`/\,@=:*?"<>|`, c) {
			return fmt.Errorf("cannot appear in a step name (it contains %q); use separate steps", c)
		}
	}
	return nil
}
