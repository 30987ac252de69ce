package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
)

// smallRuns shrinks every example workflow so that CI runs each one end to
// end in seconds. A workflow added to workflows/ must be added here.
var smallRuns = map[string][]string{
	"quark-gluon.yaml":             {"jets.quarks=80", "jets.gluons=80", "smeared.n_boot=10", "nearest.n_boot=10"},
	"compare-smearers.yaml":        {"jets.quarks=60", "jets.gluons=60", "ball.n_boot=10", "gaussian.n_boot=10", "knn.n_boot=10", "knn.k=[1,3,5]"},
	"compare-smearers-pythia.yaml": {"jets.quarks=60", "jets.gluons=60", "ball.n_boot=10", "gaussian.n_boot=10", "knn.n_boot=10", "knn.k=[1,3,5]"},
	"compare-metrics.yaml":         {"jets.quarks=30", "jets.gluons=30", "ball_semd.n_boot=5", "ball_emd.n_boot=5", "ball_mass.n_boot=5"},
	"pythia-qg.yaml":               {"jets.quarks=80", "jets.gluons=80", "smeared.n_boot=10", "nearest.n_boot=10"},
	"evt-scaling.yaml": {"jets.quarks=100", "jets.gluons=100", "nearest.sizes=[25,50,100,200]", "nearest.repeats=2",
		"nearest.n_boot=10", "nearest_quarks.n_boot=10", "nearest_gluons.n_boot=10"},
	"evt-scaling-pythia.yaml": {"jets.quarks=100", "jets.gluons=100", "nearest.sizes=[25,50,100,200]", "nearest.repeats=2",
		"nearest.n_boot=10", "nearest_quarks.n_boot=10", "nearest_gluons.n_boot=10"},
	"xaug-lrp.yaml": {"jets.quarks=150", "jets.gluons=150", "tagger.epochs=3", "tagger.seeds=2", "tagger.constituents=8",
		"tagger.hidden=[8]", "tagger.head=[4]", "relevance.retrain_top_k=[1,3]", "relevance.retrain_seeds=1", "relevance.explain_jets=50"},
	"xaug-lrp-pythia.yaml": {"jets.quarks=150", "jets.gluons=150", "tagger.epochs=3", "tagger.seeds=2", "tagger.constituents=8",
		"tagger.hidden=[8]", "tagger.head=[4]", "relevance.retrain_top_k=[1,3]", "relevance.retrain_seeds=1", "relevance.explain_jets=50"},
}

// needsShared lists the workflows whose default input is in ../shared.
var needsShared = map[string]string{
	"pythia-qg.yaml":               "data/pythia8-qg-dev.npz",
	"compare-smearers-pythia.yaml": "data/pythia8-qg-dev.npz",
	"evt-scaling-pythia.yaml":      "data/pythia8-qg-dev.npz",
	"xaug-lrp-pythia.yaml":         "data/pythia8-qg-dev.npz",
}

func TestExampleWorkflows(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(sharedtest.Root(), "workflows", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows found: %v", err)
	}
	sort.Strings(files)
	cache := t.TempDir()
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			sets, ok := smallRuns[name]
			if !ok {
				t.Fatalf("workflows/%s has no small-size overrides in smallRuns", name)
			}
			out := t.TempDir()
			args := []string{"run", f, "--cache-dir", cache, "--progress", "none", "--set", "output=" + out}
			if rel, ok := needsShared[name]; ok {
				// The file names ../../shared relative to itself; point it at
				// the shared folder wherever the tests found it.
				args = append(args, "--set", "jets.path="+sharedtest.Path(t, rel))
			}
			for _, s := range sets {
				args = append(args, "--set", s)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			b, err := os.ReadFile(filepath.Join(out, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			var res struct {
				Status string
				Report string
				Steps  []struct{ Name, Status string }
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			if res.Status != "ok" || !strings.HasSuffix(res.Report, "report.html") {
				t.Fatalf("status %q, report %q", res.Status, res.Report)
			}
			if _, err := os.Stat(res.Report); err != nil {
				t.Fatal(err)
			}
		})
	}
}
