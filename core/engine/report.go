package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"

	"github.com/smearflow/smearflow/core/report"
	"github.com/smearflow/smearflow/core/workflow"
)

// writeReport converts the artifacts of a finished run into the report
// model and writes <output>/report.html with its plots.
func (e *Engine) writeReport(plan *workflow.Plan, nodes []*node, res *RunResult) (string, error) {
	run := &report.Run{Provenance: report.Provenance{
		Workflow: plan.Name, File: plan.File, FileSHA256: plan.Hash, Seed: plan.Seed, Output: plan.Output,
		Started: res.Started, Version: Version, Host: res.Host.Hostname, GoVersion: res.Host.GoVersion,
		OS: res.Host.OS, Arch: res.Host.Arch, CPUs: res.Host.CPUs,
	}}
	if plan.Description != "" {
		run.Notes = append(run.Notes, plan.Description)
	}
	taggers := map[string]*report.Tagger{}
	var groups []string // tagger groups in order of first appearance
	for _, n := range nodes {
		var params map[string]any
		json.Unmarshal(n.step.Params.JSON(), &params)
		run.Provenance.Steps = append(run.Provenance.Steps, report.Step{
			Name: n.step.Name, Kind: string(n.step.Kind), Plugin: n.step.PluginName, Version: n.info.Version,
			Origin: n.res.Origin, Inputs: n.step.Inputs, Params: params, Cached: n.res.Cached,
			Seconds: n.res.Seconds, CacheKey: n.key, Status: n.res.Status, Error: n.res.Error,
		})
		switch a := n.art.(type) {
		case *DistancesArtifact:
			run.Distances = append(run.Distances, distancesSection(n.step.Name, a))
		case *ScoresArtifact:
			sm := smearingSection(n.step.Name, n.step.PluginName, a)
			if n.step.HostParams.Has("confidence") {
				sm.BandLevel = n.step.HostParams.Float("confidence")
			}
			run.Smearing = append(run.Smearing, sm)
		case *FitArtifact:
			run.Extremes = append(run.Extremes, extremesSection(n.step.Name, a))
		case *ModelArtifact:
			t, ok := taggers[n.step.Group]
			if !ok {
				t = &report.Tagger{Step: n.step.Group, Plugin: n.step.PluginName}
				taggers[n.step.Group] = t
				groups = append(groups, n.step.Group)
			}
			t.Variants = append(t.Variants, taggerVariant(n.step.Name, a))
			if name, auc := a.BestSingle(); name != "" {
				t.Notes = append(t.Notes, fmt.Sprintf("%s: best single expert variable on the same test jets: %s, AUC %.4f.", n.step.Name, name, auc))
			}
		case *RelevanceArtifact:
			run.Relevance = append(run.Relevance, relevanceSection(n.step.Name, n.step.Params, a))
		}
	}
	for _, g := range groups {
		run.Taggers = append(run.Taggers, *taggers[g])
	}
	dir := plan.Output
	if _, err := report.Write(dir, run); err != nil {
		return "", err
	}
	return filepath.Join(dir, "report.html"), nil
}

func unitOf(normalized bool) string {
	if normalized {
		return report.UnitNormalized
	}
	return ""
}

func distancesSection(step string, a *DistancesArtifact) report.Distances {
	byKind := a.pairsByKind()
	return report.Distances{Step: step, Metric: a.Metric, Unit: unitOf(a.Normalized),
		QQ: byKind["qq"], GG: byKind["gg"], QG: byKind["qg"]}
}

func smearingSection(step, smearer string, a *ScoresArtifact) report.Smearing {
	s := report.Smearing{
		Step: step, Smearer: smearer, Input: a.Input, Metric: a.Metric, MetricUnit: unitOf(a.Normalized),
		Axis: a.Axis, Mode: a.Mode, Biased: a.Biased, BiasNote: a.BiasNote, Queries: len(a.Queries),
	}
	if a.Normalized {
		s.GeVScale = a.GeVScale
	}
	if !math.IsNaN(a.MedianNN) {
		s.NNScale = a.MedianNN
	}
	for k, l := range a.Labels {
		if l == 1 {
			s.Signal += a.Weights[k]
		} else {
			s.Background += a.Weights[k]
		}
	}
	col := func(name string) []float64 { v, _ := a.Table.Floats(name); return v }
	auc, lo, hi := col("auc"), col("auc_lo"), col("auc_hi")
	rej, rlo, rhi, empty := col("rejection50"), col("rejection50_lo"), col("rejection50_hi"), col("empty")
	kRadius := col("median_k_radius")
	for p, x := range a.Points {
		pt := report.SmearPoint{X: x, AUC: auc[p], AUCLo: lo[p], AUCHi: hi[p], Empty: empty[p]}
		if rej != nil {
			pt.Rejection, pt.RejectionLo, pt.RejectionHi = rej[p], rlo[p], rhi[p]
		}
		if kRadius != nil && !math.IsNaN(kRadius[p]) {
			pt.Radius = kRadius[p]
		}
		s.Points = append(s.Points, pt)
	}
	for _, c := range a.ROCs {
		s.ROCs = append(s.ROCs, report.ROC{Label: fmt.Sprintf("%s = %.4g", a.Axis, c.Point), SignalEff: c.TPR, BackgroundEff: c.FPR, AUC: c.AUC})
	}
	return s
}

