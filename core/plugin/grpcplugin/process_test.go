package grpcplugin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

func skipUnlessLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("process checks read /proc")
	}
}

func launch(t *testing.T, mode string, opts Options) (plugin.Metric, plugin.Reader, *Client) {
	t.Helper()
	ps, c, err := LaunchCommand(context.Background(), modeCommand(t, mode), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Kill)
	var m plugin.Metric
	var r plugin.Reader
	for _, p := range ps {
		switch x := p.(type) {
		case plugin.Metric:
			m = x
		case plugin.Reader:
			r = x
		}
	}
	if m == nil || r == nil {
		t.Fatalf("catalog gave %d plugins without the toy metric and reader", len(ps))
	}
	return m, r, c
}

func toyJets(n int) *jet.Jets {
	j := &jet.Jets{}
	for i := 0; i < n; i++ {
		j.Append([]float64{float64(i*i) + 0.5, 1.25}, []float64{0, 0.1}, []float64{0, 0.2}, nil, int8(i%2), 1)
	}
	return j
}

func params(t testing.TB, p plugin.Plugin, raw map[string]any) plugin.Params {
	t.Helper()
	ps, err := p.Info().Params.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestLaunchServesEveryCall(t *testing.T) {
	m, r, c := launch(t, "ok", quietOptions())
	if got := m.Info(); got.ID() != "metric/toy" || got.Params[0].Default != 1.0 || !got.Has(plugin.CapLowerBound) {
		t.Fatalf("catalog info: %+v", got)
	}
	ctx := context.Background()
	jets := toyJets(20)
	sp, err := m.Prepare(ctx, plugin.MetricRequest{Params: params(t, m, map[string]any{"scale": 2}), Jets: jets})
	if err != nil {
		t.Fatal(err)
	}
	if sp.Len() != 20 {
		t.Fatalf("Len = %d, want 20", sp.Len())
	}
	want := func(i, j int) float64 { return 2 * math.Abs(jets.Jet(i).SumPt()-jets.Jet(j).SumPt()) }

	// Many concurrent tiles over one session.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows, cols := plugin.Range{Lo: g, Hi: g + 5}, plugin.Range{Lo: 3, Hi: 20}
			out := make([]float64, rows.Len()*cols.Len())
			if err := sp.Block(ctx, rows, cols, out); err != nil {
				errs <- err
				return
			}
			for i := rows.Lo; i < rows.Hi; i++ {
				for j := cols.Lo; j < cols.Hi; j++ {
					if got := out[(i-rows.Lo)*cols.Len()+j-cols.Lo]; got != want(i, j) {
						errs <- fmt.Errorf("d(%d,%d) = %v, want %v", i, j, got, want(i, j))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	out := make([]float64, 2)
	if err := sp.Pairs(ctx, []int32{1, 19}, []int32{4, 0}, out); err != nil {
		t.Fatal(err)
	}
	if out[0] != want(1, 4) || out[1] != want(19, 0) {
		t.Errorf("Pairs = %v", out)
	}
	// A plugin error comes back naming the plugin and binary.
	err = sp.Pairs(ctx, []int32{1}, []int32{99}, out[:1])
	if err == nil || !strings.Contains(err.Error(), "metric/toy ("+c.Path()+"): pair 0: index (1, 99) out of range") {
		t.Errorf("out-of-range pair: %v", err)
	}
	lb, ok := sp.(plugin.LowerBounder)
	if !ok {
		t.Fatal("the toy space is a LowerBounder in the plugin but not through the shim")
	}
	emb, err := lb.LowerBound(ctx)
	if err != nil || emb.Dim != 1 || len(emb.Vectors) != 20 || emb.Vectors[3] != 2*jets.Jet(3).SumPt() {
		t.Errorf("LowerBound = %+v, %v", emb, err)
	}
	// The embedding crosses the wire once; later calls share it.
	if again, err := lb.LowerBound(ctx); err != nil || again != emb {
		t.Errorf("second LowerBound: %p (first %p), %v", again, emb, err)
	}
	if _, is := sp.(plugin.OutOfProcess); !is {
		t.Error("a space served by a plugin process is not plugin.OutOfProcess")
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sp.Block(ctx, plugin.Range{Lo: 0, Hi: 1}, plugin.Range{Lo: 0, Hi: 1}, out[:1]); err == nil || !strings.Contains(err.Error(), "no prepared space") {
		t.Errorf("Block after Close: %v", err)
	}

	// The reader streams its batches and its progress reaches the host.
	var reports []string
	pctx := plugin.WithProgress(ctx, func(done, total int64, msg string) {
		reports = append(reports, fmt.Sprintf("%d/%d %s", done, total, msg))
	})
	var sums []float64
	err = r.Read(pctx, plugin.ReadRequest{Params: params(t, r, map[string]any{"batches": 4, "per_batch": 3})}, func(j *jet.Jets) error {
		for i := 0; i < j.Len(); i++ {
			sums = append(sums, j.Jet(i).SumPt())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 12 || sums[11] != 12 {
		t.Errorf("read %v", sums)
	}
	if strings.Join(reports, ",") != "1/4 batch,2/4 batch,3/4 batch,4/4 batch" {
		t.Errorf("progress reports %q", reports)
	}
	// An error from emit stops the reader and is returned unchanged.
	stopErr := errors.New("enough")
	n := 0
	err = r.Read(ctx, plugin.ReadRequest{Params: params(t, r, nil)}, func(*jet.Jets) error { n++; return stopErr })
	if err != stopErr || n != 1 {
		t.Errorf("emit error: got %v after %d batches", err, n)
	}

	// Parameters are validated again in the plugin against its spec.
	_, err = m.Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"scael": 1.0}, Jets: jets})
	var pe *plugin.ParamError
	if !errors.As(err, &pe) || pe.Param != "scael" || !strings.Contains(err.Error(), `did you mean "scale"`) {
		t.Errorf("unknown parameter: %v", err)
	}

	c.Kill()
	if _, err := m.Prepare(ctx, plugin.MetricRequest{Params: params(t, m, nil), Jets: jets}); err == nil || !strings.Contains(err.Error(), "is not running: it was shut down by the host") {
		t.Errorf("call after Kill: %v", err)
	}
}

// TestMisbehavingPlugins checks that every kind of misbehaviour gives an
// error naming the plugin and the binary, and never hangs the host.
func TestMisbehavingPlugins(t *testing.T) {
	skipUnlessLinux(t)
	bin := testPlugin(t)
	cases := []struct {
		mode     string
		deadline time.Duration // of the Block call
		want     []string      // substrings of the error
		is       error         // errors.Is target, if any
		killed   bool          // the process must be gone afterwards
	}{
		{mode: "crash", want: []string{"plugin metric/toy (" + bin + ") exited unexpectedly during Block (exit status 3)", "[ERROR] about to exit status=3"}, killed: true},
		{mode: "panic", want: []string{"plugin metric/toy (" + bin + ") exited unexpectedly during Block (exit status 2)", "panic: testplugin: deliberate panic in Block"}, killed: true},
		{mode: "hang", deadline: 300 * time.Millisecond, want: []string{"metric/toy (" + bin + "): Block timed out after 300ms", "its process was killed"}, is: context.DeadlineExceeded, killed: true},
		{mode: "slow", deadline: 10 * time.Millisecond, want: []string{"metric/toy (" + bin + "): Block timed out after 10ms: context deadline exceeded"}, is: context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			opts := quietOptions()
			if !tc.killed {
				opts.KillGrace = 5 * time.Second // a loaded machine must not turn "slow" into "hung"
			}
			m, _, c := launch(t, tc.mode, opts)
			sp, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: params(t, m, nil), Jets: toyJets(4)})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			start := time.Now()
			err = sp.Block(ctx, plugin.Range{Lo: 0, Hi: 2}, plugin.Range{Lo: 0, Hi: 2}, make([]float64, 4))
			took := time.Since(start)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("error after %v:\n%v", took.Round(time.Millisecond), err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q", w)
				}
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(err, %v) = false", tc.is)
			}
			if took > tc.deadline+opts.KillGrace+3*time.Second {
				t.Errorf("the call took %v", took)
			}
			if tc.killed {
				if !waitDead(c.Pid(), 5*time.Second) {
					t.Errorf("process %d still alive", c.Pid())
				}
				if err := sp.Close(); err == nil || !strings.Contains(err.Error(), "metric/toy ("+bin+")") {
					t.Errorf("call after the process died: %v", err)
				}
				return
			}
			// The plugin gave up in time: the process lives on and serves.
			out := make([]float64, 1)
			if err := sp.Block(context.Background(), plugin.Range{Lo: 0, Hi: 1}, plugin.Range{Lo: 1, Hi: 2}, out); err != nil {
				t.Errorf("call after a timely timeout: %v", err)
			}
		})
	}
}

func TestCancelDoesNotKill(t *testing.T) {
	skipUnlessLinux(t)
	m, _, c := launch(t, "hang", quietOptions())
	sp, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: params(t, m, nil), Jets: toyJets(3)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = sp.Block(ctx, plugin.Range{Lo: 0, Hi: 1}, plugin.Range{Lo: 0, Hi: 1}, make([]float64, 1))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "metric/toy ("+c.Path()+"): Block canceled") {
		t.Fatalf("got %v", err)
	}
	if !alive(c.Pid()) {
		t.Error("a canceled call killed the process")
	}
	out := make([]float64, 1)
	if err := sp.Pairs(context.Background(), []int32{0}, []int32{2}, out); err != nil || out[0] == 0 {
		t.Errorf("Pairs after cancel: %v, %v", out, err)
	}
}

