package npz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
	read := 0
	last := time.Now()
	for _, f := range files {
		sel.SetSource(f)
		done, err := readFile(ctx, f, opt, batch, sel, emit, func(n int) {
			read += n
			if time.Since(last) > 250*time.Millisecond {
				last = time.Now()
				plugin.ReportProgress(ctx, int64(read), int64(total), "reading "+f)
			}
		})
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	rest, err := sel.Finish()
	if err != nil {
		if len(files) > 1 {
			return fmt.Errorf("%w (files: %s)", err, strings.Join(files, ", "))
		}
		return err
	}
	if err := selection.EmitChunks(rest, batch, emit); err != nil {
		return err
	}
	plugin.ReportProgress(ctx, int64(read), int64(total), sel.Summary())
	return nil
}

// readFile streams one file through the selector; done reports that the
// selection is full.
func readFile(ctx context.Context, path string, opt npy.EnergyFlowOptions, batch int, sel *selection.Selector,
	emit func(*jet.Jets) error, progress func(int)) (done bool, err error) {
	r, err := npy.OpenJets(path, opt)
	if err != nil {
		return false, err
	}
	defer r.Close()
	for !sel.Done() {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		b, err := r.Next(batch)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		progress(b.Len())
		kept, err := sel.Add(b)
		if err != nil {
			return false, err
		}
		if kept.Len() > 0 {
			if err := emit(kept); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}
