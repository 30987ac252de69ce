package lrp

import (
	"context"
	"fmt"
	"time"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/plugin"
)

// ConfigFromParams converts the plugin's parameters (resolved against its
// spec; missing ones take their defaults) to a Config.
func ConfigFromParams(p plugin.Params) (Config, error) {
	p, err := spec.Resolve(map[string]any(p))
	if err != nil {
		return Config{}, fmt.Errorf("lrp: %w", err)
	}
	c := Config{
		Rule: Rule(p.String("rule")), BiasIncluded: p.String("bias") == "included",
		Epsilon: p.Float("epsilon"), Gamma: p.Float("gamma"), Alpha: p.Float("alpha"), Beta: p.Float("beta"),
	}
	return c, c.Validate()
}

// Explain computes the relevance of every input of the model for every jet
// of the data set (jets, and the expert table when the model has expert
// inputs).
func (*Plugin) Explain(ctx context.Context, req plugin.ExplainRequest) (*plugin.Explanation, error) {
	cfg, err := ConfigFromParams(req.Params)
	if err != nil {
		return nil, err
	}
	if req.Model.Format != nn.FormatID {
		return nil, fmt.Errorf("lrp: model format %q, want %q", req.Model.Format, nn.FormatID)
	}
	net, err := nn.Unmarshal(req.Model.Data)
	if err != nil {
		return nil, fmt.Errorf("lrp: %w", err)
	}
	x, err := nn.Matrix("lrp: data", net.Features, req.Data.Jets, req.Data.Expert)
	if err != nil {
		return nil, err
	}
	var last time.Time
	progress := func(done, total int) {
		if now := time.Now(); done == total || now.Sub(last) > 200*time.Millisecond {
			last = now
			plugin.ReportProgress(ctx, int64(done), int64(total), "jets explained")
		}
	}
	expl, _, err := Batch(ctx, net, cfg, x, 0, progress)
	return expl, err
}

// Conservation summarises the relevance balance of an explanation.
type Conservation struct {
	Jets int
	// MeanAbsLost, MaxAbsLost: mean and maximum over jets of |output - sum|;
	// MeanLost is the signed mean; MeanAbsOutput the mean |output| (scale).
	MeanAbsLost, MaxAbsLost, MeanLost, MeanAbsOutput float64
	// RelativeLost = MeanAbsLost / MeanAbsOutput (NaN when every output is 0).
	RelativeLost float64
}

// Summarize computes the conservation summary of an explanation.
func Summarize(expl *plugin.Explanation) (Conservation, error) {
	if err := CheckExplanation(expl); err != nil {
		return Conservation{}, err
	}
	c := Conservation{Jets: len(expl.Output)}
	for i, o := range expl.Output {
		l := expl.Lost[i]
		c.MeanAbsLost += abs(l)
		c.MaxAbsLost = max(c.MaxAbsLost, abs(l))
		c.MeanLost += l
		c.MeanAbsOutput += abs(o)
	}
	n := float64(c.Jets)
	c.MeanAbsLost /= n
	c.MeanLost /= n
	c.MeanAbsOutput /= n
	c.RelativeLost = c.MeanAbsLost / c.MeanAbsOutput
	return c, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