func TestStartFailures(t *testing.T) {
	bin := testPlugin(t)
	cases := []struct{ mode, want string }{
		{"garbage", "plugin binary " + bin + ": handshake failed: it must print nothing on stdout"},
		{"apiversion", fmt.Sprintf("plugin binary %s speaks plugin API version %d, this runner speaks %d", bin, plugin.APIVersion+1, plugin.APIVersion)},
		{"badinfo", fmt.Sprintf("plugin binary %s: plugin metric/toy speaks plugin API version %d, this runner speaks %d", bin, plugin.APIVersion+1, plugin.APIVersion)},
		{"startfail", "plugin binary " + bin + " exited during start-up (exit status 2); last lines of its stderr:\n    testplugin: cannot open my configuration"},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			ps, c, err := LaunchCommand(context.Background(), modeCommand(t, tc.mode), quietOptions())
			if err == nil {
				c.Kill()
				t.Fatalf("started, serving %d plugins", len(ps))
			}
			t.Logf("%v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n%v\nlacks\n%s", err, tc.want)
			}
		})
	}
	_, _, err := Launch(context.Background(), filepath.Join(t.TempDir(), "smearflow-plugin-missing"), quietOptions())
	if err == nil || !strings.Contains(err.Error(), "smearflow-plugin-missing") {
		t.Errorf("missing binary: %v", err)
	}
}

