package engine

import "github.com/smearflow/smearflow/core/workflow"

// TEMPORARY until core/report lands.
func (e *Engine) writeReport(plan *workflow.Plan, nodes []*node, res *RunResult) (string, error) {
	return "", nil
}
