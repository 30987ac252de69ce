package engine

import (
	"context"
	"fmt"

	"github.com/smearflow/smearflow/core/plugin"
)

// execute runs one step's plugin on its inputs.
func (e *Engine) execute(ctx context.Context, n *node, inputs []Artifact) (Artifact, error) {
	s := n.step
	input := func(i int) string { return s.Inputs[i] }
	switch s.Kind {
	case plugin.KindReader:
		r, ok := s.Plugin.(plugin.Reader)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		return e.runReader(ctx, n, r)
	case plugin.KindMetric:
		m, ok := s.Plugin.(plugin.Metric)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		jets, err := as[*JetsArtifact](inputs[0], input(0))
		if err != nil {
			return nil, err
		}
		return e.runMetric(ctx, n, m, jets)
	case plugin.KindSmearer:
		sm, ok := s.Plugin.(plugin.Smearer)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		d, err := as[*DistancesArtifact](inputs[0], input(0))
		if err != nil {
			return nil, err
		}
		return e.runSmearer(ctx, n, sm, d, input(0))
	case plugin.KindFitter:
		f, ok := s.Plugin.(plugin.Fitter)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		return e.runFitter(ctx, n, f, inputs[0], input(0))
	case plugin.KindObservables:
		o, ok := s.Plugin.(plugin.Observables)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		jets, err := as[*JetsArtifact](inputs[0], input(0))
		if err != nil {
			return nil, err
		}
		t, err := o.Compute(ctx, plugin.ObservablesRequest{Params: s.Params, Jets: jets.Jets})
		if err != nil {
			return nil, err
		}
		if err := t.Check(); err != nil {
			return nil, fmt.Errorf("%s returned a malformed table: %w", s.PluginName, err)
		}
		if t.Rows() != jets.Jets.Len() {
			return nil, fmt.Errorf("%s returned %d rows for %d jets", s.PluginName, t.Rows(), jets.Jets.Len())
		}
		return &TableArtifact{Table: t, Kind: "observables"}, nil
	case plugin.KindTagger:
		t, ok := s.Plugin.(plugin.Tagger)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		return e.runTagger(ctx, n, t, inputs)
	case plugin.KindExplainer:
		x, ok := s.Plugin.(plugin.Explainer)
		if !ok {
			return nil, notKind(s.PluginName, s.Kind)
		}
		return e.runExplainer(ctx, n, x, inputs)
	}
	return nil, fmt.Errorf("unknown step kind %q", s.Kind)
}

// load reads a cached artifact.
func (e *Engine) load(ctx context.Context, n *node, inputs []Artifact, dir string) (Artifact, error) {
	switch n.step.Kind {
	case plugin.KindReader:
		return loadJets(dir)
	case plugin.KindMetric:
		jets, err := as[*JetsArtifact](inputs[0], n.step.Inputs[0])
		if err != nil {
			return nil, err
		}
		return loadDistances(n, dir, jets, e.opts.Threads)
	case plugin.KindSmearer:
		return loadScores(dir)
	case plugin.KindFitter:
		return loadFit(dir)
	case plugin.KindObservables:
		return loadTable(dir, "observables")
	case plugin.KindTagger:
		return loadModel(dir, inputs)
	case plugin.KindExplainer:
		return loadRelevance(dir)
	}
	return nil, fmt.Errorf("unknown step kind %q", n.step.Kind)
}

func notKind(name string, k plugin.Kind) error {
	return fmt.Errorf("plugin %q does not implement the %s interface", name, k)
}

func as[T Artifact](a Artifact, name string) (T, error) {
	t, ok := a.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("input %q is a %s artifact, not %T", name, a.Type(), zero)
	}
	return t, nil
}
