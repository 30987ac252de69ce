package engine

// TEMPORARY: replaced when the tagger, explainer and report land.

import (
	"context"
	"errors"

	"github.com/smearflow/smearflow/core/workflow"
)

func (e *Engine) runTagger(ctx context.Context, n *node, t any, inputs []Artifact) (Artifact, error) {
	return nil, errors.New("tagger steps are not available yet")
}

func (e *Engine) runExplainer(ctx context.Context, n *node, t any, inputs []Artifact) (Artifact, error) {
	return nil, errors.New("explainer steps are not available yet")
}

func loadModel(dir string) (Artifact, error)     { return nil, errors.New("not available") }
func loadRelevance(dir string) (Artifact, error) { return nil, errors.New("not available") }

func (e *Engine) writeReport(plan *workflow.Plan, nodes []*node, res *RunResult) (string, error) {
	return "", nil
}
