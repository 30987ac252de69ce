package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the runner in process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const tiny = `name: tiny
seed: 5
output: out
steps:
  jets:
    reader: generator
    with: {quarks: 40, gluons: 40}
  distances:
    metric: semd
    input: jets
  smeared:
    smearer: ball
    input: distances
    with: {eps: {log: [0.005, 0.3, 6]}, n_boot: 10}
    export: true
`

func TestValidateTypoNamesPosition(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "typo.yaml", strings.Replace(tiny, "with: {eps:", "with: {epss:", 1))
	code, _, stderr := runCLI(t, "validate", p)
	if code != exitInvalid {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	want := "typo.yaml:14:12: step \"smeared\": parameter \"epss\": unknown parameter (did you mean \"eps\"?)"
	if !strings.Contains(stderr, want) {
		t.Fatalf("stderr %q lacks %q", stderr, want)
	}
}

func TestValidateErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, src, want string }{
		{"unknown plugin", strings.Replace(tiny, "metric: semd", "metric: semdd", 1), `unknown metric plugin "semdd" (did you mean "semd"?)`},
		{"wrong type", strings.Replace(tiny, "quarks: 40", "quarks: many", 1), `parameter "quarks": want an integer, got "many"`},
		{"out of range", strings.Replace(tiny, "quarks: 40", "quarks: -3", 1), "below the minimum"},
		{"cycle", strings.Replace(tiny, "input: jets", "input: smeared", 1), "cycle"},
		{"type mismatch", strings.Replace(tiny, "input: distances", "input: jets", 1), "distances"},
		{"malformed", "name: x\nsteps: [\n", "wf.yaml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, "wf.yaml", tc.src)
			code, _, stderr := runCLI(t, "validate", p)
			if code != exitInvalid || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q, want %q", code, stderr, tc.want)
			}
		})
	}
}

func TestRunPlanClean(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "tiny.yaml", tiny)
	cache := filepath.Join(dir, "cache")
	code, stdout, stderr := runCLI(t, "plan", p, "--cache-dir", cache)
	if code != 0 || !strings.Contains(stdout, "never run") {
		t.Fatalf("plan: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "run", p, "--cache-dir", cache, "--progress", "plain", "--set", "jets.quarks=30")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "best AUC") || !strings.Contains(stderr, "✔ smeared") {
		t.Fatalf("run output:\n%s\n%s", stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "smeared", "auc.csv")); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ = runCLI(t, "plan", p, "--cache-dir", cache, "--set", "jets.quarks=30")
	if code != 0 || strings.Contains(stdout, "miss") {
		t.Fatalf("plan after run:\n%s", stdout)
	}
	code, stdout, _ = runCLI(t, "plan", p, "--cache-dir", cache)
	if !strings.Contains(stdout, "parameters changed: quarks 30 → 40") {
		t.Fatalf("plan should explain the miss:\n%s", stdout)
	}
	code, _, _ = runCLI(t, "clean", "--cache-dir", cache)
	if _, err := os.Stat(cache); code != 0 || !os.IsNotExist(err) {
		t.Fatalf("clean: exit %d, %v", code, err)
	}
}

func TestPluginsCommands(t *testing.T) {
	code, stdout, _ := runCLI(t, "plugins")
	if code != 0 || !strings.Contains(stdout, "metric") || !strings.Contains(stdout, "semd") || !strings.Contains(stdout, "builtin") {
		t.Fatalf("list:\n%s", stdout)
	}
	code, stdout, _ = runCLI(t, "plugins", "describe", "smearer/ball")
	if code != 0 || !strings.Contains(stdout, "eps") || !strings.Contains(stdout, "host parameters") {
		t.Fatalf("describe:\n%s", stdout)
	}
	code, _, stderr := runCLI(t, "plugins", "describe", "smearer/bal")
	if code == 0 || !strings.Contains(stderr, `did you mean "ball"`) {
		t.Fatalf("describe unknown: %d %s", code, stderr)
	}
	dir := t.TempDir()
	code, stdout, _ = runCLI(t, "plugins", "docs", dir)
	if code != 0 || !strings.Contains(stdout, "plugin pages") {
		t.Fatalf("docs: %s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(dir, "metric-semd.md"))
	if err != nil || !strings.Contains(string(b), "# Metric `semd`") {
		t.Fatalf("docs page: %v %s", err, b)
	}
}

func TestSettingsLayers(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "smearflow.yaml", "workers: 3\nprogress: plain\n")
	t.Setenv("SMEARFLOW_WORKERS", "4")
	t.Setenv("SMEARFLOW_PLUGIN_DIRS", "/a:/b")
	fs, sf := newTestFlags()
	if err := fs.Parse([]string{"--config", cfg, "--progress", "none"}); err != nil {
		t.Fatal(err)
	}
	s, err := sf.load(fs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Workers != 4 || s.Progress != "none" || len(s.PluginDirs) != 2 || s.PluginDirs[1] != "/b" {
		t.Fatalf("settings %+v", s)
	}
	bad := writeFile(t, dir, "bad.yaml", "wrkers: 3\n")
	fs, sf = newTestFlags()
	fs.Parse([]string{"--config", bad})
	if _, err := sf.load(fs); err == nil || !strings.Contains(err.Error(), `unknown setting "wrkers"`) {
		t.Fatalf("bad config: %v", err)
	}
}

func TestUsage(t *testing.T) {
	if code, _, stderr := runCLI(t, "frobnicate"); code != exitUsage || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("%d %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "run"); code != exitUsage || !strings.Contains(stderr, "missing WORKFLOW.yaml") {
		t.Fatalf("%d %s", code, stderr)
	}
}

// newTestFlags is a flag set with the setting flags, for tests.
func newTestFlags() (*flag.FlagSet, *settingFlags) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	return fs, addSettingFlags(fs)
}

// Flags may follow the workflow file, and stray arguments are refused.
func TestInterleavedFlags(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "tiny.yaml", tiny)
	code, _, stderr := runCLI(t, "validate", "--no-cache", p, "--set", "jets.quarks=abc")
	if code != exitInvalid || !strings.Contains(stderr, `parameter "quarks"`) {
		t.Fatalf("--set after the file was ignored: exit %d, %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "validate", p, "extra.yaml")
	if code != exitUsage || !strings.Contains(stderr, "one workflow file expected") {
		t.Fatalf("stray argument: exit %d, %s", code, stderr)
	}
}
