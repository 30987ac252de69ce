package grpcplugin

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// binDir holds the binaries built by the tests of this package, once per
// test process (building takes seconds; every test gets the same files).
var binDir string

func TestMain(m *testing.M) {
	if os.Getenv(envHelperHost) != "" {
		os.Exit(m.Run()) // a helper host process: no builds, no cleanup
	}
	dir, err := os.MkdirTemp("", "grpcplugin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	CleanupClients()
	os.RemoveAll(dir)
	os.Exit(code)
}

var builds sync.Map // package path -> *buildResult

type buildResult struct {
	once sync.Once
	path string
	err  error
}

// buildBinary builds a main package of this module with `go build` and
// returns the binary, named name.
func buildBinary(t testing.TB, pkg, name string) string {
	t.Helper()
	v, _ := builds.LoadOrStore(pkg, &buildResult{})
	b := v.(*buildResult)
	b.once.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		b.path = filepath.Join(binDir, name)
		cmd := exec.Command(goBin, "build", "-o", b.path, pkg)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

const testPluginPkg = "github.com/smearflow/smearflow/core/plugin/grpcplugin/internal/testplugin"

func testPlugin(t testing.TB) string { return buildBinary(t, testPluginPkg, "testplugin") }

// quietOptions are Options whose logger discards everything but still asks
// plugins for info-level logs.
func quietOptions() Options {
	return Options{Logger: hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Info})}
}

// modeCommand runs the test plugin in a misbehaviour mode.
func modeCommand(t testing.TB, mode string) *exec.Cmd {
	cmd := exec.Command(testPlugin(t))
	cmd.Env = []string{"SMEARFLOW_TESTPLUGIN_MODE=" + mode}
	return cmd
}

// alive reports whether a process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// waitDead waits up to d for a process to go away.
func waitDead(pid int, d time.Duration) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if !alive(pid) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return !alive(pid)
}
