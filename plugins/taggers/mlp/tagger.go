package mlp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// config is the resolved parameter set.
type config struct {
	variant             string
	m                   int
	hidden, head        []int
	epochs, batch       int
	lr                  float64
	patience            int
	valFraction         float64
	expertColumns       []string
	standardizeLowLevel bool
}

func resolve(p plugin.Params) (config, error) {
	p, err := spec.Resolve(map[string]any(p))
	if err != nil {
		return config{}, fmt.Errorf("mlp: %w", err)
	}
	ints := func(v []int64) []int {
		out := make([]int, len(v))
		for i, x := range v {
			out[i] = int(x)
		}
		return out
	}
	c := config{
		variant: p.String("variant"), m: p.Int("constituents"),
		hidden: ints(p.Ints("hidden")), head: ints(p.Ints("head")),
		epochs: p.Int("epochs"), batch: p.Int("batch_size"), lr: p.Float("learning_rate"),
		patience: p.Int("patience"), valFraction: p.Float("validation_fraction"),
		expertColumns: p.Strings("expert_columns"), standardizeLowLevel: p.Bool("standardize_lowlevel"),
	}
	if c.variant == VariantLowLevel && len(c.expertColumns) > 0 {
		return config{}, &plugin.ParamError{Param: "expert_columns", Msg: "is set but variant is lowlevel (no expert inputs)"}
	}
	return c, nil
}

// features lists the candidate input features of a variant, before Keep.
func (c config) features(expert *table.Table) ([]string, error) {
	var out []string
	if c.variant != VariantExpert {
		out = nn.LowLevelNames(c.m)
	}
	if c.variant == VariantLowLevel {
		return out, nil
	}
	if expert == nil {
		return nil, fmt.Errorf("mlp: variant %s needs an expert table (the tagger step's second input, e.g. from the expert observables plugin)", c.variant)
	}
	cols := c.expertColumns
	if len(cols) == 0 {
		cols = nn.ExpertColumns(expert)
		if len(cols) == 0 {
			return nil, fmt.Errorf("mlp: the expert table has no float columns besides %s (columns: %s)", strings.Join(nn.ExcludedColumns, ", "), strings.Join(expert.Names(), ", "))
		}
	}
	for _, col := range cols {
		if _, _, low := nn.ParseLowLevel(col); low {
			return nil, fmt.Errorf("mlp: expert column %q has a low-level feature name (cNN_z, cNN_dy, cNN_dphi); rename it", col)
		}
		if slices.Contains(out, col) {
			return nil, fmt.Errorf("mlp: expert column %q is listed twice", col)
		}
		out = append(out, col)
	}
	return out, nil
}

