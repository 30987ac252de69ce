package engine

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/core/table"
)

// RelevanceArtifact is the output of an explainer step: per-jet relevances
// of every input of the first model on held-out jets, the feature ranking
// by mean |relevance|, conservation, and the AUC kept by retraining on the
// top-k features.
type RelevanceArtifact struct {
	Explainer string
	Tagger    string
	Variant   string
	Jets      []int // explained jets (indices into the tagger's input jets)
	Expl      plugin.Explanation
	// Ranking: feature indices by decreasing mean |R|; MeanAbs and
	// MeanSigned per feature (in Expl.Features order).
	Ranking             []int
	MeanAbs, MeanSigned []float64
	// Conservation: mean |sum − output| and mean lost relevance per jet.
	MeanAbsResidual, MeanLost float64
	// Reduced-set retraining: K, AUC mean and std over seeds.
	ReducedK            []int
	ReducedAUC          []float64
	ReducedStd          []float64
	FullAUC, FullAUCStd float64
}

// Type implements Artifact.
func (a *RelevanceArtifact) Type() plugin.ArtifactType { return plugin.ArtifactRelevance }

// IsExpert reports whether a feature name is an expert variable (the MLP
// names low-level inputs cNN_z, cNN_dy, cNN_dphi).
func IsExpert(name string) bool {
	return !(len(name) > 3 && name[0] == 'c' && name[1] >= '0' && name[1] <= '9' && strings.Contains(name, "_"))
}

// Summary implements Artifact.
func (a *RelevanceArtifact) Summary() map[string]any {
	var top []any
	for r, f := range a.Ranking {
		if r == 10 {
			break
		}
		top = append(top, map[string]any{"feature": a.Expl.Features[f], "mean_abs_relevance": a.MeanAbs[f]})
	}
	out := map[string]any{"explainer": a.Explainer, "jets": len(a.Jets), "features": len(a.Expl.Features),
		"top10": top, "mean_abs_residual": a.MeanAbsResidual, "mean_lost": a.MeanLost, "full_auc": a.FullAUC}
	if len(a.ReducedK) > 0 {
		out["reduced_k"] = a.ReducedK
		out["reduced_auc"] = a.ReducedAUC
	}
	return out
}

func (e *Engine) runExplainer(ctx context.Context, n *node, x plugin.Explainer, inputs []Artifact) (*RelevanceArtifact, error) {
	m, err := as[*ModelArtifact](inputs[0], n.step.Inputs[0])
	if err != nil {
		return nil, err
	}
	if m.jets == nil {
		return nil, fmt.Errorf("the model of %q has no jets attached", n.step.Inputs[0])
	}
	hp := n.step.HostParams
	tagStep := n.inputs[0].step
	a := &RelevanceArtifact{Explainer: n.step.PluginName, Tagger: m.Tagger, Variant: m.Variant}
	a.Jets = m.Test
	if k := hp.Int("explain_jets"); len(a.Jets) > k {
		a.Jets = a.Jets[:k]
	}
	expl, err := x.Explain(ctx, plugin.ExplainRequest{Params: n.step.Params, Model: m.Models[0].Model, Data: dataset(m.jets, m.expert, a.Jets)})
	if err != nil {
		return nil, err
	}
	nj, nf := len(a.Jets), len(expl.Features)
	if len(expl.Relevance) != nj*nf || len(expl.Output) != nj || len(expl.Sum) != nj || len(expl.Lost) != nj {
		return nil, fmt.Errorf("%s returned %d relevances, %d outputs, %d sums and %d lost values for %d jets × %d features",
			n.step.PluginName, len(expl.Relevance), len(expl.Output), len(expl.Sum), len(expl.Lost), nj, nf)
	}
	a.Expl = *expl
	a.MeanAbs, a.MeanSigned = make([]float64, nf), make([]float64, nf)
	for j := 0; j < nj; j++ {
		for f := 0; f < nf; f++ {
			r := expl.Relevance[j*nf+f]
			a.MeanAbs[f] += math.Abs(r) / float64(nj)
			a.MeanSigned[f] += r / float64(nj)
		}
		a.MeanAbsResidual += math.Abs(expl.Sum[j]-expl.Output[j]) / float64(nj)
		a.MeanLost += expl.Lost[j] / float64(nj)
	}
	a.Ranking = make([]int, nf)
	for f := range a.Ranking {
		a.Ranking[f] = f
	}
	sort.SliceStable(a.Ranking, func(p, q int) bool { return a.MeanAbs[a.Ranking[p]] > a.MeanAbs[a.Ranking[q]] })
	a.FullAUC, a.FullAUCStd = m.MeanAUC()

	// Retrain on the top-k features.
	tg, ok := tagStep.Plugin.(plugin.Tagger)
	if !ok {
		return nil, fmt.Errorf("input %q was not made by a tagger", n.step.Inputs[0])
	}
	train, test := dataset(m.jets, m.expert, m.Train), dataset(m.jets, m.expert, m.Test)
	ks := hp.Ints("retrain_top_k")
	for i, k64 := range ks {
		k := int(k64)
		if k > nf {
			continue
		}
		plugin.ReportProgress(ctx, int64(i), int64(len(ks)), fmt.Sprintf("retraining on the top %d features", k))
		keep := make([]string, k)
		for r := 0; r < k; r++ {
			keep[r] = expl.Features[a.Ranking[r]]
		}
		models, err := tg.Train(ctx, plugin.TrainRequest{Params: tagStep.Params, Seeds: derivedSeeds(n.step.Seed+int64(k), hp.Int("retrain_seeds")), Train: train, Keep: keep})
		if err != nil {
			return nil, fmt.Errorf("retraining on the top %d features: %w", k, err)
		}
		var aucs []float64
		for _, mm := range models {
			p, err := tg.Predict(ctx, tagStep.Params, mm.Model, test)
			if err != nil {
				return nil, fmt.Errorf("retrained model (top %d): %w", k, err)
			}
			auc, err := roc.AUC(test.Jets.Label, p, test.Jets.Weight)
			if err != nil {
				return nil, err
			}
			aucs = append(aucs, auc)
		}
		mean, std := meanStd(aucs)
		a.ReducedK = append(a.ReducedK, k)
		a.ReducedAUC = append(a.ReducedAUC, mean)
		a.ReducedStd = append(a.ReducedStd, std)
	}
	return a, nil
}

