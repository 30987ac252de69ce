//go:build linux

package grpcplugin

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal asks Linux to SIGKILL the plugin if the host dies
// without cleaning up (SIGKILL, a crash): plugin processes ignore SIGINT,
// and go-plugin cleans up only when the host gets to run CleanupClients.
// The signal follows the death of the OS thread that started the child;
// Go never ends threads except those of goroutines that exit while locked
// to their thread, so this holds unless the caller uses LockOSThread.
func setParentDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	if cmd.SysProcAttr.Pdeathsig == 0 {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
}
