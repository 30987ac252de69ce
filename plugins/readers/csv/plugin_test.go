package csv

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/npz"
	"github.com/smearflow/smearflow/plugins/readers/readertest"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// readWith runs a reader plugin and concatenates what it emits, checking
// that no batch exceeds the batch size.
func readWith(t testing.TB, r plugin.Reader, raw map[string]any, seed int64, batch int) (*jet.Jets, error) {
	t.Helper()
	return readertest.Read(t, r, raw, seed, batch, readertest.BatchSize(t, batch, DefaultBatchSize))
}

func TestInfo(t *testing.T) {
	readertest.CheckInfo(t, New(), "csv")
}

// TestSmallSampleBothReaders: the small particle CSV and the small npz
// give identical jet.Jets (source_index included) through both plugins,
// equal to sharedtest.SmallSample bit for bit, also under a selection.
func TestSmallSampleBothReaders(t *testing.T) {
	csvPath := sharedtest.Path(t, "data/pythia8-qg-small-particles.csv")
	npzPath := sharedtest.Path(t, "data/pythia8-qg-small.npz")
	want := sharedtest.SmallSample(t)
	for _, sel := range []map[string]any{
		{},
		{"sample": "random", "quarks": 50, "gluons": 70, "pt_min": 505},
		{"split": "test", "abs_y_max": 1.5},
	} {
		for _, batch := range []int{1, 64, 0} {
			rawCSV := map[string]any{"path": csvPath}
			rawNPZ := map[string]any{"path": npzPath}
			for k, v := range sel {
				rawCSV[k], rawNPZ[k] = v, v
			}
			a, err := readWith(t, New(), rawCSV, 9, batch)
			if err != nil {
				t.Fatal(err)
			}
			b, err := readWith(t, npz.New(), rawNPZ, 9, batch)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("selection %v, batch %d: csv and npz readers differ (%v vs %v)", sel, batch, a, b)
			}
			if len(sel) == 0 {
				c := a.Clone()
				for i, x := range c.Aux[selection.SourceIndex] {
					if x != float64(i) {
						t.Fatalf("source_index[%d] = %v", i, x)
					}
				}
				c.Aux = nil
				if !reflect.DeepEqual(c, want) {
					t.Fatal("csv reader differs from sharedtest.SmallSample")
				}
			} else if a.Len() == 0 || a.Len() == 500 {
				t.Fatalf("selection %v kept %d jets", sel, a.Len())
			}
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const head = "jet_index,pt,rapidity,phi,pid,label\n"

func TestLayouts(t *testing.T) {
	dir := t.TempDir()
	two := func() *jet.Jets {
		j := &jet.Jets{}
		j.Append([]float64{10, 5}, []float64{0.5, -0.5}, []float64{1, 2}, []int32{22, -211}, jet.Quark, 1)
		j.Append([]float64{7}, []float64{0}, []float64{3}, []int32{2112}, jet.Gluon, 1)
		j.Aux = map[string][]float64{selection.SourceIndex: {0, 1}}
		return j
	}
	weighted := two()
	weighted.Weight = []float64{0.5, 2}
	tests := []struct {
		name    string
		content string
		raw     map[string]any
		want    *jet.Jets
	}{
		{"plain", head + "0,10,0.5,1,22,1\n0,5,-0.5,2,-211,1\n1,7,0,3,2112,0\n", nil, two()},
		{"columns reordered, CRLF, spaces, float pid, gap in jet_index",
			"label,pid,phi,rapidity,pt,jet_index\r\n1, 22.0,1,0.5,10,3\r\n1,-211,2,-0.5,5,3\r\n0,2112,3,0,7,9\r\n", nil, two()},
		{"weight column", "jet_index,pt,rapidity,phi,pid,label,weight\n0,10,0.5,1,22,1,0.5\n0,5,-0.5,2,-211,1,0.5\n1,7,0,3,2112,0,2\n", nil, weighted},
		{"extra column ignored", "jet_index,pt,rapidity,phi,pid,label,charge\n0,10,0.5,1,22,1,0\n0,5,-0.5,2,-211,1,-1\n1,7,0,3,2112,0,0\n",
			map[string]any{"extra_columns": "ignore"}, two()},
		{"byte-order mark", "\xef\xbb\xbf" + head + "0,10,0.5,1,22,1\n0,5,-0.5,2,-211,1\n1,7,0,3,2112,0\n", nil, two()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := map[string]any{"path": writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".csv", tc.content)}
			for k, v := range tc.raw {
				raw[k] = v
			}
			for _, batch := range []int{1, 2, 0} {
				got, err := readWith(t, New(), raw, 1, batch)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("batch %d: got %+v\nwant %+v", batch, got, tc.want)
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content, want string
	}{
		{"non-numeric", head + "0,10,0.5,1,22,1\n0,abc,0.5,1,22,1\n", "FILE:3: column pt: \"abc\" is not a number"},
		{"NaN", head + "0,10,NaN,1,22,1\n", "FILE:2: column rapidity: NaN is not a finite number"},
		{"Inf", head + "0,10,0,-Inf,22,1\n", "FILE:2: column phi: -Inf is not a finite number"},
		{"missing column", "jet_index,pt,rapidity,phi,label\n0,1,0,0,1\n", `FILE:1: missing column "pid"`},
		{"unknown column", "jet_index,pt,rapdity,phi,pid,label\n", `FILE:1: unknown column "rapdity" (did you mean "rapidity"?)`},
		{"duplicate column", "jet_index,pt,pt,rapidity,phi,pid,label\n", `FILE:1: column "pt" appears twice`},
		{"jet_index backwards", head + "0,10,0,0,22,1\n1,10,0,0,22,1\n0,10,0,0,22,1\n", "FILE:4: jet_index 0 after 1 goes backwards"},
		{"bad jet_index", head + "x,10,0,0,22,1\n", `FILE:2: column jet_index: "x" is not an integer`},
		{"label changes", head + "0,10,0,0,22,1\n0,10,0,0,22,0\n", "FILE:3: label changes from 1 to 0 within jet 0 (which starts on line 2)"},
		{"bad label", head + "0,10,0,0,22,2\n", `FILE:2: column label: "2" is neither 0 (gluon) nor 1 (quark)`},
		{"bad pid", head + "0,10,0,0,22.5,1\n", `FILE:2: column pid: "22.5" is not an integer PDG id`},
		{"weight changes", "jet_index,pt,rapidity,phi,pid,label,weight\n0,1,0,0,22,1,1\n0,1,0,0,22,1,2\n", "FILE:3: weight changes from 1 to 2 within jet 0"},
		{"negative weight", "jet_index,pt,rapidity,phi,pid,label,weight\n0,1,0,0,22,1,-1\n", `FILE:2: column weight: "-1" is not a finite non-negative number`},
		{"truncated last line", head + "0,10,0,0,22,1\n0,10,0.12", `FILE:3: the last line has no end-of-line (truncated file?): "0,10,0.12"`},
		{"wrong field count", head + "0,10,0,0,22\n", "FILE:2: 5 fields but the header has 6 columns"},
		{"empty line", head + "0,10,0,0,22,1\n\n1,10,0,0,22,1\n", "FILE:3: empty line"},
		{"empty file", "", "FILE: empty file (no header line"},
		{"header only", head, "FILE: no jets were read"},
		{"negative pt (validation)", head + "0,10,0,0,22,1\n1,-3,0,0,22,1\n", "FILE: jet 1, particle 0: pt -3 is not positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".csv", tc.content)
			_, err := readWith(t, New(), map[string]any{"path": p}, 1, 1)
			want := strings.ReplaceAll(tc.want, "FILE", p)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, want)
			}
		})
	}
}

