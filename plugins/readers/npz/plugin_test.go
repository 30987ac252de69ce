package npz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/readertest"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// read runs the plugin and concatenates what it emits, checking that no
// batch exceeds the batch size.
func read(t testing.TB, raw map[string]any, seed int64, batch int) (*jet.Jets, error) {
	t.Helper()
	return readertest.Read(t, New(), raw, seed, batch, readertest.BatchSize(t, batch, DefaultBatchSize))
}

// stripSource checks that source_index counts 0..n-1 (when want is nil) or
// equals want, and removes it so jets compare with the shared sample.
func stripSource(t *testing.T, j *jet.Jets, want []int) *jet.Jets {
	t.Helper()
	col := j.Aux[selection.SourceIndex]
	if len(col) != j.Len() {
		t.Fatalf("source_index has %d entries for %d jets", len(col), j.Len())
	}
	for i, x := range col {
		w := i
		if want != nil {
			w = want[i]
		}
		if x != float64(w) {
			t.Fatalf("source_index[%d] = %v, want %d", i, x, w)
		}
	}
	c := j.Clone()
	delete(c.Aux, selection.SourceIndex)
	if len(c.Aux) == 0 {
		c.Aux = nil
	}
	return c
}

func TestInfo(t *testing.T) {
	info := readertest.CheckInfo(t, New(), "npz")
	if _, err := info.Params.Resolve(nil); err == nil || !strings.Contains(err.Error(), `"path": is required`) {
		t.Fatalf("missing path: %v", err)
	}
}

// TestSmallSample: the 500 jets of pythia8-qg-small.npz equal
// sharedtest.SmallSample (parsed from the particle CSV) bit for bit.
func TestSmallSample(t *testing.T) {
	want := sharedtest.SmallSample(t)
	path := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	for _, batch := range []int{0, 1, 77, 500, 5000} {
		got, err := read(t, map[string]any{"path": path}, 1, batch)
		if err != nil {
			t.Fatal(err)
		}
		if got := stripSource(t, got, nil); !reflect.DeepEqual(got, want) {
			t.Fatalf("batch %d: jets differ from the shared small sample", batch)
		}
	}
}

