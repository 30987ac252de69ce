// Command runner executes smearflow workflows.
//
//	runner run WORKFLOW.yaml [--set STEP.PARAM=VALUE]...   run a workflow
//	runner validate WORKFLOW.yaml                           check it without running
//	runner plan WORKFLOW.yaml                               show the DAG and cache hits/misses with reasons
//	runner plugins [list|describe KIND/NAME|docs [DIR]]     list and document plugins
//	runner plugin serve KIND/NAME                           serve a built-in plugin over gRPC
//	runner clean                                            empty the cache
//
// Runner settings (cache folder, workers, plugin folders, ...) come from
// built-in defaults, a config file, SMEARFLOW_* environment variables and
// flags, in that order; see `runner help settings`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exit codes
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	exitInvalid = 3
)

const usage = `runner — smearflow workflow runner

Usage:
  runner run WORKFLOW.yaml [flags] [--set STEP.PARAM=VALUE]...
  runner validate WORKFLOW.yaml [--set ...]
  runner plan WORKFLOW.yaml [--set ...]
  runner plugins [list]
  runner plugins describe KIND/NAME
  runner plugins docs [DIR]
  runner plugin serve KIND/NAME
  runner clean
  runner help settings

Run 'runner COMMAND -h' for the flags of a command.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Plugin processes ignore SIGINT; make sure none outlives the runner.
	defer grpcplugin.CleanupClients()
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "run":
		err = cmdRun(ctx, rest, stdout, stderr)
	case "validate":
		err = cmdValidate(ctx, rest, stdout, stderr)
	case "plan":
		err = cmdPlan(ctx, rest, stdout, stderr)
	case "plugins":
		err = cmdPlugins(ctx, rest, stdout, stderr)
	case "plugin":
		err = cmdPlugin(ctx, rest, stdout, stderr)
	case "clean":
		err = cmdClean(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		if len(rest) > 0 && rest[0] == "settings" {
			printSettingsHelp(stdout)
			return exitOK
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "runner: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ie *invalidError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "runner %s: %v\n", cmd, err)
		return exitUsage
	case errors.As(err, &ie):
		fmt.Fprintln(stderr, err)
		return exitInvalid
	case ctx.Err() != nil:
		// Interrupted (results.json says "interrupted"), whatever error
		// the step that noticed first returned.
		fmt.Fprintln(stderr, "runner: interrupted; finished steps are cached, no partial output was written")
		return 130
	}
	fmt.Fprintf(stderr, "runner %s: %v\n", cmd, err)
	return exitFailed
}

// usageError is a command-line mistake.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// invalidError wraps workflow validation errors (already positioned).
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }
func (e *invalidError) Unwrap() error { return e.err }

func printSettingsHelp(w io.Writer) {
	fmt.Fprintln(w, "Runner settings, lowest to highest precedence: defaults, config file (--config,")
	fmt.Fprintln(w, "$SMEARFLOW_CONFIG or ./smearflow.yaml), SMEARFLOW_<NAME> environment variables, flags --<name>.")
	fmt.Fprintln(w)
	def := defaultSettings()
	for _, s := range settingDocs {
		fmt.Fprintf(w, "  %-12s %s (default %v)\n", s.key, s.doc, def[s.key])
	}
}
