package csv

import (
	"context"
	"os"

	"github.com/smearflow/smearflow/core/jet"
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
	ignore := p.Has("extra_columns") && p.String("extra_columns") == "ignore"
	batch := req.BatchSize
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	sel, err := selection.New(p, req.Seed, files[0])
	if err != nil {
		return err
	}
	open := func(path string) (func(int) (*jet.Jets, error), func() error, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		p, err := NewParser(f, path, ignore)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return p.Next, f.Close, nil
	}
	return selection.StreamFiles(ctx, files, -1, batch, sel, open, emit)
}