// keep restricts features to the names in keep (in feature order).
func keep(features, keep []string) ([]string, error) {
	if len(keep) == 0 {
		return features, nil
	}
	want := map[string]bool{}
	for _, k := range keep {
		if !slices.Contains(features, k) {
			hint := ""
			if s := plugin.Suggest(k, features); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			return nil, fmt.Errorf("mlp: Keep names %q, which is not an input of this tagger%s", k, hint)
		}
		want[k] = true
	}
	var out []string
	for _, f := range features {
		if want[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// data builds a labelled raw matrix.
func data(what string, names []string, d plugin.Dataset) (nn.Data, error) {
	x, err := nn.Matrix(what, names, d.Jets, d.Expert)
	if err != nil {
		return nn.Data{}, fmt.Errorf("mlp: %w", err)
	}
	return nn.Data{X: x, Label: d.Jets.Label, Weight: d.Jets.Weight}, nil
}

// Split divides n jets with labels into training and validation indices:
// within each class, in input order, the jet at position p (0-based) goes
// to validation when ⌊(p+1)f⌋ > ⌊p f⌋, so a fraction f of each class,
// evenly spread, is held out, independently of any seed.
func Split(labels []int8, f float64) (train, val []int) {
	var pos [2]int
	for i, l := range labels {
		c := 0
		if l == jet.Quark {
			c = 1
		}
		p := float64(pos[c])
		pos[c]++
		if math.Floor((p+1)*f) > math.Floor(p*f) {
			val = append(val, i)
		} else {
			train = append(train, i)
		}
	}
	return train, val
}

func subset(d nn.Data, f int, idx []int) nn.Data {
	out := nn.Data{X: make([]float64, 0, len(idx)*f), Label: make([]int8, len(idx)), Weight: make([]float64, len(idx))}
	for r, i := range idx {
		out.X = append(out.X, d.X[i*f:(i+1)*f]...)
		out.Label[r] = d.Label[i]
		out.Weight[r] = d.Weight[i]
	}
	return out
}

// Train trains one network per seed (see the package doc and Info().Doc).
func (*Plugin) Train(ctx context.Context, req plugin.TrainRequest) ([]plugin.TrainedModel, error) {
	c, err := resolve(req.Params)
	if err != nil {
		return nil, err
	}
	if len(req.Seeds) == 0 {
		return nil, errors.New("mlp: no seeds: TrainRequest.Seeds must name one seed per model")
	}
	if err := nn.CheckJets("mlp: training set", req.Train.Jets); err != nil {
		return nil, err
	}
	if path, _ := req.Params["model_file"].(string); path != "" {
		return loadTrained(path, req)
	}
	all, err := c.features(req.Train.Expert)
	if err != nil {
		return nil, err
	}
	names, err := keep(all, req.Keep)
	if err != nil {
		return nil, err
	}
	full, err := data("training set", names, req.Train)
	if err != nil {
		return nil, err
	}
	f := len(names)
	var tr, va nn.Data
	if req.Validation.Jets != nil && req.Validation.Jets.Len() > 0 {
		tr = full
		if va, err = data("validation set", names, req.Validation); err != nil {
			return nil, err
		}
	} else {
		ti, vi := Split(full.Label, c.valFraction)
		tr, va = subset(full, f, ti), subset(full, f, vi)
	}
	arch := nn.Architecture{Hidden: c.hidden, Head: c.head, StandardizeLowLevel: c.standardizeLowLevel}
	total := int64(len(req.Seeds) * c.epochs)
	var last time.Time
	var out []plugin.TrainedModel
	for si, seed := range req.Seeds {
		net, err := nn.Build(names, arch, seed)
		if err != nil {
			return nil, fmt.Errorf("mlp: %w", err)
		}
		if _, err := net.SetStandardization(tr.X, tr.Rows()); err != nil {
			return nil, fmt.Errorf("mlp: %w", err)
		}
		hist := table.New()
		var ep, tl, vl, auc []float64
		opt := nn.Options{
			Epochs: c.epochs, BatchSize: c.batch, LearningRate: c.lr, Patience: c.patience,
			Progress: func(s nn.EpochStats) {
				ep, tl, vl, auc = append(ep, float64(s.Epoch)), append(tl, s.TrainLoss), append(vl, s.ValLoss), append(auc, s.ValAUC)
				if now := time.Now(); s.Epoch == 1 || now.Sub(last) > 200*time.Millisecond {
					last = now
					plugin.ReportProgress(ctx, int64(si*c.epochs+s.Epoch), total,
						fmt.Sprintf("seed %d: epoch %d, val loss %.4f, val AUC %.4f", seed, s.Epoch, s.ValLoss, s.ValAUC))
				}
			},
		}
		best, _, err := nn.Train(ctx, net, tr, va, opt, seed)
		if err != nil {
			return nil, fmt.Errorf("mlp: seed %d: %w", seed, err)
		}
		best.Description = fmt.Sprintf("smearflow mlp tagger %s, variant %s, seed %d", Version, best.Arch.Variant, seed)
		b, err := nn.Marshal(best)
		if err != nil {
			return nil, fmt.Errorf("mlp: %w", err)
		}
		hist.AddFloat("epoch", ep).AddFloat("train_loss", tl).AddFloat("val_loss", vl).AddFloat("val_auc", auc)
		out = append(out, plugin.TrainedModel{Seed: seed, Model: plugin.Model{Format: nn.FormatID, Data: b}, History: hist})
	}
	return out, nil
}

// loadTrained reads a model file instead of training: the model must
// take inputs the training data can provide (its feature names are built
// from the jets and the expert table), and every seed gets the same model.
func loadTrained(path string, req plugin.TrainRequest) ([]plugin.TrainedModel, error) {
	if len(req.Keep) > 0 {
		return nil, fmt.Errorf("mlp: model_file %s: a loaded model cannot be retrained on a reduced feature set (Keep)", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("mlp: model_file: %w", err)
	}
	net, err := nn.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("mlp: model_file %s: %w", path, err)
	}
	if _, err := data("training set", net.Features, req.Train); err != nil {
		return nil, fmt.Errorf("model_file %s: the model's inputs cannot be built from the data: %w", path, err)
	}
	canon, err := nn.Marshal(net)
	if err != nil {
		return nil, fmt.Errorf("mlp: model_file %s: %w", path, err)
	}
	out := make([]plugin.TrainedModel, len(req.Seeds))
	for i, s := range req.Seeds {
		out[i] = plugin.TrainedModel{Seed: s, Model: plugin.Model{Format: nn.FormatID, Data: canon}}
	}
	return out, nil
}

// LoadModel decodes a smearflow-mlp/1 model.
func LoadModel(m plugin.Model) (*nn.Network, error) {
	if m.Format != nn.FormatID {
		return nil, fmt.Errorf("mlp: model format %q, want %q", m.Format, nn.FormatID)
	}
	return nn.Unmarshal(m.Data)
}

// Predict returns the quark probability of every jet of data.
func (*Plugin) Predict(ctx context.Context, params plugin.Params, model plugin.Model, d plugin.Dataset) ([]float64, error) {
	net, err := LoadModel(model)
	if err != nil {
		return nil, err
	}
	x, err := nn.Matrix("mlp: prediction set", net.Features, d.Jets, d.Expert)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out, err := net.Logits(x, 0)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	for i, s := range out {
		out[i] = nn.Sigmoid(s)
	}
	return out, nil
}
