package report

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/table"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func TestLogTicks(t *testing.T) {
	tests := []struct {
		min, max float64
		labels   []string
	}{
		{0.001, 0.5, []string{"0.001", "0.01", "0.1"}},                                 // > 2.5 decades: decades only
		{0.002, 0.3, []string{"0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2"}}, // < 2.5 decades: 1, 2, 5
		{50, 400, []string{"50", "60", "70", "80", "90", "100", "200", "300", "400"}},  // < 1 decade: every multiple
		{1e-6, 1e3, []string{"1e-6", "1e-5", "0.0001", "0.001", "0.01", "0.1", "1", "10", "100", "1000"}},
		{0.0101, 0.0119, []string{"0.01025", "0.011", "0.01175"}}, // inside one step: gonum/plot's linear ticks
	}
	for _, tc := range tests {
		var got []string
		for _, tk := range (logTicks{}).Ticks(tc.min, tc.max) {
			if tk.Value < tc.min*(1-1e-9) || tk.Value > tc.max*(1+1e-9) {
				t.Errorf("[%g, %g]: tick %g outside the range", tc.min, tc.max, tk.Value)
			}
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(tc.labels, " ") {
			t.Errorf("[%g, %g]: labels %v, want %v", tc.min, tc.max, got, tc.labels)
		}
	}
	for _, bad := range [][2]float64{{0, 1}, {-1, 1}, {1, 1}, {2, 1}, {1, math.Inf(1)}, {math.NaN(), 1}} {
		if ts := (logTicks{}).Ticks(bad[0], bad[1]); ts != nil {
			t.Errorf("Ticks(%g, %g) = %v, want nil", bad[0], bad[1], ts)
		}
	}
}

func TestNumberFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{num(math.NaN(), 4), "n/a"},
		{num(math.Inf(1), 4), "∞"},
		{num(math.Inf(-1), 4), "−∞"},
		{num(0.0107683, 4), "0.01077"},
		{num(123456, 4), "1.235e5"},
		{num(1e-7, 3), "1e-7"},
		{fixed(0.7500601, 4), "0.7501"},
		{interval(math.NaN(), math.NaN(), auc4), ""},
		{interval(0.7, math.Inf(1), auc4), "[0.7000, ∞]"},
		{pm(2.3387, 0.0728, 4), "2.339 ± 0.073"},
		{pm(2.3387, math.NaN(), 4), "2.339"},
		{tickLabel(1e-5), "1e-5"},
		{tickLabel(2e6), "2e6"},
		{slug("scan@eps=0.01", "AUC"), "scan_at_eps_0.01-auc"},
		{slug("a/b c"), "a-b-c"},
		{slug("///"), "x"},
	}
	for i, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("case %d: got %q, want %q", i, tc.got, tc.want)
		}
	}
}

func TestEdgesAndDensity(t *testing.T) {
	for _, log := range []bool{false, true} {
		e, err := Edges(0.01, 1, 20, log)
		if err != nil {
			t.Fatal(err)
		}
		if len(e) != 21 || e[0] != 0.01 || e[20] != 1 {
			t.Fatalf("log %v: edges %v", log, e)
		}
		vals := []float64{0.01, 0.02, 0.05, 0.1, 0.5, 1, 2, math.NaN(), -1}
		d, inside, outside := density(vals, e, log)
		if inside != 6 || outside != 3 {
			t.Errorf("log %v: inside %d outside %d, want 6 and 3", log, inside, outside)
		}
		area := 0.0
		for i, x := range d {
			w := e[i+1] - e[i]
			if log {
				w = math.Log10(e[i+1] / e[i])
			}
			area += x * w
		}
		if math.Abs(area-1) > 1e-12 {
			t.Errorf("log %v: area %g, want 1", log, area)
		}
		h, out, err := Histogram(vals, e, log)
		if err != nil || out != 3 || len(h.XYs) != 23 {
			t.Errorf("log %v: Histogram: %d points, %d outside, err %v", log, len(h.XYs), out, err)
		}
	}
	for _, bad := range []struct {
		lo, hi float64
		n      int
		log    bool
	}{{1, 1, 5, false}, {0, 1, 5, true}, {0, 1, 0, false}, {0, math.Inf(1), 5, false}} {
		if _, err := Edges(bad.lo, bad.hi, bad.n, bad.log); err == nil {
			t.Errorf("Edges(%v) accepted", bad)
		}
	}
}