// TestDevSample checks the numbers of data/README.md: 20000 jets, 10000
// quark and 10000 gluon, mean multiplicities 33.41 and 53.11, 865226
// constituents, and the first 20 labels.
func TestDevSample(t *testing.T) {
	path := sharedtest.Path(t, "data/pythia8-qg-dev.npz")
	j, err := read(t, map[string]any{"path": path}, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	q, g := j.CountLabels()
	if j.Len() != 20000 || q != 10000 || g != 10000 || j.NumParticles() != 865226 {
		t.Fatalf("%s; want 20000 jets (10000 quark, 10000 gluon), 865226 particles", j)
	}
	var mult [2]float64
	for i := 0; i < j.Len(); i++ {
		mult[j.Label[i]] += float64(j.Multiplicity(i))
	}
	if mq, mg := mult[1]/1e4, mult[0]/1e4; math.Round(mq*100) != 3341 || math.Round(mg*100) != 5311 {
		t.Fatalf("mean multiplicities %.4f / %.4f, want 33.41 / 53.11", mq, mg)
	}
	first := []int8{0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0}
	if !reflect.DeepEqual(j.Label[:20], first) {
		t.Fatalf("first labels %v", j.Label[:20])
	}
	if m := j.Multiplicity(4377); m != 1 || j.Label[4377] != jet.Quark || j.PID[j.Offsets[4377]] != 22 {
		t.Fatalf("jet 4377 should be a lone photon in a quark jet, has %d particles", m)
	}
}

// TestHerwig: int32 labels, unsorted constituents kept in stored order,
// phi in (-pi, pi] with 10 jets straddling the boundary (data/README.md).
func TestHerwig(t *testing.T) {
	path := sharedtest.Path(t, "data/herwig-zjet-100.npz")
	j, err := read(t, map[string]any{"path": path}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if q, g := j.CountLabels(); q != 50 || g != 50 {
		t.Fatalf("%d quark, %d gluon; want 50, 50", q, g)
	}
	// Stored order, compared with the raw X rows.
	data, shapes, err := npy.ReadNPZ(path)
	if err != nil {
		t.Fatal(err)
	}
	x, m := data["X"], shapes["X"][1]
	unsorted, straddle := 0, 0
	for i := 0; i < j.Len(); i++ {
		v := j.Jet(i)
		k := 0
		for r := 0; r < m; r++ {
			row := x[(i*m+r)*4:]
			if row[0] == 0 {
				continue
			}
			if v.Pt[k] != row[0] || v.Y[k] != row[1] || v.Phi[k] != row[2] || float64(v.PID[k]) != row[3] {
				t.Fatalf("jet %d particle %d differs from X row %d", i, k, r)
			}
			k++
		}
		if k != len(v.Pt) {
			t.Fatalf("jet %d: %d particles, %d rows", i, len(v.Pt), k)
		}
		if !sort.SliceIsSorted(v.Pt, func(a, b int) bool { return v.Pt[a] > v.Pt[b] }) {
			unsorted++
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range v.Phi {
			if p <= -math.Pi || p > math.Pi {
				t.Fatalf("jet %d: phi %v outside (-pi, pi]", i, p)
			}
			lo, hi = min(lo, p), max(hi, p)
		}
		if hi-lo > math.Pi {
			straddle++
		}
	}
	if unsorted != 100 || straddle != 10 {
		t.Fatalf("%d unsorted jets and %d straddling ±pi; want 100 and 10", unsorted, straddle)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGlob(t *testing.T) {
	want := sharedtest.SmallSample(t)
	src := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	dir := t.TempDir()
	copyFile(t, src, filepath.Join(dir, "b.npz"))
	copyFile(t, src, filepath.Join(dir, "a.npz"))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not matched"), 0o644)
	got, err := read(t, map[string]any{"path": filepath.Join(dir, "*.npz")}, 1, 300)
	if err != nil {
		t.Fatal(err)
	}
	double := want.Clone()
	double.Concat(want)
	if got := stripSource(t, got, nil); !reflect.DeepEqual(got, double) {
		t.Fatal("two copies of the small sample do not give the sample twice")
	}
	// The selection runs over the concatenated stream.
	got, err = read(t, map[string]any{"path": filepath.Join(dir, "*.npz"), "pt_min": 0, "split": "all", "max_jets": 3}, 1, 2)
	if err != nil || got.Len() != 3 {
		t.Fatalf("%v, %v", got, err)
	}
	// An error in the second file names it, with the index in that file.
	bad := want.Clone()
	bad.Pt[bad.Offsets[7]+2] = math.Inf(1)
	if err := npy.WriteJetsFile(filepath.Join(dir, "c.npz"), bad, true); err != nil {
		t.Fatal(err)
	}
	_, err = read(t, map[string]any{"path": filepath.Join(dir, "*.npz")}, 1, 100)
	if want := filepath.Join(dir, "c.npz") + ": jet 7 (jet 1007 of the input stream), particle 2: pt is +Inf"; err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant %s", err, want)
	}
	if _, err := read(t, map[string]any{"path": filepath.Join(dir, "*.hdf5")}, 1, 100); err == nil || !strings.Contains(err.Error(), "matches no file") {
		t.Fatalf("error = %v", err)
	}
}

func TestSelectionOptions(t *testing.T) {
	path := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	small := sharedtest.SmallSample(t)
	tests := []struct {
		name  string
		raw   map[string]any
		check func(t *testing.T, j *jet.Jets)
	}{
		{"counts", map[string]any{"quarks": 20, "gluons": 30}, func(t *testing.T, j *jet.Jets) {
			if q, g := j.CountLabels(); q != 20 || g != 30 {
				t.Fatalf("%d quark, %d gluon", q, g)
			}
			// First N of each class: the source indices are the first quark / gluon rows.
			var wantIdx []int
			nq, ng := 0, 0
			for i, l := range small.Label {
				if l == jet.Quark && nq < 20 {
					nq++
					wantIdx = append(wantIdx, i)
				} else if l == jet.Gluon && ng < 30 {
					ng++
					wantIdx = append(wantIdx, i)
				}
			}
			stripSource(t, j, wantIdx)
		}},
		{"pt window", map[string]any{"pt_min": 510, "pt_max": 530}, func(t *testing.T, j *jet.Jets) {
			n := 0
			for i := 0; i < small.Len(); i++ {
				if pt := small.Jet(i).FourMomentum(false).Pt(); pt >= 510 && pt <= 530 {
					n++
				}
			}
			if j.Len() != n || n == 0 || n == 500 {
				t.Fatalf("kept %d jets, want %d", j.Len(), n)
			}
			for i := 0; i < j.Len(); i++ {
				if pt := j.Jet(i).FourMomentum(false).Pt(); pt < 510 || pt > 530 {
					t.Fatalf("jet pT %v outside the window", pt)
				}
			}
		}},
		{"abs_y_max", map[string]any{"abs_y_max": 1.0}, func(t *testing.T, j *jet.Jets) {
			for i := 0; i < j.Len(); i++ {
				if y := j.Jet(i).FourMomentum(false).Rapidity(); math.Abs(y) > 1 {
					t.Fatalf("jet y %v", y)
				}
			}
			if j.Len() < 100 || j.Len() > 450 {
				t.Fatalf("kept %d of 500 jets with |y| <= 1", j.Len())
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := map[string]any{"path": path}
			for k, v := range tc.raw {
				raw[k] = v
			}
			j, err := read(t, raw, 1, 64)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, j)
		})
	}
}

func TestRandomSubsampleAndSplit(t *testing.T) {
	path := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	sample := func(seed int64, batch int) []float64 {
		j, err := read(t, map[string]any{"path": path, "sample": "random", "quarks": 40, "gluons": 60}, seed, batch)
		if err != nil {
			t.Fatal(err)
		}
		if q, g := j.CountLabels(); q != 40 || g != 60 {
			t.Fatalf("%d quark, %d gluon", q, g)
		}
		return j.Aux[selection.SourceIndex]
	}
	a, b, c := sample(11, 100), sample(11, 7), sample(12, 100)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different batch size: different subsample")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("seeds 11 and 12 give the same subsample")
	}
	if !sort.Float64sAreSorted(a) {
		t.Fatal("subsample not in file order")
	}

	train, err := read(t, map[string]any{"path": path, "split": "train"}, 3, 100)
	if err != nil {
		t.Fatal(err)
	}
	test, err := read(t, map[string]any{"path": path, "split": "test"}, 3, 100)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len()+test.Len() != 500 || test.Len() < 60 || test.Len() > 140 {
		t.Fatalf("train %d + test %d", train.Len(), test.Len())
	}
	all := append(append([]float64{}, train.Aux[selection.SourceIndex]...), test.Aux[selection.SourceIndex]...)
	sort.Float64s(all)
	for i, x := range all {
		if x != float64(i) {
			t.Fatalf("train and test are not complementary at %d", i)
		}
	}
}

// writeNPZ writes an archive with the given members into dir.
func writeNPZ(t *testing.T, dir, name string, compressed bool, add func(z *npy.NPZWriter)) string {
	t.Helper()
	var b bytes.Buffer
	z := npy.NewNPZWriter(&b, compressed)
	add(z)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFormats(t *testing.T) {
	dir := t.TempDir()
	// Two jets, padding in the middle of jet 0, float32 X, bool labels, other keys.
	x := []float32{
		10, 0.5, 1, 22, 0, 0, 0, 0, 5, 0.25, 2, -211,
		7, -1, 3, 2212, 0, 0, 0, 0, 0, 0, 0, 0,
	}
	p := writeNPZ(t, dir, "f32.npz", false, func(z *npy.NPZWriter) {
		z.Add("particles", x, 2, 3, 4)
		z.Add("is_quark", []bool{true, false})
		z.Add("w", []float64{0.5, 2})
		z.Add("event", []int64{100, 200})
	})
	j, err := read(t, map[string]any{"path": p, "x_key": "particles", "y_key": "is_quark.npy", "weight_key": "w", "aux_keys": []any{"event"}}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := &jet.Jets{}
	want.Append([]float64{10, 5}, []float64{0.5, 0.25}, []float64{1, 2}, []int32{22, -211}, jet.Quark, 0.5)
	want.Append([]float64{7}, []float64{-1}, []float64{3}, []int32{2212}, jet.Gluon, 2)
	want.Aux = map[string][]float64{"event": {100, 200}, selection.SourceIndex: {0, 1}}
	if !reflect.DeepEqual(j, want) {
		t.Fatalf("got %+v\nwant %+v", j, want)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	good := func(z *npy.NPZWriter) {
		z.Add("X", []float64{1, 0, 0, 22, 2, 0, 0, 22}, 2, 1, 4)
		z.Add("y", []float64{1, 0})
	}
	goodPath := writeNPZ(t, dir, "good.npz", true, good)
	raw, _ := os.ReadFile(goodPath)
	truncated := filepath.Join(dir, "truncated.npz")
	os.WriteFile(truncated, raw[:len(raw)/2], 0o644)

	tests := []struct {
		name string
		path string
		raw  map[string]any
		want string
	}{
		{"wrong shape", writeNPZ(t, dir, "shape.npz", false, func(z *npy.NPZWriter) {
			z.Add("X", make([]float64, 4900), 100, 49)
			z.Add("y", make([]float64, 100))
		}), nil, "X in DIR/shape.npz has shape (100, 49) but must be (N, M, 4)"},
		{"mismatched N", writeNPZ(t, dir, "n.npz", false, func(z *npy.NPZWriter) {
			z.Add("X", []float64{1, 0, 0, 22, 2, 0, 0, 22}, 2, 1, 4)
			z.Add("y", []float64{1, 0, 1})
		}), nil, "y in DIR/n.npz has 3 entries but X has 2 jets"},
		{"label 0.5", writeNPZ(t, dir, "label.npz", false, func(z *npy.NPZWriter) {
			z.Add("X", []float64{1, 0, 0, 22, 2, 0, 0, 22}, 2, 1, 4)
			z.Add("y", []float64{1, 0.5})
		}), nil, "DIR/label.npz: jet 1: label 0.5 is neither 1 (quark) nor 0 (gluon)"},
		{"NaN", writeNPZ(t, dir, "nan.npz", false, func(z *npy.NPZWriter) {
			z.Add("X", []float64{1, 0, 0, 22, 2, math.NaN(), 0, 22}, 2, 1, 4)
			z.Add("y", []float64{1, 0})
		}), nil, "DIR/nan.npz: jet 1, particle 0: rapidity is NaN"},
		{"negative pt", writeNPZ(t, dir, "neg.npz", false, func(z *npy.NPZWriter) {
			z.Add("X", []float64{1, 0, 0, 22, -2, 0, 0, 22}, 2, 1, 4)
			z.Add("y", []float64{1, 0})
		}), nil, "DIR/neg.npz: jet 1, particle 0: pt -2 is not positive"},
		{"empty jet", writeNPZ(t, dir, "empty.npz", false, func(z *npy.NPZWriter) {
			z.Add("X", []float64{1, 0, 0, 22, 0, 0, 0, 0}, 2, 1, 4)
			z.Add("y", []float64{1, 0})
		}), nil, "DIR/empty.npz: jet 1: jet has no particles"},
		{"truncated", truncated, nil, "DIR/truncated.npz: truncated"},
		{"missing key", goodPath, map[string]any{"y_key": "labels"}, `DIR/good.npz has no array "labels" (arrays: X, y)`},
		{"empty selection", goodPath, map[string]any{"quarks": 0, "pt_min": 5}, "DIR/good.npz: the selection kept no jets: read 2 jets, kept 0 (0 quark, 0 gluon); removed 2 by the pT window [5, inf] GeV"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := map[string]any{"path": tc.path}
			for k, v := range tc.raw {
				raw[k] = v
			}
			_, err := read(t, raw, 1, 0)
			want := strings.ReplaceAll(tc.want, "DIR", dir)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, want)
			}
		})
	}
}

func TestEmitErrorAndCancel(t *testing.T) {
	path := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	r := New()
	p, _ := r.Info().Params.Resolve(map[string]any{"path": path})
	stop := errors.New("stop")
	calls := 0
	err := r.Read(context.Background(), plugin.ReadRequest{Params: p, BatchSize: 10}, func(*jet.Jets) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("error %v after %d calls", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = r.Read(ctx, plugin.ReadRequest{Params: p, BatchSize: 10}, func(*jet.Jets) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// BenchmarkReadDev reads the 20000-jet dev file; BenchmarkInflateDevX is
// the baseline: decompressing the file's X member and discarding it.
func BenchmarkReadDev(b *testing.B) {
	readertest.BenchRead(b, New(), sharedtest.Path(b, "data/pythia8-qg-dev.npz"), 20000)
}

func BenchmarkInflateDevX(b *testing.B) {
	path := sharedtest.Path(b, "data/pythia8-qg-dev.npz")
	for b.Loop() {
		arc, err := npy.OpenNPZ(path)
		if err != nil {
			b.Fatal(err)
		}
		a, _ := arc.Open("X")
		buf := make([]float64, 1000*138*4)
		for {
			if _, err := a.ReadFloat64(buf); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		a.Close()
		arc.Close()
	}
	b.ReportMetric(float64(20000*b.N)/b.Elapsed().Seconds(), "jets/s")
}
