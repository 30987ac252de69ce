package plugin

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Registry maps (kind, name) to plugins. The zero value is empty and ready
// to use; it is safe for concurrent use. There is no global registry:
// the runner builds one from the built-ins (see plugins/builtin) and the
// external plugins it discovers, and tests build their own.
type Registry struct {
	mu      sync.RWMutex
	plugins map[Kind]map[string]Plugin
	origin  map[string]string // kind/name -> "builtin" or the binary path
}

// NewRegistry returns a registry holding the given plugins.
func NewRegistry(ps ...Plugin) (*Registry, error) {
	r := &Registry{}
	for _, p := range ps {
		if err := r.Register(p); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds a built-in plugin.
func (r *Registry) Register(p Plugin) error { return r.RegisterFrom(p, "builtin") }

// RegisterFrom adds a plugin and records where it came from (a binary path
// for external plugins). The plugin's Info is checked; a second plugin
// with the same kind and name is an error naming both origins.
func (r *Registry) RegisterFrom(p Plugin, origin string) error {
	info := p.Info()
	if err := info.Check(); err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.plugins == nil {
		r.plugins = map[Kind]map[string]Plugin{}
		r.origin = map[string]string{}
	}
	if r.plugins[info.Kind] == nil {
		r.plugins[info.Kind] = map[string]Plugin{}
	}
	if _, dup := r.plugins[info.Kind][info.Name]; dup {
		return fmt.Errorf("plugin %s from %s is already provided by %s", info.ID(), origin, r.origin[info.ID()])
	}
	r.plugins[info.Kind][info.Name] = p
	r.origin[info.ID()] = origin
	return nil
}

// Origin returns where a plugin came from ("builtin" or a binary path).
func (r *Registry) Origin(kind Kind, name string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.origin[string(kind)+"/"+name]
}

// UnknownPluginError is returned by Lookup for a name the registry does not hold.
type UnknownPluginError struct {
	Kind       Kind
	Name       string
	Known      []string
	Suggestion string
}

func (e *UnknownPluginError) Error() string {
	msg := fmt.Sprintf("unknown %s plugin %q", e.Kind, e.Name)
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	}
	if len(e.Known) > 0 {
		msg += fmt.Sprintf("; available: %s", strings.Join(e.Known, ", "))
	} else {
		msg += "; none are available"
	}
	return msg
}

// Lookup returns the plugin of the given kind and name.
func (r *Registry) Lookup(kind Kind, name string) (Plugin, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if p, ok := r.plugins[kind][name]; ok {
		return p, nil
	}
	known := r.namesLocked(kind)
	return nil, &UnknownPluginError{Kind: kind, Name: name, Known: known, Suggestion: Suggest(name, known)}
}

// Names lists the plugin names of a kind, sorted.
func (r *Registry) Names(kind Kind) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked(kind)
}

func (r *Registry) namesLocked(kind Kind) []string {
	var out []string
	for n := range r.plugins[kind] {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// All returns every plugin, ordered by kind (pipeline order) then name.
func (r *Registry) All() []Plugin {
	var out []Plugin
	for _, k := range Kinds {
		for _, n := range r.Names(k) {
			p, _ := r.Lookup(k, n)
			out = append(out, p)
		}
	}
	return out
}

// Typed lookups.

// Reader returns the named reader.
func (r *Registry) Reader(name string) (Reader, error) { return lookupAs[Reader](r, KindReader, name) }

// Metric returns the named metric.
func (r *Registry) Metric(name string) (Metric, error) { return lookupAs[Metric](r, KindMetric, name) }

// Smearer returns the named smearer.
func (r *Registry) Smearer(name string) (Smearer, error) {
	return lookupAs[Smearer](r, KindSmearer, name)
}

// Fitter returns the named fitter.
func (r *Registry) Fitter(name string) (Fitter, error) { return lookupAs[Fitter](r, KindFitter, name) }

// Observables returns the named observables plugin.
func (r *Registry) Observables(name string) (Observables, error) {
	return lookupAs[Observables](r, KindObservables, name)
}

// Tagger returns the named tagger.
func (r *Registry) Tagger(name string) (Tagger, error) { return lookupAs[Tagger](r, KindTagger, name) }

// Explainer returns the named explainer.
func (r *Registry) Explainer(name string) (Explainer, error) {
	return lookupAs[Explainer](r, KindExplainer, name)
}

func lookupAs[T Plugin](r *Registry, kind Kind, name string) (T, error) {
	var zero T
	p, err := r.Lookup(kind, name)
	if err != nil {
		return zero, err
	}
	t, ok := p.(T)
	if !ok {
		return zero, fmt.Errorf("plugin %s/%s does not implement the %s interface", kind, name, kind)
	}
	return t, nil
}