func TestLinePlotAndBandDropPoints(t *testing.T) {
	x := []float64{0.1, 1, math.NaN(), 10, 100, 0}
	y := []float64{1, math.Inf(1), 3, 4, -5, 6}
	l, dropped, err := LinePlot(x, y, true, false)
	if err != nil || l == nil {
		t.Fatal(err)
	}
	// Dropped: Inf y, NaN x, 0 x on the log axis.
	if dropped != 3 || len(l.XYs) != 3 {
		t.Errorf("dropped %d, kept %d; want 3 and 3", dropped, len(l.XYs))
	}
	if _, _, err := LinePlot(x, y[:2], false, false); err == nil {
		t.Error("length mismatch accepted")
	}
	if l, dropped, err := LinePlot([]float64{math.NaN()}, []float64{1}, false, false); l != nil || dropped != 1 || err != nil {
		t.Error("all-NaN line not reported as empty")
	}
	lo := []float64{1, 1, 1, 1, 1, 1}
	hi := []float64{2, 2, 2, math.NaN(), 2, 2}
	b, dropped, err := Band([]float64{1, 2, 3, 4, 5, 6}, lo, hi, false, false, Color(0))
	if err != nil || b == nil {
		t.Fatal(err)
	}
	// Two runs: points 1-3 and 5-6, each a closed outline.
	if dropped != 1 || len(b.XYs) != 2 || len(b.XYs[0]) != 6 || len(b.XYs[1]) != 4 {
		t.Errorf("dropped %d, rings %d", dropped, len(b.XYs))
	}
	if b, _, _ := Band([]float64{1}, []float64{1}, []float64{2}, false, false, Color(0)); b != nil {
		t.Error("a one-point band is not empty")
	}
}

func TestSavePlot(t *testing.T) {
	p := plot.New()
	l, _, _ := LinePlot([]float64{1, 2, 3}, []float64{1, 4, 9}, false, false)
	p.Add(l)
	p.X.Label.Text = "x"
	dir := t.TempDir()
	for _, name := range []string{"a.png", "a.svg"} {
		if err := SavePlot(p, 3*vg.Inch, 2*vg.Inch, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if err := SavePlot(p, 3*vg.Inch, 2*vg.Inch, filepath.Join(dir, "a.gif")); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestTableFrom(t *testing.T) {
	tb := table.New().AddString("name", []string{"a", "b", "c"}).AddFloat("mass", []float64{1.5, math.NaN(), math.Inf(1)})
	tb.Columns[1].Unit = "GeV"
	got, err := TableFrom("obs", "per jet", tb, 2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Columns, ",") != "name,mass [GeV]" || len(got.Rows) != 2 || got.Rows[1][1] != "n/a" || !strings.Contains(got.Caption, "first 2 of 3") {
		t.Errorf("got %+v", got)
	}
	bad := table.New().AddFloat("a", []float64{1}).AddFloat("b", []float64{1, 2})
	if _, err := TableFrom("bad", "", bad, 0); err == nil || !strings.Contains(err.Error(), `table "bad"`) {
		t.Errorf("ragged table: err %v", err)
	}
}

func TestParamsJSON(t *testing.T) {
	got := paramsJSON(map[string]any{"z": 1.0, "a": []float64{math.NaN(), 2}, "m": map[string]any{"x": math.Inf(-1)}, "s": "<b>"})
	want := `{"a":["n/a",2],"m":{"x":"−∞"},"s":"<b>","z":1}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if paramsJSON(nil) != "{}" {
		t.Error("nil params")
	}
}

func TestScanPoint(t *testing.T) {
	for _, tc := range []struct {
		step, base, point string
		ok                bool
	}{{"smear@eps=0.1", "smear", "eps=0.1", true}, {"smear", "", "", false}, {"@x=1", "", "", false}, {"a@", "", "", false}} {
		b, p, ok := scanPoint(tc.step)
		if b != tc.base || p != tc.point || ok != tc.ok {
			t.Errorf("scanPoint(%q) = %q, %q, %v", tc.step, b, p, ok)
		}
	}
}
