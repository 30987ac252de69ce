package selection

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
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

func TestParamFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.root", "a.root"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	for _, tc := range []struct {
		pattern string
		want    []string
		err     string
	}{
		{pattern: filepath.Join(dir, "*.root"), want: []string{filepath.Join(dir, "a.root"), filepath.Join(dir, "b.root")}},
		{pattern: filepath.Join(dir, "b.root"), want: []string{filepath.Join(dir, "b.root")}},
		{pattern: filepath.Join(dir, "*.hepmc"), err: "matches no file"},
		{pattern: filepath.Join(dir, "missing.root"), err: "cannot read"},
		{pattern: filepath.Join(dir, "[.root"), err: "bad glob"},
	} {
		got, err := ParamFiles("gluon_path", tc.pattern)
		if tc.err != "" {
			var pe *plugin.ParamError
			if !errors.As(err, &pe) || pe.Param != "gluon_path" || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParamFiles(%q) error = %v, want a gluon_path error with %q", tc.pattern, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParamFiles(%q) = %v, %v; want %v", tc.pattern, got, err, tc.want)
		}
	}
}

func TestFeeder(t *testing.T) {
	p, err := Spec().Resolve(map[string]any{ParamQuarks: int64(2), ParamGluons: int64(0)})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(p, 1, "x.root")
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{"reader": "toy"}
	var kept []*jet.Jets
	feed := s.Feeder("toy reader: ", meta, func(b *jet.Jets) error { kept = append(kept, b); return nil })
	for _, b := range []*jet.Jets{synth(0), synth(2), synth(6)} { // quarks at 0, 3 of each batch
		if err := feed(b); err != nil {
			t.Fatal(err)
		}
	}
	if len(kept) != 2 || kept[0].Len() != 1 || kept[1].Len() != 1 || kept[0].Meta["reader"] != "toy" {
		t.Errorf("kept %d batches %v", len(kept), kept)
	}
	bad := synth(1)
	bad.Pt[0] = -1
	if err := feed(bad); err == nil || !strings.HasPrefix(err.Error(), "toy reader: ") {
		t.Errorf("invalid jet: error %v, want one prefixed by the reader", err)
	}
}

// TestStreamFiles streams three "files" of 4, 0 and 5 jets in batches of
// 2 and checks that every jet arrives once, in order, with its source
// index, that every opened file is closed, and that a full selection
// stops reading.
func TestStreamFiles(t *testing.T) {
	files := map[string]*jet.Jets{"a": synth(4), "b": synth(0), "c": synth(5)}
	opened, closed := 0, 0
	open := func(path string) (func(int) (*jet.Jets, error), func() error, error) {
		j, ok := files[path]
		if !ok {
			return nil, nil, errors.New("no file " + path)
		}
		opened++
		pos := 0
		next := func(n int) (*jet.Jets, error) {
			if pos >= j.Len() {
				return nil, io.EOF
			}
			var idx []int
			for i := pos; i < min(pos+n, j.Len()); i++ {
				idx = append(idx, i)
			}
			pos += len(idx)
			return j.Subset(idx), nil
		}
		return next, func() error { closed++; return nil }, nil
	}
	for _, tc := range []struct {
		name   string
		raw    map[string]any
		files  []string
		want   []float64 // source indices emitted
		opened int
		err    string
	}{
		{"all", nil, []string{"a", "b", "c"}, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}, 3, ""},
		{"first 3 stop early", map[string]any{ParamMaxJets: int64(3)}, []string{"a", "b", "c"}, []float64{0, 1, 2}, 1, ""},
		{"missing file", nil, []string{"a", "x"}, nil, 1, "no file x"},
		{"empty selection", map[string]any{ParamQuarks: int64(0), ParamGluons: int64(0)}, []string{"b", "c"}, nil, 1, "(files: b, c)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opened, closed = 0, 0
			p, err := Spec().Resolve(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			sel, err := New(p, 1, tc.files[0])
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			err = StreamFiles(context.Background(), tc.files, -1, 2, sel, open, func(b *jet.Jets) error {
				if b.Len() > 2 {
					t.Errorf("batch of %d jets", b.Len())
				}
				got = append(got, b.Aux[SourceIndex]...)
				return nil
			})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if tc.err == "" && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("source indices %v, want %v", got, tc.want)
			}
			if opened != tc.opened || closed != opened {
				t.Errorf("opened %d closed %d files, want %d opened", opened, closed, tc.opened)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sel, _ := New(plugin.Params{}, 1, "a")
	if err := StreamFiles(ctx, []string{"a"}, 4, 2, sel, open, func(*jet.Jets) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
