package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// A failing metric step closes the space it prepared (for an external
// plugin, the session in the plugin process).
func TestFailedMetricClosesItsSpace(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	before := openSpaces.Load()
	plan := loadPlan(t, dir, toyWorkflow, reg, "distances.fail=true")
	eng := New(Options{Registry: reg, NoReport: true})
	if _, err := eng.Run(context.Background(), plan); err == nil {
		t.Fatal("want an error")
	}
	if open := openSpaces.Load() - before; open != 0 {
		t.Fatalf("%d metric spaces left open after the failed run", open)
	}
}

// Replacing a reader's data file at the same path changes the cache key;
// `runner plan` says why, and the rerun reads the new file.
func TestDataFileChangeMissesCache(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	data := filepath.Join(dir, "n.txt")
	write := func(s string, mtime time.Time) {
		if err := os.WriteFile(data, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(data, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	src := strings.Replace(toyWorkflow, "with: {n: 60}", "with: {path: n.txt}", 1)
	eng := New(Options{CacheDir: filepath.Join(dir, "cache"), Registry: reg, NoReport: true})
	jets := func() any {
		t.Helper()
		res, err := eng.Run(context.Background(), loadPlan(t, dir, src, reg, "nearest.sizes=[]"))
		if err != nil {
			t.Fatal(err)
		}
		return res.Steps[0].Summary["jets"]
	}
	write("30", time.Unix(1e9, 0))
	if n := jets(); n != 60 {
		t.Fatalf("first run: %v jets, want 60", n)
	}
	write("40", time.Unix(1e9+10, 0))
	lines, err := eng.Explain(loadPlan(t, dir, src, reg, "nearest.sizes=[]"))
	if err != nil {
		t.Fatal(err)
	}
	if lines[0].Hit || !strings.Contains(lines[0].Why, "input file changed: path") {
		t.Fatalf("plan after the data file changed: hit=%v why=%q", lines[0].Hit, lines[0].Why)
	}
	if n := jets(); n != 80 {
		t.Fatalf("rerun after the data file changed: %v jets, want 80 (stale cache entry)", n)
	}
	plan := loadPlan(t, dir, strings.Replace(src, "n.txt", `"*.txt"`, 1), reg)
	os.Remove(data)
	if _, err := eng.Explain(plan); err == nil || !strings.Contains(err.Error(), `parameter "path"`) {
		t.Fatalf("a path parameter matching no file: %v", err)
	}
}

// With matrix: auto, a metric with a lower-bound embedding keeps the full
// matrix only when exported, so `export` is part of its key: switching it
// on after a run without it must not hit an entry without the matrix.
func TestExportOfPrunedMetricAfterUnexportedRun(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	eng := New(Options{CacheDir: filepath.Join(dir, "cache"), Registry: reg, NoReport: true})
	src := strings.Replace(toyWorkflow, "metric: toy\n    input: jets\n    export: true", "metric: toybound\n    input: jets", 1)
	if _, err := eng.Run(context.Background(), loadPlan(t, dir, src, reg)); err != nil {
		t.Fatal(err)
	}
	src = strings.Replace(src, "metric: toybound\n    input: jets", "metric: toybound\n    input: jets\n    export: true", 1)
	lines, err := eng.Explain(loadPlan(t, dir, src, reg))
	if err != nil {
		t.Fatal(err)
	}
	if lines[1].Hit || !strings.Contains(lines[1].Why, "export changed") {
		t.Fatalf("distances: hit=%v why=%q", lines[1].Hit, lines[1].Why)
	}
	if _, err := eng.Run(context.Background(), loadPlan(t, dir, src, reg)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "distances", "distances.npy")); err != nil {
		t.Fatal(err)
	}
}

// The fitter takes the leave-one-out nearest-neighbour distances the
// metric step found; they must equal a fresh pass, for a kept matrix and
// for the pruned path alike.
func TestMetricNNMatchesNearestPass(t *testing.T) {
	reg := testRegistry(t)
	for _, metric := range []string{"toy", "toybound"} {
		t.Run(metric, func(t *testing.T) {
			dir := t.TempDir()
			src := strings.Replace(toyWorkflow, "metric: toy\n", "metric: "+metric+"\n", 1)
			src = strings.Replace(src, "    export: true\n  smeared:", "  smeared:", 1) // distances not exported
			plan := loadPlan(t, dir, src, reg)
			eng := New(Options{Registry: reg, NoReport: true})
			nodes, err := eng.build(plan)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for _, n := range nodes[:2] {
				if err := eng.runNode(ctx, plan, n); err != nil {
					t.Fatal(err)
				}
			}
			d := nodes[1].art.(*DistancesArtifact)
			defer d.Close()
			if (d.Matrix != nil) != (metric == "toy") {
				t.Fatalf("matrix kept: %v", d.Matrix != nil)
			}
			nn, err := eng.nearest(ctx, d, "loo", 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(nn.Queries, iotaQueries(d.Len())) || !slices.Equal(nn.Dist, d.NN) {
				t.Fatalf("metric-step NN differ from a fresh leave-one-out pass:\n%v\n%v", d.NN, nn.Dist)
			}
			got, err := eng.fitterNN(ctx, d, "nn_quark", "loo", 10)
			if err != nil || !slices.Equal(got.Dist, nn.Dist) {
				t.Fatalf("fitterNN: %v", err)
			}
			// Per-class distances still come from a pass.
			if got, _ := eng.fitterNN(ctx, d, "nn_to_quark", "loo", 10); len(got.DistS) != d.Len() {
				t.Fatalf("nn_to_quark: %d per-class distances", len(got.DistS))
			}
		})
	}
}

func iotaQueries(n int) []int32 {
	q := make([]int32, n)
	for i := range q {
		q[i] = int32(i)
	}
	return q
}

// An export replaces the step's folder: files of an earlier run that the
// new one does not write (ROC curves at other points) are gone.
func TestExportReplacesStepFolder(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	eng := New(Options{CacheDir: filepath.Join(dir, "cache"), Registry: reg, NoReport: true})
	rocs := func(at string) []string {
		t.Helper()
		if _, err := eng.Run(context.Background(), loadPlan(t, dir, toyWorkflow, reg, "smeared.roc_at="+at)); err != nil {
			t.Fatal(err)
		}
		m, _ := filepath.Glob(filepath.Join(dir, "out", "smeared", "roc_*.csv"))
		for i := range m {
			m[i] = filepath.Base(m[i])
		}
		return m
	}
	if got := rocs("[0.01]"); !slices.Equal(got, []string{"roc_eps_0.01.csv"}) {
		t.Fatalf("first run: %v", got)
	}
	if got := rocs("[10]"); !slices.Equal(got, []string{"roc_eps_10.csv"}) {
		t.Fatalf("second run: %v (stale files of the first run kept?)", got)
	}
}

// `runner plan` explains a miss against the step's last run, also when
// that run was a cache hit.
func TestPlanDiffsAgainstLastRunEvenIfCached(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	eng := New(Options{CacheDir: filepath.Join(dir, "cache"), Registry: reg, NoReport: true})
	for _, eps := range []string{"[0.5,1]", "[0.1,1]", "[0.5,1]"} {
		if _, err := eng.Run(context.Background(), loadPlan(t, dir, toyWorkflow, reg, "smeared.eps="+eps)); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := eng.Explain(loadPlan(t, dir, toyWorkflow, reg, "smeared.eps=[0.2,1]"))
	if err != nil {
		t.Fatal(err)
	}
	if why := lines[2].Why; !strings.Contains(why, "eps [0.5,1] → [0.2,1]") {
		t.Fatalf("smeared: why=%q, want the change from the last run (eps [0.5,1])", why)
	}
}

// The report labels the bootstrap bands with the step's confidence.
func TestReportBandLevelFollowsConfidence(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	src := `
name: band
output: out
steps:
  jets: {reader: toy, with: {n: 20}}
  distances: {metric: toy, input: jets}
  smeared: {smearer: ball, input: distances, with: {eps: [0.5, 1, 2], n_boot: 10, confidence: 0.9}}
`
	eng := New(Options{Registry: reg})
	if _, err := eng.Run(context.Background(), loadPlan(t, dir, src, reg)); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "with the 90% bootstrap band shaded") {
		t.Fatal("report.html does not label the smearing bands 90% (confidence 0.9)")
	}
}

// A split whose test set lacks a class fails before training, naming the
// counts.
func TestTaggerSplitNeedsBothClasses(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	src := `
name: tag
seed: 1
output: out
steps:
  jets:
    reader: toy
    with: {n: 1, extra_gluons: 3}
  tagger:
    tagger: toy
    input: jets
    with: {test_fraction: 0.3}
`
	_, err := New(Options{Registry: reg, NoReport: true}).Run(context.Background(), loadPlan(t, dir, src, reg))
	if err == nil || !strings.Contains(err.Error(), "the test set has 0 quark and 2 gluon jets") {
		t.Fatalf("error %v", err)
	}
}

// Clean removes what the cache wrote and nothing else.
func TestCleanKeepsForeignFiles(t *testing.T) {
	dir := t.TempDir()
	c := &Cache{Dir: dir}
	if err := c.Put("abcdef", KeyParts{}, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.Remember("wf", "step", KeyParts{}); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "thesis.tex")
	os.WriteFile(mine, []byte("x"), 0o644)
	if err := c.Clean(); err != nil {
		t.Fatal(err)
	}
	if c.Has("abcdef") {
		t.Error("entry survived Clean")
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("Clean removed a file the cache did not write: %v", err)
	}
	os.Remove(mine)
	if err := c.Clean(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("empty cache folder not removed: %v", err)
	}
	if err := (&Cache{}).Clean(); err == nil {
		t.Error("Clean without a folder should fail")
	}
}

// provenance.json records the time the step took (it was always 0: the
// time was set only after the export).
func TestProvenanceSeconds(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	if _, err := New(Options{Registry: reg, NoReport: true}).Run(context.Background(), loadPlan(t, dir, toyWorkflow, reg)); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"jets", "distances", "smeared", "nearest"} {
		var prov map[string]any
		b, _ := os.ReadFile(filepath.Join(dir, "out", step, "provenance.json"))
		if err := json.Unmarshal(b, &prov); err != nil {
			t.Fatal(err)
		}
		if s, _ := prov["seconds"].(float64); !(s > 0) {
			t.Errorf("%s: provenance seconds %v", step, prov["seconds"])
		}
	}
}
