package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

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
	read := int64(0)
	last := time.Now()
	for k, f := range files {
		sel.SetSource(f)
		done, err := readFile(ctx, f, ignore, batch, sel, emit, func(n int) {
			read += int64(n)
			if time.Since(last) > 250*time.Millisecond {
				last = time.Now()
				plugin.ReportProgress(ctx, read, -1, fmt.Sprintf("reading %s (file %d of %d)", f, k+1, len(files)))
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
	plugin.ReportProgress(ctx, read, read, sel.Summary())
	return nil
}

func readFile(ctx context.Context, path string, ignore bool, batch int, sel *selection.Selector,
	emit func(*jet.Jets) error, progress func(int)) (done bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	p, err := NewParser(f, path, ignore)
	if err != nil {
		return false, err
	}
	for !sel.Done() {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		b, err := p.Next(batch)
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
