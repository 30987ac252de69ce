package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/workflow"
	"github.com/smearflow/smearflow/plugins/fitters/gumbel"
	"github.com/smearflow/smearflow/plugins/fitters/weibull"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
	"github.com/smearflow/smearflow/plugins/smearers/knn"
)

func testRegistry(t *testing.T) *plugin.Registry {
	t.Helper()
	reg, err := plugin.NewRegistry(toyReader{}, toyMetric{}, toyBoundMetric{}, toyTagger{}, ball.New(), knn.New(), weibull.New(), gumbel.New())
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

const toyWorkflow = `
name: toy
seed: 3
output: out
steps:
  jets:
    reader: toy
    with: {n: 60}
    export: true
  distances:
    metric: toy
    input: jets
    export: true
  smeared:
    smearer: ball
    input: distances
    with: {eps: {log: [0.01, 10, 8]}, n_boot: 20}
    export: true
  knn:
    smearer: knn
    input: distances
    with: {k: [1, 5], reference: loo}
  nearest:
    fitter: weibull
    compare: [gumbel]
    input: distances
    with: {n_boot: 0, sizes: [20, 40, 80], repeats: 2, n_boot_ladder: 10}
    export: true
`

func loadPlan(t *testing.T, dir, src string, reg *plugin.Registry, sets ...string) *workflow.Plan {
	t.Helper()
	path := filepath.Join(dir, "wf.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := workflow.Load(path, reg, sets)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func TestRunExportsAndCaches(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	plan := loadPlan(t, dir, toyWorkflow, reg)
	eng := New(Options{CacheDir: filepath.Join(dir, "cache"), Registry: reg, NoReport: true})
	res, err := eng.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "ok" || len(res.Steps) != 5 {
		t.Fatalf("status %s, %d steps", res.Status, len(res.Steps))
	}
	out := filepath.Join(dir, "out")
	for _, f := range []string{
		"results.json", "jets/jets.npz", "jets/provenance.json", "distances/distances.npy",
		"distances/pair_distances.csv", "distances/nn_distances.csv", "smeared/auc.csv", "smeared/scores.npy",
		"smeared/jets.csv", "nearest/fit.json", "nearest/sample.csv", "nearest/ladder.csv",
	} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output %s", f)
		}
	}
	auc1, _ := os.ReadFile(filepath.Join(out, "smeared", "auc.csv"))
	if !bytes.HasPrefix(auc1, []byte("eps,auc,auc_lo,auc_hi,rejection50")) {
		t.Fatalf("auc.csv header: %q", auc1[:60])
	}
	var results map[string]any
	b, _ := os.ReadFile(filepath.Join(out, "results.json"))
	if err := json.Unmarshal(b, &results); err != nil {
		t.Fatal(err)
	}
	if results["status"] != "ok" {
		t.Fatalf("results.json status %v", results["status"])
	}
	var prov map[string]any
	b, _ = os.ReadFile(filepath.Join(out, "smeared", "provenance.json"))
	json.Unmarshal(b, &prov)
	if prov["plugin"] != "ball" || prov["workflow_sha256"] != plan.Hash || prov["cache_key"] == "" {
		t.Fatalf("provenance %v", prov)
	}
	// knn in loo mode is labelled biased.
	for _, s := range res.Steps {
		if s.Name == "knn" && s.Summary["biased"] == nil {
			t.Errorf("leave-one-out knn not labelled biased: %v", s.Summary)
		}
	}

	// Second run: everything from the cache, identical outputs.
	os.RemoveAll(out)
	lines, err := eng.Explain(plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if !l.Hit {
			t.Errorf("step %s: cache miss on second plan (%s)", l.Step, l.Why)
		}
	}
	res2, err := eng.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res2.Steps {
		if !s.Cached {
			t.Errorf("step %s not cached", s.Name)
		}
	}
	auc2, _ := os.ReadFile(filepath.Join(out, "smeared", "auc.csv"))
	if !bytes.Equal(auc1, auc2) {
		t.Errorf("auc.csv differs between the fresh and the cached run")
	}

	// A parameter change is explained.
	plan3 := loadPlan(t, dir, toyWorkflow, reg, "smeared.eps=[0.1,1]")
	lines, _ = eng.Explain(plan3)
	for _, l := range lines {
		switch l.Step {
		case "smeared":
			if l.Hit || !strings.Contains(l.Why, "parameters changed: eps") {
				t.Errorf("smeared: hit=%v why=%q", l.Hit, l.Why)
			}
		case "jets", "distances", "knn", "nearest":
			if !l.Hit {
				t.Errorf("%s should still hit: %s", l.Step, l.Why)
			}
		}
	}
}

