package lrp

import (
	"fmt"
	"math"
	"sort"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/plugin"
)

// FeatureScore is the importance of one input feature over a set of jets.
type FeatureScore struct {
	Feature string
	// Kind is "lowlevel" for constituent inputs (cNN_z, cNN_dy, cNN_dphi)
	// and "expert" for every other input.
	Kind string
	// MeanAbs is the mean |R| over the jets (the ranking key); Mean the
	// mean signed R.
	MeanAbs, Mean float64
}

// Rank returns every feature of an explanation with its mean |relevance|
// over the explanation's jets, most relevant first (ties in feature
// order). It checks the explanation's shape and values.
func Rank(expl *plugin.Explanation) ([]FeatureScore, error) {
	if err := CheckExplanation(expl); err != nil {
		return nil, err
	}
	f := len(expl.Features)
	n := len(expl.Relevance) / f
	out := make([]FeatureScore, f)
	for j, name := range expl.Features {
		out[j] = FeatureScore{Feature: name, Kind: "expert"}
		if _, _, low := nn.ParseLowLevel(name); low {
			out[j].Kind = "lowlevel"
		}
	}
	for i := 0; i < n; i++ {
		row := expl.Relevance[i*f : (i+1)*f]
		for j, r := range row {
			out[j].MeanAbs += math.Abs(r)
			out[j].Mean += r
		}
	}
	for j := range out {
		out[j].MeanAbs /= float64(n)
		out[j].Mean /= float64(n)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].MeanAbs > out[b].MeanAbs })
	return out, nil
}

// Top returns the names of the first k features of a ranking (all when
// k exceeds its length), e.g. for TrainRequest.Keep.
func Top(scores []FeatureScore, k int) []string {
	k = max(0, min(k, len(scores)))
	out := make([]string, k)
	for i := range out {
		out[i] = scores[i].Feature
	}
	return out
}

// CheckExplanation verifies that an explanation's arrays fit its features
// and hold finite numbers.
func CheckExplanation(expl *plugin.Explanation) error {
	if expl == nil {
		return fmt.Errorf("lrp: nil explanation")
	}
	f := len(expl.Features)
	if f == 0 || len(expl.Relevance) == 0 || len(expl.Relevance)%f != 0 {
		return fmt.Errorf("lrp: explanation has %d features and %d relevances (want a positive multiple)", f, len(expl.Relevance))
	}
	n := len(expl.Relevance) / f
	if len(expl.Output) != n || len(expl.Sum) != n || len(expl.Lost) != n {
		return fmt.Errorf("lrp: explanation of %d jets has %d outputs, %d sums, %d lost", n, len(expl.Output), len(expl.Sum), len(expl.Lost))
	}
	for i, r := range expl.Relevance {
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return fmt.Errorf("lrp: explanation: jet %d, feature %q: relevance %v", i/f, expl.Features[i%f], r)
		}
	}
	return nil
}