// RankingTable returns the features by decreasing mean |relevance|.
func (a *RelevanceArtifact) RankingTable() *table.Table {
	var rank, mabs, msig []float64
	var names, kind []string
	for r, f := range a.Ranking {
		rank = append(rank, float64(r+1))
		names = append(names, a.Expl.Features[f])
		mabs = append(mabs, a.MeanAbs[f])
		msig = append(msig, a.MeanSigned[f])
		if IsExpert(a.Expl.Features[f]) {
			kind = append(kind, "expert")
		} else {
			kind = append(kind, "low-level")
		}
	}
	return table.New().AddFloat("rank", rank).AddString("feature", names).AddString("kind", kind).
		AddFloat("mean_abs_relevance", mabs).AddFloat("mean_relevance", msig)
}

func (a *RelevanceArtifact) save(dir string) error { return saveGob(dir, "relevance.gob", a) }

func loadRelevance(dir string) (*RelevanceArtifact, error) {
	var a RelevanceArtifact
	if err := loadGob(dir, "relevance.gob", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func (a *RelevanceArtifact) export(dir string) ([]string, error) {
	if err := writeCSV(filepath.Join(dir, "ranking.csv"), a.RankingTable()); err != nil {
		return nil, err
	}
	nj, nf := len(a.Jets), len(a.Expl.Features)
	if err := atomicfile.Write(filepath.Join(dir, "relevance.npy"), func(w io.Writer) error {
		return npy.WriteMatrix(w, a.Expl.Relevance, nj, nf)
	}); err != nil {
		return nil, err
	}
	cons := table.New().AddFloat("jet", intsF(a.Jets)).AddFloat("output", a.Expl.Output).
		AddFloat("sum_relevance", a.Expl.Sum).AddFloat("lost", a.Expl.Lost)
	if err := writeCSV(filepath.Join(dir, "conservation.csv"), cons); err != nil {
		return nil, err
	}
	feat := table.New().AddString("feature", a.Expl.Features)
	if err := writeCSV(filepath.Join(dir, "features.csv"), feat); err != nil {
		return nil, err
	}
	files := []string{"ranking.csv", "relevance.npy", "conservation.csv", "features.csv"}
	if len(a.ReducedK) > 0 {
		red := table.New().AddFloat("k", intsF(a.ReducedK)).AddFloat("auc_mean", a.ReducedAUC).AddFloat("auc_std", a.ReducedStd)
		if err := writeCSV(filepath.Join(dir, "reduced.csv"), red); err != nil {
			return nil, err
		}
		files = append(files, "reduced.csv")
	}
	return files, nil
}
