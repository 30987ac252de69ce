package selection

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smearflow/smearflow/core/jet"
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