func TestGlobAndCancel(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.csv", head+"0,2,0,0,22,0\n")
	writeFile(t, dir, "a.csv", head+"0,1,0,0,22,1\n1,1.5,0,0,22,1\n")
	got, err := readWith(t, New(), map[string]any{"path": filepath.Join(dir, "*.csv")}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Pt, []float64{1, 1.5, 2}) || !reflect.DeepEqual(got.Aux[selection.SourceIndex], []float64{0, 1, 2}) {
		t.Fatalf("got %+v", got)
	}
	writeFile(t, dir, "c.csv", head+"0,2,0,0,22,0\n0,nan,0,0,22,0\n")
	_, err = readWith(t, New(), map[string]any{"path": filepath.Join(dir, "*.csv")}, 1, 0)
	if want := filepath.Join(dir, "c.csv") + ":3: column pt: nan is not a finite number"; err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p, _ := New().Info().Params.Resolve(map[string]any{"path": filepath.Join(dir, "a.csv")})
	if err := New().Read(ctx, plugin.ReadRequest{Params: p}, func(*jet.Jets) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v", err)
	}
}

// TestParserBatches: every batch size gives the same jets, and a large
// jet spanning the reader's buffer is read whole.
func TestParserBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < 5000; i++ {
		b.WriteString("7,1.25,0.5,-0.5,211,0\n") // one jet of 5000 particles (longer than the 64 KiB buffer)
	}
	b.WriteString("8,2,0,0,22,1\n")
	var ref *jet.Jets
	for _, batch := range []int{1, 2, 10} {
		p, err := NewParser(strings.NewReader(b.String()), "big.csv", false)
		if err != nil {
			t.Fatal(err)
		}
		all := &jet.Jets{}
		for {
			j, err := p.Next(batch)
			if err != nil {
				break
			}
			all.Concat(j)
		}
		if all.Len() != 2 || all.Multiplicity(0) != 5000 || all.Label[1] != jet.Quark {
			t.Fatalf("batch %d: %v", batch, all)
		}
		if ref != nil && !reflect.DeepEqual(ref, all) {
			t.Fatal("batch size changes the jets")
		}
		ref = all
	}
	if math.Abs(ref.Jet(0).SumPt()-6250) > 1e-9 {
		t.Fatal("wrong sum pt")
	}
}

// BenchmarkReadSmallCSV reads the 500-jet particle CSV; BenchmarkReadSmallNPZ
// reads the same jets from the npz, the baseline.
func BenchmarkReadSmallCSV(b *testing.B) {
	readertest.BenchRead(b, New(), sharedtest.Path(b, "data/pythia8-qg-small-particles.csv"), 500)
}

func BenchmarkReadSmallNPZ(b *testing.B) {
	readertest.BenchRead(b, npz.New(), sharedtest.Path(b, "data/pythia8-qg-small.npz"), 500)
}
