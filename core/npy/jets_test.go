package npy

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

func handJets() *jet.Jets {
	j := &jet.Jets{}
	j.Append([]float64{100, 50}, []float64{0.1, -0.2}, []float64{3.1, -3.1}, []int32{22, -211}, jet.Quark, 1)
	j.Append([]float64{7}, []float64{1.5}, []float64{0}, []int32{2112}, jet.Gluon, 0.5)
	j.Append([]float64{3, 2, 1}, []float64{0, 0, 0}, []float64{1, 2, 3}, []int32{11, 13, 321}, jet.Gluon, 2)
	j.Aux = map[string][]float64{"source_index": {4, 8, 15}, "event": {1, 2, 3}}
	return j
}

func TestWriteJetsRoundTrip(t *testing.T) {
	for _, compressed := range []bool{false, true} {
		in := handJets()
		path := filepath.Join(t.TempDir(), "jets.npz")
		if err := WriteJetsFile(path, in, compressed); err != nil {
			t.Fatal(err)
		}
		arc, err := OpenNPZ(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := arc.Names(); !reflect.DeepEqual(got, []string{"X", "y", "weight", "event", "source_index"}) {
			t.Fatalf("members %v", got)
		}
		h, _ := arc.Header("X")
		arc.Close()
		if h.ShapeString() != "3×3×4" || h.DType != Float64 {
			t.Fatalf("X is %s %s, want 3×3×4 float64", h.ShapeString(), h.DType.Name())
		}
		out, err := ReadJetsFile(path, EnergyFlowOptions{WeightKey: "weight", AuxKeys: []string{"event", "source_index"}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Fatalf("compressed=%v: round trip differs:\n got %+v\nwant %+v", compressed, out, in)
		}
	}
}

func TestWriteJetsRefuses(t *testing.T) {
	var b bytes.Buffer
	j := handJets()
	j.Aux["y"] = []float64{1, 2, 3}
	if err := WriteJets(&b, j, false); err == nil || !strings.Contains(err.Error(), `aux column "y" clashes`) {
		t.Fatalf("error = %v", err)
	}
	j = handJets()
	j.Pt[1] = 0
	if err := WriteJets(&b, j, false); err == nil || !strings.Contains(err.Error(), "pt = 0") {
		t.Fatalf("error = %v", err)
	}
	j = handJets()
	j.Label = j.Label[:2]
	if err := WriteJets(&b, j, false); err == nil || !strings.Contains(err.Error(), "3 jets but 2 labels") {
		t.Fatalf("error = %v", err)
	}
}

// TestSmallSampleRoundTrip: the shared small sample read with JetReader is
// bit-identical to sharedtest.SmallSample, and writing it back and reading
// again changes nothing.
func TestSmallSampleRoundTrip(t *testing.T) {
	want := sharedtest.SmallSample(t)
	p := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	for _, batch := range []int{1, 7, 500, 4096} {
		r, err := OpenJets(p, EnergyFlowOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got := &jet.Jets{}
		for {
			b, err := r.Next(batch)
			if err != nil {
				break
			}
			got.Concat(b)
		}
		r.Close()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("batch %d: jets differ from the small sample", batch)
		}
	}
	out := filepath.Join(t.TempDir(), "jets.npz")
	if err := WriteJetsFile(out, want, true); err != nil {
		t.Fatal(err)
	}
	again, err := ReadJetsFile(out, EnergyFlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, want) {
		t.Fatal("write + read changed the small sample")
	}
	// Same X bytes as the numpy file (padding to 101 as there).
	a, _ := OpenNPZ(p)
	defer a.Close()
	b, _ := OpenNPZ(out)
	defer b.Close()
	x1, _ := a.Open("X")
	x2, _ := b.Open("X")
	v1, _ := x1.ReadAllFloat64()
	v2, _ := x2.ReadAllFloat64()
	if !reflect.DeepEqual(x1.Shape, x2.Shape) || !reflect.DeepEqual(v1, v2) {
		t.Fatalf("X differs from the numpy file: shapes %v %v", x1.Shape, x2.Shape)
	}
}

func TestOpenJetsErrors(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, fill func(z *NPZWriter)) string {
		p := filepath.Join(dir, name)
		var b bytes.Buffer
		z := NewNPZWriter(&b, false)
		fill(z)
		z.Close()
		os.WriteFile(p, b.Bytes(), 0o644)
		return p
	}
	x := func(n int) []float64 {
		v := make([]float64, n*2*4)
		for i := 0; i < n; i++ {
			v[i*8], v[i*8+3] = 1, 22
		}
		return v
	}
	tests := []struct {
		name string
		fill func(z *NPZWriter)
		want string
	}{
		{"2-D X", func(z *NPZWriter) { z.Add("X", make([]float64, 4900), 100, 49); z.Add("y", make([]float64, 100)) },
			"X in FILE has shape (100, 49) but must be (N, M, 4)"},
		{"int X", func(z *NPZWriter) { z.Add("X", make([]int32, 8), 1, 2, 4); z.Add("y", []float64{0}) },
			"X in FILE has dtype int32 but must be float32 or float64"},
		{"N mismatch", func(z *NPZWriter) { z.Add("X", x(3), 3, 2, 4); z.Add("y", []float64{0, 1}) },
			"y in FILE has 2 entries but X has 3 jets"},
		{"2-D y", func(z *NPZWriter) { z.Add("X", x(2), 2, 2, 4); z.Add("y", []float64{0, 1}, 2, 1) },
			"y in FILE has shape (2, 1) but labels must be (N,)"},
		{"no y", func(z *NPZWriter) { z.Add("X", x(2), 2, 2, 4) }, `FILE has no array "y" (arrays: X)`},
		{"bad label", func(z *NPZWriter) { z.Add("X", x(3), 3, 2, 4); z.Add("y", []float64{0, 1, 2}) },
			"FILE: jet 2: label 2 is neither 1 (quark) nor 0 (gluon)"},
		{"bad pid", func(z *NPZWriter) {
			v := x(2)
			v[8+3] = 22.5
			z.Add("X", v, 2, 2, 4)
			z.Add("y", []float64{0, 1})
		}, "FILE: jet 1, particle row 0: pid 22.5 is not an integer PDG id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mk(strings.ReplaceAll(tc.name, " ", "_")+".npz", tc.fill)
			_, err := ReadJetsFile(p, EnergyFlowOptions{})
			want := strings.ReplaceAll(tc.want, "FILE", p)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant %q", err, want)
			}
		})
	}
}

