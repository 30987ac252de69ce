package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/examples/plugins/angularity"
	"github.com/smearflow/smearflow/plugins/builtin"
	"github.com/smearflow/smearflow/plugins/readers/generator"
)

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// buildBinaries builds the example plugin, the misbehaving test plugin
// and the runner itself once per test binary.
func buildBinaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds plugin binaries; skipped in -short mode")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "smearflow-bins-*")
		if binErr != nil {
			return
		}
		for out, pkg := range map[string]string{
			"ext/smearflow-plugin-angularity": "github.com/smearflow/smearflow/examples/plugins/angularity/cmd/smearflow-plugin-angularity",
			"bad/smearflow-plugin-toy":        "github.com/smearflow/smearflow/core/plugin/grpcplugin/internal/testplugin",
			"runner":                          "github.com/smearflow/smearflow/cmd/runner",
		} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, out), pkg)
			if b, err := cmd.CombinedOutput(); err != nil {
				binErr = &buildError{pkg: pkg, out: string(b), err: err}
				return
			}
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binDir
}

type buildError struct {
	pkg, out string
	err      error
}

func (e *buildError) Error() string { return "go build " + e.pkg + ": " + e.err.Error() + "\n" + e.out }

func TestMain(m *testing.M) {
	code := m.Run()
	grpcplugin.CleanupClients()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// An external plugin written as a third party would, used by a workflow
// through plugin_dirs, gives the same distances as the library in process.
func TestExternalPluginWorkflow(t *testing.T) {
	bins := buildBinaries(t)
	dir := t.TempDir()
	wf := writeFile(t, dir, "ext.yaml", `name: ext
seed: 4
output: out
plugin_dirs: [`+filepath.Join(bins, "ext")+`]
steps:
  jets:
    reader: generator
    with: {quarks: 60, gluons: 60}
    export: true
  distances:
    metric: angularity
    input: jets
    with: {a: 0.5}
    export: true
  smeared:
    smearer: ball
    input: distances
    with: {eps: [0.001, 0.01, 0.05], n_boot: 0}
`)
	code, stdout, stderr := runCLI(t, "run", wf, "--cache-dir", filepath.Join(dir, "cache"), "--progress", "none")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, _, err := npy.ReadFile(filepath.Join(dir, "out", "distances", "distances.npy"))
	if err != nil {
		t.Fatal(err)
	}
	js, err := npy.ReadJetsFile(filepath.Join(dir, "out", "jets", "jets.npz"), npy.EnergyFlowOptions{})
	if err != nil {
		t.Fatal(err)
	}
	params, _ := angularity.New().Info().Params.Resolve(map[string]any{"a": 0.5})
	sp, err := angularity.New().Prepare(context.Background(), plugin.MetricRequest{Params: params, Jets: js})
	if err != nil {
		t.Fatal(err)
	}
	n := js.Len()
	want := make([]float64, n*n)
	if err := sp.Block(context.Background(), plugin.Range{Lo: 0, Hi: n}, plugin.Range{Lo: 0, Hi: n}, want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d distances, want %d", len(got), len(want))
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("distance %d: external %v, in process %v", k, got[k], want[k])
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "out", "distances", "provenance.json"))
	if !strings.Contains(string(b), "smearflow-plugin-angularity") {
		t.Errorf("provenance does not name the external binary:\n%s", b)
	}
}

// `runner plugin serve KIND/NAME` serves a built-in out of process with
// results identical to the in-process plugin.
func TestServeBuiltinOutOfProcess(t *testing.T) {
	bins := buildBinaries(t)
	ctx := context.Background()
	ps, client, err := grpcplugin.LaunchCommand(ctx, exec.Command(filepath.Join(bins, "runner"), "plugin", "serve", "metric/semd", "reader/generator"), grpcplugin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Kill()
	if len(ps) != 2 {
		t.Fatalf("%d plugins served", len(ps))
	}
	gen, _ := generator.New().Info().Params.Resolve(map[string]any{"quarks": 20, "gluons": 20})
	js := mustRead(t, generator.New(), gen)
	remoteJets := mustRead(t, ps[1].(plugin.Reader), gen)
	if js.NumParticles() != remoteJets.NumParticles() {
		t.Fatalf("generator out of process differs")
	}
	reg, _ := builtin.Registry()
	semd, _ := reg.Metric("semd")
	params, _ := semd.Info().Params.Resolve(nil)
	local, _ := semd.Prepare(ctx, plugin.MetricRequest{Params: params, Jets: js})
	remote, err := ps[0].(plugin.Metric).Prepare(ctx, plugin.MetricRequest{Params: params, Jets: js})
	if err != nil {
		t.Fatal(err)
	}
	n := js.Len()
	a, b := make([]float64, n*n), make([]float64, n*n)
	all := plugin.Range{Lo: 0, Hi: n}
	local.Block(ctx, all, all, a)
	if err := remote.Block(ctx, all, all, b); err != nil {
		t.Fatal(err)
	}
	for k := range a {
		if a[k] != b[k] {
			t.Fatalf("semd out of process differs at %d: %v vs %v", k, a[k], b[k])
		}
	}
}

func mustRead(t *testing.T, r plugin.Reader, p plugin.Params) *jet.Jets {
	t.Helper()
	out := &jet.Jets{}
	if err := r.Read(context.Background(), plugin.ReadRequest{Params: p, Seed: 1}, func(b *jet.Jets) error { out.Concat(b); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// Misbehaving external plugins fail the step with an error naming the
// plugin, and the step writes no output.
func TestMisbehavingPluginWorkflow(t *testing.T) {
	bins := buildBinaries(t)
	for _, tc := range []struct{ mode, want string }{
		{"crash", "exited unexpectedly"},
		{"hang", "timed out"},
		{"garbage", "handshake failed"},
		{"apiversion", "speaks plugin API version 2"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Setenv("SMEARFLOW_TESTPLUGIN_MODE", tc.mode)
			dir := t.TempDir()
			wf := writeFile(t, dir, "bad.yaml", `name: bad
seed: 4
output: out
plugin_dirs: [`+filepath.Join(bins, "bad")+`]
steps:
  jets:
    reader: generator
    with: {quarks: 200, gluons: 200}
  distances:
    metric: toy
    input: jets
    timeout: 1s
    export: true
`)
			code, stdout, stderr := runCLI(t, "run", wf, "--no-cache", "--progress", "none")
			if code == 0 {
				t.Fatalf("run succeeded with a %s plugin\n%s", tc.mode, stdout)
			}
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "smearflow-plugin-toy") {
				t.Fatalf("stderr lacks %q and the plugin's name:\n%s", tc.want, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "out", "distances")); !os.IsNotExist(err) {
				t.Errorf("a failed step wrote output")
			}
		})
	}
}
