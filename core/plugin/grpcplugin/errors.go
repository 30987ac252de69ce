package grpcplugin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
	pb "github.com/smearflow/smearflow/core/plugin/proto"
)

// ExitError reports a plugin process that exited when the host did not ask
// it to: it crashed (panic, os.Exit, a signal) during a call, or before it.
type ExitError struct {
	Plugin string // "kind/name"
	Path   string // the binary (or command line) of the process
	Method string // the call that was running; "" if the process was already gone
	State  string // how it ended, e.g. "exit status 3" or "signal: killed"
	Stderr string // the last lines of its stderr
}

func (e *ExitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plugin %s (%s) exited unexpectedly", e.Plugin, e.Path)
	if e.Method != "" {
		fmt.Fprintf(&b, " during %s", e.Method)
	} else {
		b.WriteString(" before this call")
	}
	if e.State != "" {
		fmt.Fprintf(&b, " (%s)", e.State)
	}
	if e.Stderr != "" {
		b.WriteString("; last lines of its stderr:\n")
		for _, l := range strings.Split(strings.TrimRight(e.Stderr, "\n"), "\n") {
			b.WriteString("    " + l + "\n")
		}
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString("; it wrote nothing to stderr")
	return b.String()
}

// remoteError is an error returned by the plugin, rebuilt on the host.
// Cancellation and deadline errors unwrap to the context sentinels.
type remoteError struct {
	msg  string
	code pb.ErrorCode
}

func (e *remoteError) Error() string { return e.msg }

func (e *remoteError) Unwrap() error {
	switch e.code {
	case pb.ErrorCode_ERROR_CODE_CANCELED:
		return context.Canceled
	case pb.ErrorCode_ERROR_CODE_DEADLINE_EXCEEDED:
		return context.DeadlineExceeded
	case pb.ErrorCode_ERROR_CODE_PROTOCOL:
		return errProtocol
	}
	return nil
}

func errorFromPB(e *pb.Error) error {
	if e.Code == pb.ErrorCode_ERROR_CODE_PARAM {
		return &plugin.ParamError{Param: e.Param, Msg: e.Message}
	}
	return &remoteError{msg: e.Message, code: e.Code}
}

// passThrough carries an error that the call must return unchanged (the
// error of a reader's emit callback belongs to the caller).
type passThrough struct{ err error }

func (p passThrough) Error() string { return p.err.Error() }

// transportError is a failure of the gRPC stream itself.
type transportError struct{ err error }

func (t transportError) Error() string { return t.err.Error() }

// timeoutError is returned when the caller's deadline passes during a call.
func timeoutError(who, method string, limit time.Duration, killed bool, grace time.Duration, err error) error {
	if killed {
		return fmt.Errorf("%s: %s timed out after %v and did not stop within %v of the deadline, so its process was killed: %w",
			who, method, limit, grace, err)
	}
	return fmt.Errorf("%s: %s timed out after %v: %w", who, method, limit, err)
}

// shortMethod turns "space.Block" into "Block" for messages.
func shortMethod(m string) string {
	if i := strings.LastIndexByte(m, '.'); i >= 0 {
		return m[i+1:]
	}
	return m
}
