package grpcplugin_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/examples/plugins/angularity"
)

// The whole main of an external plugin binary named
// smearflow-plugin-angularity. It may serve several plugins at once.
func ExampleServe() {
	grpcplugin.Serve(angularity.New())
}

// How a host loads the external plugins of its plugin directories and
// makes sure that none outlives it.
func ExampleLoad() {
	// Plugin processes ignore SIGINT; the host ends them when it is
	// interrupted, through the context given to Load ...
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// ... and in any case on the way out.
	defer grpcplugin.CleanupClients()

	reg := &plugin.Registry{} // usually holding the built-ins already
	m, err := grpcplugin.Load(ctx, reg, []string{"/opt/smearflow/plugins"}, grpcplugin.Options{})
	if err != nil {
		log.Fatal(err) // names the binary and what went wrong
	}
	defer m.Close()

	metric, err := reg.Metric("angularity") // a proxy: the engine cannot tell
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(metric.Info().ID(), "from", reg.Origin(plugin.KindMetric, "angularity"))
}

// Serving a built-in plugin out of process: the runner starts itself as
// `runner plugin serve KIND/NAME`, which calls grpcplugin.Serve.
func ExampleLaunchCommand() {
	exe, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	ps, client, err := grpcplugin.LaunchCommand(context.Background(),
		exec.Command(exe, "plugin", "serve", "metric/semd"), grpcplugin.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Kill()
	fmt.Println(ps[0].Info().ID())
}

func ExampleDiscover() {
	dir, err := os.MkdirTemp("", "plugins")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for name, mode := range map[string]os.FileMode{
		"smearflow-plugin-angularity": 0o755,
		"smearflow-plugin-emd":        0o755,
		"README.md":                   0o644,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, mode); err != nil {
			log.Fatal(err)
		}
	}
	paths, err := grpcplugin.Discover(dir)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// smearflow-plugin-angularity
	// smearflow-plugin-emd
}