// installPlugin copies the test plugin into dir under a plugin name.
func installPlugin(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(testPlugin(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, BinaryPrefix+name)
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiscover(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, f := range []string{"smearflow-plugin-b", "smearflow-plugin-a", "other", "smearflow-plugin-"} {
		if err := os.WriteFile(filepath.Join(a, f), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(b, "smearflow-plugin-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Discover(a, "", b, a)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(a, "smearflow-plugin-a"), filepath.Join(a, "smearflow-plugin-b")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Discover = %v, want %v", got, want)
	}
	if err := os.WriteFile(filepath.Join(b, "smearflow-plugin-noexec"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Discover(b); err == nil || !strings.Contains(err.Error(), "smearflow-plugin-noexec is named like a plugin binary but is not an executable") {
		t.Errorf("non-executable: %v", err)
	}
	if _, err := Discover(filepath.Join(a, "nope")); err == nil || !strings.Contains(err.Error(), "plugin directory "+filepath.Join(a, "nope")) {
		t.Errorf("missing dir: %v", err)
	}
}

func TestLoadRegistersAndCloses(t *testing.T) {
	skipUnlessLinux(t)
	dir := t.TempDir()
	path := installPlugin(t, dir, "toy")
	reg := &plugin.Registry{}
	m, err := Load(context.Background(), reg, []string{dir}, quietOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := reg.Origin(plugin.KindMetric, "toy"); got != path {
		t.Errorf("origin %q, want %q", got, path)
	}
	met, err := reg.Metric("toy")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Reader("toy"); err != nil {
		t.Fatal(err)
	}
	cs := m.Clients()
	if len(cs) != 1 {
		t.Fatalf("%d clients", len(cs))
	}
	pid := cs[0].Pid()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if !waitDead(pid, 5*time.Second) {
		t.Errorf("plugin %d alive after Close", pid)
	}
	if _, err := met.Prepare(context.Background(), plugin.MetricRequest{Params: params(t, met, nil), Jets: toyJets(2)}); err == nil || !strings.Contains(err.Error(), "plugin metric/toy ("+path+") is not running") {
		t.Errorf("after Close: %v", err)
	}

	// Two binaries serving the same plugin: an error naming both, and
	// nothing registered or left running.
	installPlugin(t, dir, "toy2")
	reg2 := &plugin.Registry{}
	if _, err := Load(context.Background(), reg2, []string{dir}, quietOptions()); err == nil ||
		!strings.Contains(err.Error(), "plugin metric/toy from "+filepath.Join(dir, "smearflow-plugin-toy2")+" is already provided by "+path) {
		t.Errorf("duplicate: %v", err)
	}
	if len(reg2.All()) != 0 {
		t.Errorf("a failed Load registered %d plugins", len(reg2.All()))
	}
}

func TestLoadContextCancelKills(t *testing.T) {
	skipUnlessLinux(t)
	dir := t.TempDir()
	installPlugin(t, dir, "toy")
	ctx, cancel := context.WithCancel(context.Background())
	m, err := Load(ctx, &plugin.Registry{}, []string{dir}, quietOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	pid := m.Clients()[0].Pid()
	cancel()
	if !waitDead(pid, 5*time.Second) {
		t.Errorf("plugin %d alive after its context was canceled", pid)
	}
}
