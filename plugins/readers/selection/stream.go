package selection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// Files expands a reader's path parameter: a file name, or a glob
// (filepath.Match syntax: *, ?, [...]) matching one or more files, returned
// in sorted order. No match is an error naming the pattern.
func Files(pattern string) ([]string, error) {
	if pattern == "" {
		return nil, fmt.Errorf("parameter \"path\": empty path")
	}
	if !strings.ContainsAny(pattern, "*?[") {
		st, err := os.Stat(pattern)
		if err != nil {
			return nil, fmt.Errorf("parameter \"path\": %w", err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("parameter \"path\": %s is a folder, not a file (use a glob such as %s)", pattern, filepath.Join(pattern, "*.npz"))
		}
		return []string{pattern}, nil
	}
	m, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("parameter \"path\": bad glob %q: %w", pattern, err)
	}
	var files []string
	for _, f := range m {
		if st, err := os.Stat(f); err == nil && !st.IsDir() {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("parameter \"path\": %q matches no file", pattern)
	}
	sort.Strings(files)
	return files, nil
}

// EmitChunks passes j to emit in consecutive batches of at most size jets
// (all at once when size <= 0); an empty j emits nothing.
func EmitChunks(j *jet.Jets, size int, emit func(*jet.Jets) error) error {
	n := j.Len()
	if n == 0 {
		return nil
	}
	if size <= 0 || n <= size {
		return emit(j)
	}
	for lo := 0; lo < n; lo += size {
		idx := make([]int, 0, size)
		for i := lo; i < min(lo+size, n); i++ {
			idx = append(idx, i)
		}
		sub := j.Subset(idx)
		if err := emit(sub); err != nil {
			return err
		}
	}
	return nil
}

// ParamFiles expands a reader parameter naming a file or a glob (*, ?,
// [...]) into the matching files, sorted. Unlike Files, every error is a
// *plugin.ParamError naming param: an unreadable file, a bad glob, a glob
// matching nothing. A glob's matches are returned as filepath.Glob gives
// them (folders included).
func ParamFiles(param, pattern string) ([]string, error) {
	if !strings.ContainsAny(pattern, "*?[") {
		if _, err := os.Stat(pattern); err != nil {
			return nil, &plugin.ParamError{Param: param, Msg: fmt.Sprintf("cannot read %s: %v", pattern, errors.Unwrap(err))}
		}
		return []string{pattern}, nil
	}
	m, err := filepath.Glob(pattern)
	if err != nil {
		return nil, &plugin.ParamError{Param: param, Msg: fmt.Sprintf("bad glob %q: %v", pattern, err)}
	}
	if len(m) == 0 {
		return nil, &plugin.ParamError{Param: param, Msg: fmt.Sprintf("%q matches no file", pattern)}
	}
	slices.Sort(m)
	return m, nil
}

// Feeder returns the function a reader calls with every batch it builds:
// the batch goes through the selection (Add) and the jets kept, if any,
// are passed to emit with their Meta set to meta. An empty batch is
// ignored. Errors of Add are prefixed with prefix (such as "root reader: ").
func (s *Selector) Feeder(prefix string, meta map[string]string, emit func(*jet.Jets) error) func(*jet.Jets) error {
	return func(b *jet.Jets) error {
		if b.Len() == 0 {
			return nil
		}
		kept, err := s.Add(b)
		if err != nil {
			return fmt.Errorf("%s%w", prefix, err)
		}
		if kept.Len() > 0 {
			kept.Meta = meta
			return emit(kept)
		}
		return nil
	}
}

// OpenFunc opens one input file of a reader for StreamFiles: next returns
// its next batch of at most n jets (io.EOF after the last), close
// releases the file.
type OpenFunc func(path string) (next func(n int) (*jet.Jets, error), close func() error, err error)

// StreamFiles is the read loop of a reader whose files yield batches of
// jets (csv, npz): it opens files in order, passes every batch of at most
// batch jets through sel (SetSource, Add), emits the kept jets, stops
// reading when the selection is full (Done), then emits what Finish holds
// back in batches of at most batch jets (EmitChunks). It reports progress
// (jets read of total, total <= 0 when unknown) at most every 250 ms and a
// final plugin.ReportProgress with sel.Summary(). An error of Finish
// lists the files when there are several. ctx is checked before every
// batch.
func StreamFiles(ctx context.Context, files []string, total int64, batch int, sel *Selector, open OpenFunc, emit func(*jet.Jets) error) error {
	read := int64(0)
	last := time.Now()
	for k, f := range files {
		sel.SetSource(f)
		done, err := streamFile(ctx, f, batch, sel, open, emit, func(n int) {
			read += int64(n)
			if time.Since(last) > 250*time.Millisecond {
				last = time.Now()
				plugin.ReportProgress(ctx, read, total, fmt.Sprintf("reading %s (file %d of %d)", f, k+1, len(files)))
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
	if err := EmitChunks(rest, batch, emit); err != nil {
		return err
	}
	if total <= 0 {
		total = read
	}
	plugin.ReportProgress(ctx, read, total, sel.Summary())
	return nil
}

// streamFile streams one file through the selector; done reports that
// the selection is full.
func streamFile(ctx context.Context, path string, batch int, sel *Selector, open OpenFunc,
	emit func(*jet.Jets) error, progress func(int)) (done bool, err error) {
	next, closeFile, err := open(path)
	if err != nil {
		return false, err
	}
	defer closeFile()
	for !sel.Done() {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		b, err := next(batch)
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
