package engine

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/core/table"
)

// ModelArtifact is the output of a tagger step: one trained model per
// seed, evaluated on a held-out, stratified test split.
type ModelArtifact struct {
	Tagger  string // plugin name
	Variant string // the tagger's "variant" parameter, if any
	Models  []plugin.TrainedModel
	// Train and Test are jet indices into the input jets.
	Train, Test []int
	// TestAUC per model; Predictions are test-set quark probabilities,
	// model-major (len(Models)×len(Test)).
	TestAUC     []float64
	Predictions []float64
	// ROC of the first model on the test set.
	ROC ROCCurve
	// Single-variable AUCs (max(AUC, 1−AUC)) of the expert columns on the
	// test set, for comparison.
	SingleAUC map[string]float64

	jets   *JetsArtifact
	expert *TableArtifact
}

// Type implements Artifact.
func (a *ModelArtifact) Type() plugin.ArtifactType { return plugin.ArtifactModel }

// MeanAUC returns the mean and sample standard deviation of the test AUCs.
func (a *ModelArtifact) MeanAUC() (mean, std float64) { return meanStd(a.TestAUC) }

func meanStd(x []float64) (mean, std float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, math.NaN()
	}
	for _, v := range x {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)-1))
}

// BestSingle returns the expert column with the highest single-variable AUC.
func (a *ModelArtifact) BestSingle() (string, float64) {
	best, auc := "", math.NaN()
	for _, k := range sortedKeys(a.SingleAUC) {
		if v := a.SingleAUC[k]; best == "" || v > auc {
			best, auc = k, v
		}
	}
	return best, auc
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Summary implements Artifact.
func (a *ModelArtifact) Summary() map[string]any {
	m, s := a.MeanAUC()
	out := map[string]any{"tagger": a.Tagger, "variant": a.Variant, "seeds": len(a.Models), "test_jets": len(a.Test),
		"train_jets": len(a.Train), "test_auc": a.TestAUC, "auc_mean": m, "auc_std": s}
	if name, auc := a.BestSingle(); name != "" {
		out["best_single_variable"] = name
		out["best_single_auc"] = auc
	}
	return out
}

// dataset returns the jets and expert rows of the given indices.
func dataset(jets *JetsArtifact, expert *TableArtifact, idx []int) plugin.Dataset {
	ds := plugin.Dataset{Jets: jets.Jets.Subset(idx)}
	if expert != nil {
		ds.Expert = subsetTable(expert.Table, idx)
	}
	return ds
}

func subsetTable(t *table.Table, idx []int) *table.Table {
	out := table.New()
	for _, c := range t.Columns {
		if c.IsString() {
			v := make([]string, len(idx))
			for r, i := range idx {
				v[r] = c.String[i]
			}
			out.AddString(c.Name, v)
		} else {
			v := make([]float64, len(idx))
			for r, i := range idx {
				v[r] = c.Float[i]
			}
			out.AddFloat(c.Name, v)
		}
	}
	return out
}

// stratifiedSplit puts a fraction of each class (seeded) in the test set.
// Both index lists come back sorted.
func stratifiedSplit(labels []int8, frac float64, seed int64) (train, test []int) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x73706c6974))
	for _, cls := range []int8{jet.Gluon, jet.Quark} {
		var idx []int
		for i, l := range labels {
			if l == cls {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		nt := int(math.Round(frac * float64(len(idx))))
		test = append(test, idx[:nt]...)
		train = append(train, idx[nt:]...)
	}
	sort.Ints(train)
	sort.Ints(test)
	return
}

// derivedSeeds returns n seeds derived from a step seed.
func derivedSeeds(seed int64, n int) []int64 {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7365656473))
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(rng.Uint64() >> 1)
	}
	return out
}

