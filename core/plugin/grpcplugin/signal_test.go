package grpcplugin

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
)

// envHelperHost makes the test binary act as a plugin host (see
// TestHelperHost): "handler" handles SIGINT as documented, "bare" does not.
const envHelperHost = "SMEARFLOW_GRPCPLUGIN_HELPER_HOST"

// TestHelperHost is not a test: it is the host process of the signal
// tests. It loads the plugins of $SMEARFLOW_GRPCPLUGIN_HELPER_DIR, prints
// "PID <pid>" of the plugin process and waits for a signal.
func TestHelperHost(t *testing.T) {
	mode := os.Getenv(envHelperHost)
	if mode == "" {
		t.Skip("helper process for the signal tests")
	}
	// What a host does (see CleanupClients):
	ctx := context.Background()
	if mode == "handler" {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		defer CleanupClients()
	}
	m, err := Load(ctx, &plugin.Registry{}, []string{os.Getenv("SMEARFLOW_GRPCPLUGIN_HELPER_DIR")}, quietOptions())
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	defer m.Close()
	fmt.Printf("PID %d\n", m.Clients()[0].Pid())
	<-ctx.Done()
}

// startHost runs the helper host and returns it and its plugin's pid.
func startHost(t *testing.T, mode string) (*exec.Cmd, int) {
	t.Helper()
	dir := t.TempDir()
	installPlugin(t, dir, "toy")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHost$", "-test.count=1")
	cmd.Env = append(os.Environ(), envHelperHost+"="+mode, "SMEARFLOW_GRPCPLUGIN_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "PID ") {
		t.Fatalf("host said %q, %v", line, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "PID ")))
	if err != nil || !alive(pid) {
		t.Fatalf("bad plugin pid %q", line)
	}
	return cmd, pid
}

// TestSignalsLeaveNoChild checks that no plugin process outlives its host:
// a host that handles SIGINT as documented kills its plugins (they ignore
// SIGINT themselves), and a host killed outright takes them along through
// the parent-death signal.
func TestSignalsLeaveNoChild(t *testing.T) {
	skipUnlessLinux(t)
	cases := []struct {
		mode string
		sig  syscall.Signal
	}{
		{"handler", syscall.SIGINT},
		{"handler", syscall.SIGTERM},
		{"bare", syscall.SIGKILL},
	}
	for _, tc := range cases {
		t.Run(tc.mode+"-"+tc.sig.String(), func(t *testing.T) {
			host, pid := startHost(t, tc.mode)
			if err := host.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- host.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("host did not exit")
			}
			if !waitDead(pid, 5*time.Second) {
				t.Errorf("plugin process %d outlived its host", pid)
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		})
	}
}
