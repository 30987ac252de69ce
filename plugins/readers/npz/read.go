package npz

import (
	"context"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// Read streams the selected jets of every file matched by the path
// parameter, in order, as batches passed to emit.
func (*Reader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	p := req.Params
	files, err := selection.Files(p.String("path"))
	if err != nil {
		return err
	}
	opt := npy.EnergyFlowOptions{XKey: p.String("x_key"), YKey: p.String("y_key")}
	if p.Has("weight_key") {
		opt.WeightKey = p.String("weight_key")
	}
	if p.Has("aux_keys") {
		for _, k := range p.Strings("aux_keys") {
			if k != selection.SourceIndex {
				opt.AuxKeys = append(opt.AuxKeys, k)
			}
		}
	}
	batch := req.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	// Check every file's layout before reading any jets, and count them.
	total := 0
	for _, f := range files {
		r, err := npy.OpenJets(f, opt)
		if err != nil {
			return err
		}
		total += r.Len()
		r.Close()
	}
	sel, err := selection.New(p, req.Seed, files[0])
	if err != nil {
		return err
	}
	open := func(path string) (func(int) (*jet.Jets, error), func() error, error) {
		r, err := npy.OpenJets(path, opt)
		if err != nil {
			return nil, nil, err
		}
		return r.Next, r.Close, nil
	}
	return selection.StreamFiles(ctx, files, int64(total), batch, sel, open, emit)
}