func (e *Engine) runTagger(ctx context.Context, n *node, tg plugin.Tagger, inputs []Artifact) (*ModelArtifact, error) {
	jets, err := as[*JetsArtifact](inputs[0], n.step.Inputs[0])
	if err != nil {
		return nil, err
	}
	var expert *TableArtifact
	if len(inputs) > 1 {
		if expert, err = as[*TableArtifact](inputs[1], n.step.Inputs[1]); err != nil {
			return nil, err
		}
		if expert.Table.Rows() != jets.Jets.Len() {
			return nil, fmt.Errorf("expert table %q has %d rows for %d jets", n.step.Inputs[1], expert.Table.Rows(), jets.Jets.Len())
		}
	}
	hp := n.step.HostParams
	a := &ModelArtifact{Tagger: n.step.PluginName, jets: jets, expert: expert}
	if v, ok := n.step.Params["variant"].(string); ok {
		a.Variant = v
	}
	a.Train, a.Test = stratifiedSplit(jets.Jets.Label, hp.Float("test_fraction"), n.step.Seed)
	if len(a.Test) < 2 || len(a.Train) < 2 {
		return nil, fmt.Errorf("%d jets are too few to split into training and test sets", jets.Jets.Len())
	}
	// Both sets need both classes (for training, and for the test AUC);
	// say so before training rather than after.
	for _, set := range []struct {
		name string
		idx  []int
	}{{"training", a.Train}, {"test", a.Test}} {
		var q, g int
		for _, i := range set.idx {
			if jets.Jets.Label[i] == jet.Quark {
				q++
			} else {
				g++
			}
		}
		if q == 0 || g == 0 {
			return nil, fmt.Errorf("the %s set has %d quark and %d gluon jets (test_fraction %g of %d jets): a tagger needs both classes in both sets",
				set.name, q, g, hp.Float("test_fraction"), jets.Jets.Len())
		}
	}
	train, test := dataset(jets, expert, a.Train), dataset(jets, expert, a.Test)
	models, err := tg.Train(ctx, plugin.TrainRequest{Params: n.step.Params, Seeds: derivedSeeds(n.step.Seed, hp.Int("seeds")), Train: train})
	if err != nil {
		return nil, err
	}
	if len(models) != hp.Int("seeds") {
		return nil, fmt.Errorf("%s trained %d models for %d seeds", n.step.PluginName, len(models), hp.Int("seeds"))
	}
	a.Models = models
	for k, m := range models {
		p, err := tg.Predict(ctx, n.step.Params, m.Model, test)
		if err != nil {
			return nil, fmt.Errorf("predict with model %d: %w", k, err)
		}
		if len(p) != len(a.Test) {
			return nil, fmt.Errorf("%s predicted %d values for %d jets", n.step.PluginName, len(p), len(a.Test))
		}
		auc, err := roc.AUC(test.Jets.Label, p, test.Jets.Weight)
		if err != nil {
			return nil, fmt.Errorf("test AUC of model %d: %w", k, err)
		}
		a.TestAUC = append(a.TestAUC, auc)
		a.Predictions = append(a.Predictions, p...)
		if k == 0 {
			if c, err := roc.ROC(test.Jets.Label, p, test.Jets.Weight); err == nil {
				a.ROC = ROCCurve{AUC: auc, FPR: c.FPR, TPR: c.TPR}
			}
		}
	}
	if expert != nil {
		a.SingleAUC = singleAUCs(test)
	}
	return a, nil
}

// singleAUCs is max(AUC, 1−AUC) of every numeric expert column.
func singleAUCs(ds plugin.Dataset) map[string]float64 {
	out := map[string]float64{}
	for _, c := range ds.Expert.Columns {
		if c.IsString() || c.Name == "jet_index" {
			continue
		}
		auc, err := roc.AUC(ds.Jets.Label, c.Float, ds.Jets.Weight)
		if err != nil || math.IsNaN(auc) {
			continue
		}
		out[c.Name] = math.Max(auc, 1-auc)
	}
	return out
}

func (a *ModelArtifact) save(dir string) error { return saveGob(dir, "model.gob", a) }

func loadModel(dir string, inputs []Artifact) (*ModelArtifact, error) {
	var a ModelArtifact
	if err := loadGob(dir, "model.gob", &a); err != nil {
		return nil, err
	}
	a.jets, _ = inputs[0].(*JetsArtifact)
	if len(inputs) > 1 {
		a.expert, _ = inputs[1].(*TableArtifact)
	}
	return &a, nil
}

func (a *ModelArtifact) export(dir string) ([]string, error) {
	var files []string
	for k, m := range a.Models {
		name := fmt.Sprintf("model_seed%d.json", k)
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), m.Model.Data); err != nil {
			return nil, err
		}
		files = append(files, name)
		if m.History != nil {
			name := fmt.Sprintf("history_seed%d.csv", k)
			if err := writeCSV(filepath.Join(dir, name), m.History); err != nil {
				return nil, err
			}
			files = append(files, name)
		}
	}
	seeds := make([]float64, len(a.Models))
	for k, m := range a.Models {
		seeds[k] = float64(m.Seed)
	}
	if err := writeCSV(filepath.Join(dir, "auc.csv"), table.New().AddFloat("seed", seeds).AddFloat("test_auc", a.TestAUC)); err != nil {
		return nil, err
	}
	pt := table.New().AddFloat("jet", intsF(a.Test))
	if a.jets != nil {
		lab := make([]float64, len(a.Test))
		for r, i := range a.Test {
			lab[r] = float64(a.jets.Jets.Label[i])
		}
		pt.AddFloat("label", lab)
	}
	for k := range a.Models {
		pt.AddFloat(fmt.Sprintf("p_seed%d", k), a.Predictions[k*len(a.Test):(k+1)*len(a.Test)])
	}
	if err := writeCSV(filepath.Join(dir, "predictions.csv"), pt); err != nil {
		return nil, err
	}
	return append(files, "auc.csv", "predictions.csv"), nil
}

func intsF(x []int) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}
