package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/engine"
)

// The run summary prints the status of a step that did not succeed, and
// non-finite numbers (null or "inf" in the JSON-safe summary) readably.
func TestKeyResult(t *testing.T) {
	for _, tc := range []struct {
		name string
		st   engine.StepResult
		want string
	}{
		{"failed smearer", engine.StepResult{Kind: "smearer", Status: "failed", Error: `step "s": boom`}, `failed: step "s": boom`},
		{"skipped", engine.StepResult{Kind: "fitter", Status: "skipped", Error: `input "d" failed`}, `skipped: input "d" failed`},
		{"one-seed tagger", engine.StepResult{Kind: "tagger", Status: "ok", Summary: map[string]any{"auc_mean": 0.8, "auc_std": nil, "seeds": 1}},
			"test AUC 0.8000 over 1 seeds"},
		{"NaN AUC", engine.StepResult{Kind: "smearer", Status: "ok", Summary: map[string]any{"axis": "eps", "best_auc": nil, "best_eps": 0.1}},
			"best AUC NaN at eps = 0.1"},
		{"infinite", engine.StepResult{Kind: "metric", Plugin: "m", Status: "ok", Summary: map[string]any{"jets": 2, "median_nn_distance": "inf"}},
			"m on 2 jets, median nearest-neighbour distance inf"},
		{"finite", engine.StepResult{Kind: "smearer", Status: "ok", Summary: map[string]any{"axis": "k", "best_auc": 0.75, "best_k": 3.0}},
			"best AUC 0.7500 at k = 3"},
		{"knn radius", engine.StepResult{Kind: "smearer", Status: "ok", Summary: map[string]any{"axis": "k", "best_auc": 0.75, "best_k": 3.0, "best_k_radius": 0.0123}},
			"best AUC 0.7500 at k = 3 (median k-th-neighbour distance 0.0123)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keyResult(tc.st)
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSettingsRejectBadValues(t *testing.T) {
	for _, tc := range []struct{ flag, want string }{
		{"--threads=-1", "threads must be 0 (all cores) or positive"},
		{"--timeout=-5m", "timeout \"-5m\" is negative"},
		{"--log-level=verbose", "log_level must be trace, debug, info, warn or error"},
	} {
		fs, sf := newTestFlags()
		if err := fs.Parse([]string{tc.flag}); err != nil {
			t.Fatal(err)
		}
		if _, err := sf.load(fs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.flag, err, tc.want)
		}
	}
	fs, sf := newTestFlags()
	fs.Parse([]string{"--log-level=WARN"})
	if _, err := sf.load(fs); err != nil {
		t.Errorf("upper-case log level: %v", err)
	}
}

// `runner clean` pointed at a folder with other files removes only what
// the cache wrote, and refuses stray arguments.
func TestCleanKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "objects", "ab", "abcd"), 0o755)
	mine := writeFile(t, dir, "notes.txt", "keep me")
	if code, _, stderr := runCLI(t, "clean", "--cache-dir", dir); code != 0 {
		t.Fatalf("clean: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("clean removed a file the cache did not write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "objects")); !os.IsNotExist(err) {
		t.Fatalf("objects/ survived clean: %v", err)
	}
	if code, _, stderr := runCLI(t, "clean", "--cache-dir", dir, dir); code != exitUsage || !strings.Contains(stderr, "takes no arguments") {
		t.Fatalf("clean with an argument: exit %d %s", code, stderr)
	}
}

func TestPluginsArguments(t *testing.T) {
	code, stdout, _ := runCLI(t, "plugins", "describe", "--log-level", "error", "smearer/ball")
	if code != 0 || !strings.Contains(stdout, "eps") {
		t.Fatalf("describe with a flag before the id: exit %d\n%s", code, stdout)
	}
	code, _, stderr := runCLI(t, "plugins", "describe", "smearer/ball", "metric/semd")
	if code != exitUsage || !strings.Contains(stderr, "one argument expected") {
		t.Fatalf("two ids: exit %d %s", code, stderr)
	}
}