// TestNumpyReadsOurFiles asks numpy itself (when python3 with numpy is
// installed; skipped otherwise) to load what the writers produce.
func TestNumpyReadsOurFiles(t *testing.T) {
	py := ""
	for _, c := range []string{"python3", "/usr/bin/python3"} {
		if p, err := exec.LookPath(c); err == nil && exec.Command(p, "-c", "import numpy").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("python3 with numpy is not installed; skipping the numpy cross-check")
	}
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(WriteFile(filepath.Join(dir, "f8.npy"), []float64{1.5, math.Inf(-1), 3, 4, 5, 6}, 2, 3))
	must(WriteFile(filepath.Join(dir, "f4.npy"), []float32{0.25}))
	must(WriteFile(filepath.Join(dir, "i8.npy"), []int64{-5, 1 << 60}))
	must(WriteFile(filepath.Join(dir, "i4.npy"), []int32{-7}, []int{}...))
	must(WriteFile(filepath.Join(dir, "i1.npy"), []int8{-128, 5, 7, 9}, 2, 1, 2))
	must(WriteJetsFile(filepath.Join(dir, "jets.npz"), handJets(), true))
	must(WriteJetsFile(filepath.Join(dir, "jets_stored.npz"), handJets(), false))
	script := `
import numpy as np, sys
d = sys.argv[1]
a = np.load(d + "/f8.npy"); assert a.dtype == np.float64 and a.shape == (2, 3) and a[0, 1] == -np.inf and a[1, 2] == 6, a
a = np.load(d + "/f4.npy"); assert a.dtype == np.float32 and a.tolist() == [0.25]
a = np.load(d + "/i8.npy"); assert a.dtype == np.int64 and a.tolist() == [-5, 1 << 60]
a = np.load(d + "/i4.npy"); assert a.dtype == np.int32 and a.shape == () and a == -7
a = np.load(d + "/i1.npy"); assert a.dtype == np.int8 and a.shape == (2, 1, 2) and a[1, 0, 1] == 9
for name in ("jets.npz", "jets_stored.npz"):
    z = np.load(d + "/" + name)
    assert sorted(z.files) == ["X", "event", "source_index", "weight", "y"], z.files
    X = z["X"]; assert X.shape == (3, 3, 4) and X.dtype == np.float64
    assert X[0, 1].tolist() == [50, -0.2, -3.1, -211] and X[1, 1].tolist() == [0, 0, 0, 0]
    assert z["y"].tolist() == [1, 0, 0] and z["weight"].tolist() == [1, 0.5, 2]
    assert z["source_index"].tolist() == [4, 8, 15]
print("ok")
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("numpy could not read our files: %v\n%s", err, out)
	}
}
