package engine

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// ScoresArtifact is the output of a smearer step: per-jet smeared scores
// at every point of the smearer's axis and the discrimination summary.
type ScoresArtifact struct {
	Smearer    string // kind/name@version
	Axis, Unit string
	Points     []float64
	Mode       string
	Biased     bool
	BiasNote   string
	// Per query (aligned): jet index, label, weight, fold (-1 outside
	// K-fold), reference normalisers.
	Queries      []int32
	Labels       []int8
	Weights      []float64
	Fold         []int32
	NormS, NormB []float64
	Scores       []float64 // len(Queries)×len(Points), query-major
	// Table is auc.csv: one row per point.
	Table *table.Table
	Best  int
	ROCs  []ROCCurve
	// From the distances input, for plots.
	Metric     string
	Input      string
	Normalized bool
	GeVScale   float64
	MedianNN   float64
	// Pass statistics: pairs evaluated by the metric, seconds, and the
	// memory held by the neighbour summaries and tile buffers.
	PairsComputed int64
	Seconds       float64
	BytesHeld     int64
}

// ROCCurve is a ROC curve kept at one axis point.
type ROCCurve struct {
	Point    float64
	AUC      float64
	FPR, TPR []float64
}

// Type implements Artifact.
func (a *ScoresArtifact) Type() plugin.ArtifactType { return plugin.ArtifactScores }

// Summary implements Artifact.
func (a *ScoresArtifact) Summary() map[string]any {
	auc, _ := a.Table.Floats("auc")
	empty, _ := a.Table.Floats("empty")
	out := map[string]any{
		"smearer": a.Smearer, "axis": a.Axis, "points": len(a.Points), "reference": a.Mode,
		"best_" + a.Axis: a.Points[a.Best], "best_auc": auc[a.Best], "auc": auc, a.Axis: a.Points,
		"empty": empty, "pairs_computed": a.PairsComputed, "pass_seconds": a.Seconds, "pass_memory_mb": float64(a.BytesHeld) / (1 << 20),
	}
	if a.Biased {
		out["biased"] = a.BiasNote
	}
	if a.Normalized && a.Axis == "eps" {
		out["best_eps_gev"] = a.Points[a.Best] * a.GeVScale
	}
	if r, err := a.Table.Floats("median_k_radius"); err == nil {
		out["median_k_radius"] = r
		out["best_k_radius"] = r[a.Best]
	}
	return out
}

func (e *Engine) runSmearer(ctx context.Context, n *node, sm plugin.Smearer, d *DistancesArtifact, input string) (*ScoresArtifact, error) {
	space, err := d.Space(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := neighbors.SmearConfigFromHostParams(n.step.HostParams, uint64(n.step.Seed))
	if err != nil {
		return nil, err
	}
	cfg.Workers = e.opts.Threads
	js := d.Jets.Jets
	res, err := neighbors.Smear(ctx, space, js.Label, js.Weight, cfg, sm, n.step.Params)
	if err != nil {
		return nil, err
	}
	a := &ScoresArtifact{
		Smearer: res.Plugin, Axis: res.Axis, Unit: res.Unit, Points: res.Points,
		Mode: string(res.Setup.Mode), Biased: res.Biased, BiasNote: res.BiasNote,
		Queries: res.Setup.Queries, Labels: res.Labels, Weights: res.Weights,
		NormS: res.Setup.NormS, NormB: res.Setup.NormB, Scores: res.Scores,
		Table: res.Table(), Best: res.Best(),
		Metric: d.Metric, Input: input, Normalized: d.Normalized, GeVScale: d.GeVScale, MedianNN: d.MedianNN(),
	}
	if res.Stats != nil {
		a.PairsComputed = res.Stats.Pairs
		a.Seconds = res.Stats.Elapsed.Seconds()
		a.BytesHeld = res.Stats.BytesHeld
	}
	a.Fold = make([]int32, len(a.Queries))
	for k, q := range a.Queries {
		a.Fold[k] = -1
		if res.Setup.Fold != nil {
			a.Fold[k] = res.Setup.Fold[q]
		}
	}
	var rocAt []float64
	if n.step.HostParams.Has("roc_at") {
		rocAt = n.step.HostParams.Floats("roc_at")
	}
	for _, p := range rocPoints(res.Points, a.Best, rocAt) {
		c, err := res.Curve(p)
		if err != nil {
			continue // one class only: no curve
		}
		a.ROCs = append(a.ROCs, ROCCurve{Point: res.Points[p], AUC: res.PerPoint[p].AUC, FPR: c.FPR, TPR: c.TPR})
	}
	return a, nil
}

// rocPoints picks the points whose ROC curves are kept: the requested axis
// values (nearest grid point each), or by default the best point and the
// points a quarter and three quarters along the axis.
func rocPoints(points []float64, best int, at []float64) []int {
	set := map[int]bool{}
	if len(at) > 0 {
		for _, v := range at {
			k, bestD := 0, math.Inf(1)
			for i, p := range points {
				if d := math.Abs(math.Log(math.Abs(p)+1e-300) - math.Log(math.Abs(v)+1e-300)); d < bestD {
					k, bestD = i, d
				}
			}
			set[k] = true
		}
	} else {
		set[best] = true
		set[len(points)/4] = true
		set[3*len(points)/4] = true
	}
	var out []int
	for k := range set {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func (a *ScoresArtifact) save(dir string) error {
	if err := writeCSV(filepath.Join(dir, "auc.csv"), a.Table); err != nil {
		return err
	}
	b := *a
	b.Table = nil
	return saveGob(dir, "scores.gob", &b)
}

func loadScores(dir string) (*ScoresArtifact, error) {
	var a ScoresArtifact
	if err := loadGob(dir, "scores.gob", &a); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, "auc.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if a.Table, err = table.ReadCSV(f); err != nil {
		return nil, err
	}
	return &a, nil
}

func (a *ScoresArtifact) export(dir string) ([]string, error) {
	files := []string{"auc.csv", "scores.npy", "jets.csv"}
	if err := writeCSV(filepath.Join(dir, "auc.csv"), a.Table); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(dir, "scores.npy"), func(w io.Writer) error {
		return npy.WriteMatrix(w, a.Scores, len(a.Queries), len(a.Points))
	}); err != nil {
		return nil, err
	}
	nq := len(a.Queries)
	jets, labels, folds := make([]float64, nq), make([]float64, nq), make([]float64, nq)
	for k := range a.Queries {
		jets[k], labels[k], folds[k] = float64(a.Queries[k]), float64(a.Labels[k]), float64(a.Fold[k])
	}
	jt := table.New().AddFloat("jet", jets).AddFloat("label", labels).AddFloat("weight", a.Weights).
		AddFloat("fold", folds).AddFloat("N_s_ref", a.NormS).AddFloat("N_b_ref", a.NormB)
	if err := writeCSV(filepath.Join(dir, "jets.csv"), jt); err != nil {
		return nil, err
	}
	for _, c := range a.ROCs {
		name := fmt.Sprintf("roc_%s_%s.csv", a.Axis, strconv.FormatFloat(c.Point, 'g', 6, 64))
		if err := writeCSV(filepath.Join(dir, name), table.New().AddFloat("fpr", c.FPR).AddFloat("tpr", c.TPR)); err != nil {
			return nil, err
		}
		files = append(files, name)
	}
	return files, nil
}