func extremesSection(step string, a *FitArtifact) report.Extremes {
	s := report.Extremes{Step: step, Sample: a.SampleName, Values: a.Sample}
	if a.Metric != "" {
		s.Sample = fmt.Sprintf("%s (%s)", a.SampleName, a.Metric)
		s.Unit = unitOf(a.Normalized)
	}
	for _, f := range a.Fits {
		rf := report.Fit{Family: f.Family, N: f.N, LogLik: f.LogLik, AIC: f.AIC, KS: f.KS, KSPValue: f.KSPValue,
			AD: f.AD, ADPValue: f.ADPValue, Converged: f.Converged, Message: f.Message}
		for _, p := range f.Params {
			rf.Params = append(rf.Params, report.Param{Name: p.Name, Value: p.Value, StdErr: p.StdErr, Fixed: p.Fixed})
		}
		if f.Converged && len(f.PDF) == len(a.Eval) {
			rf.Eval, rf.PDF = a.Eval, f.PDF
		}
		if f.Converged && len(f.Quantiles) == len(a.Probabilities) {
			rf.Probabilities, rf.Quantiles = a.Probabilities, f.Quantiles
		}
		s.Fits = append(s.Fits, rf)
	}
	if L := a.Ladder; L != nil {
		sc := &report.Scaling{
			Median:    report.PowerLaw{Slope: L.Median.Slope, SlopeErr: L.Median.SlopeErr, Intercept: L.Median.Intercept},
			Mean:      report.PowerLaw{Slope: L.Mean.Slope, SlopeErr: L.Mean.SlopeErr, Intercept: L.Mean.Intercept},
			BandLevel: L.Level,
		}
		for _, p := range L.Points {
			lp := report.LadderPoint{N: p.N, Median: p.Median, MedianLo: p.MedianBand.Lo, MedianHi: p.MedianBand.Hi,
				Mean: p.Mean, MeanLo: p.MeanBand.Lo, MeanHi: p.MeanBand.Hi, WeibullShape: math.NaN()}
			if p.Weibull != nil && p.Weibull.Converged {
				if c, ok := p.Weibull.Param("c"); ok {
					lp.WeibullShape = c.Value
				}
			}
			sc.Points = append(sc.Points, lp)
		}
		for _, l := range L.Median.Local {
			sc.Local = append(sc.Local, report.LocalSlope{N1: l.N1, N2: l.N2, Slope: l.Slope, Lo: l.Band.Lo, Hi: l.Band.Hi})
		}
		s.Scaling = sc
	}
	return s
}

func taggerVariant(step string, a *ModelArtifact) report.TaggerVariant {
	name := a.Variant
	if name == "" {
		name = step
	}
	v := report.TaggerVariant{Name: name, AUC: a.TestAUC}
	for _, m := range a.Models {
		v.Seeds = append(v.Seeds, m.Seed)
		if m.History == nil {
			continue
		}
		tc := report.TrainingCurve{Seed: m.Seed}
		tc.Epoch, _ = m.History.Floats("epoch")
		tc.TrainLoss, _ = m.History.Floats("train_loss")
		tc.ValLoss, _ = m.History.Floats("val_loss")
		if tc.Epoch != nil && tc.TrainLoss != nil {
			v.Training = append(v.Training, tc)
		}
	}
	if len(a.ROC.FPR) > 0 {
		v.ROC = &report.ROC{Label: "seed 0", SignalEff: a.ROC.TPR, BackgroundEff: a.ROC.FPR, AUC: a.ROC.AUC}
	}
	return v
}

func relevanceSection(step string, params map[string]any, a *RelevanceArtifact) report.Relevance {
	r := report.Relevance{Step: step, Jets: len(a.Jets), MeanAbsResidual: a.MeanAbsResidual, MeanLost: a.MeanLost, FullAUC: a.FullAUC}
	if rule, ok := params["rule"]; ok {
		r.Rule = fmt.Sprint(rule)
		if b, ok := params["bias"]; ok {
			r.Rule += fmt.Sprintf(", bias %v", b)
		}
	}
	for _, o := range a.Expl.Output {
		r.MeanAbsOutput += math.Abs(o) / float64(len(a.Expl.Output))
	}
	for f, name := range a.Expl.Features {
		r.Features = append(r.Features, report.FeatureRelevance{Name: name, MeanAbs: a.MeanAbs[f], Expert: IsExpert(name)})
	}
	for i, k := range a.ReducedK {
		p := report.ReducedPoint{Kept: k, AUC: a.ReducedAUC[i], AUCLo: math.NaN(), AUCHi: math.NaN()}
		if s := a.ReducedStd[i]; !math.IsNaN(s) {
			p.AUCLo, p.AUCHi = a.ReducedAUC[i]-s, a.ReducedAUC[i]+s
		}
		r.Reduced = append(r.Reduced, p)
	}
	return r
}