func TestFailureWritesNoPartialOutput(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	plan := loadPlan(t, dir, toyWorkflow, reg, "distances.fail=true")
	eng := New(Options{CacheDir: filepath.Join(dir, "cache"), Registry: reg, NoReport: true})
	res, err := eng.Run(context.Background(), plan)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "distances" || !strings.Contains(err.Error(), "asked to fail") {
		t.Fatalf("error %v", err)
	}
	if res.Status != "failed" {
		t.Fatalf("status %s", res.Status)
	}
	for _, s := range res.Steps {
		switch s.Name {
		case "jets":
			if s.Status != "ok" {
				t.Errorf("jets: %s", s.Status)
			}
		case "distances":
			if s.Status != "failed" {
				t.Errorf("distances: %s", s.Status)
			}
		default:
			if s.Status != "skipped" {
				t.Errorf("%s: %s, want skipped", s.Name, s.Status)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "distances")); !os.IsNotExist(err) {
		t.Errorf("failed step left an output folder")
	}
	// No temporary files anywhere in the output.
	filepath.Walk(filepath.Join(dir, "out"), func(p string, info os.FileInfo, err error) error {
		if strings.Contains(filepath.Base(p), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})
}

func TestStepTimeout(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	src := strings.Replace(toyWorkflow, "    metric: toy\n", "    metric: toy\n    timeout: 200ms\n", 1)
	plan := loadPlan(t, dir, src, reg, "distances.hang=true")
	eng := New(Options{Registry: reg, NoReport: true})
	_, err := eng.Run(context.Background(), plan)
	if err == nil || !strings.Contains(err.Error(), "timed out: it did not finish within the step timeout 200ms") || !strings.Contains(err.Error(), `step "distances"`) {
		t.Fatalf("error %v", err)
	}
}

func TestCancel(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	plan := loadPlan(t, dir, toyWorkflow, reg, "distances.hang=true")
	eng := New(Options{Registry: reg, NoReport: true})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(dir, "out", "jets", "jets.npz")); err == nil {
				cancel()
				return
			}
		}
	}()
	res, err := eng.Run(ctx, plan)
	if !errors.Is(err, context.Canceled) {
		for _, s := range res.Steps {
			t.Logf("%s %s %v %s", s.Name, s.Status, s.Cached, s.Error)
		}
		t.Fatalf("error %v", err)
	}
	if res.Status != "failed" && res.Status != "interrupted" {
		t.Fatalf("status %s", res.Status)
	}
}

func TestFitterSamples(t *testing.T) {
	dir := t.TempDir()
	reg := testRegistry(t)
	for _, tc := range []struct {
		sets []string
		n    int
		name string
	}{
		{[]string{"nearest.sample=nn_quark"}, 60, "nearest-neighbour distance of quark jets (leave-one-out)"},
		{[]string{"nearest.sample=nn_to_gluon", "nearest.reference=kfold", "nearest.folds=4"}, 120, "distance to the nearest gluon jet (other folds of 4)"},
	} {
		plan := loadPlan(t, dir, toyWorkflow, reg, append(tc.sets, "nearest.sizes=[]")...)
		eng := New(Options{Registry: reg, NoReport: true})
		res, err := eng.Run(context.Background(), plan)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Steps {
			if s.Name == "nearest" && (s.Summary["n"] != tc.n || s.Summary["sample"] != tc.name) {
				t.Errorf("%v: n=%v sample=%q, want %d %q", tc.sets, s.Summary["n"], s.Summary["sample"], tc.n, tc.name)
			}
		}
	}
}
