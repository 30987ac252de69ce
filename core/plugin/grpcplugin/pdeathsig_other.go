//go:build !linux

package grpcplugin

import "os/exec"

// setParentDeathSignal does nothing outside Linux: there the host must run
// CleanupClients (or Manager.Close) to end its plugin processes.
func setParentDeathSignal(*exec.Cmd) {}
