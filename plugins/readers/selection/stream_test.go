package selection

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.npz", "a.npz", "c.csv"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	os.Mkdir(filepath.Join(dir, "d.npz"), 0o755) // a folder matching the glob is skipped
	tests := []struct {
		pattern string
		want    []string
		err     string
	}{
		{pattern: filepath.Join(dir, "*.npz"), want: []string{filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")}},
		{pattern: filepath.Join(dir, "c.csv"), want: []string{filepath.Join(dir, "c.csv")}},
		{pattern: filepath.Join(dir, "[ab].npz"), want: []string{filepath.Join(dir, "a.npz"), filepath.Join(dir, "b.npz")}},
		{pattern: filepath.Join(dir, "*.root"), err: "matches no file"},
		{pattern: filepath.Join(dir, "missing.npz"), err: "no such file"},
		{pattern: dir, err: "is a folder, not a file"},
		{pattern: "", err: "empty path"},
		{pattern: filepath.Join(dir, "[.npz"), err: "bad glob"},
	}
	for _, tc := range tests {
		got, err := Files(tc.pattern)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), `parameter "path"`) {
				t.Errorf("Files(%q) error = %v, want %q", tc.pattern, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Files(%q) = %v, %v; want %v", tc.pattern, got, err, tc.want)
		}
	}
}

func TestEmitChunks(t *testing.T) {
	j := synth(10)
	j.Aux = map[string][]float64{SourceIndex: {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	for _, size := range []int{0, 1, 3, 10, 20} {
		var sizes []int
		all := &jet.Jets{}
		if err := EmitChunks(j, size, func(b *jet.Jets) error {
			sizes = append(sizes, b.Len())
			all.Concat(b)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(all, j) {
			t.Fatalf("size %d: chunks do not add up to the batch", size)
		}
		for _, s := range sizes {
			if size > 0 && s > size {
				t.Fatalf("size %d: chunk of %d", size, s)
			}
		}
	}
	if err := EmitChunks(&jet.Jets{}, 5, func(*jet.Jets) error { t.Fatal("emitted an empty batch"); return nil }); err != nil {
		t.Fatal(err)
	}
}
