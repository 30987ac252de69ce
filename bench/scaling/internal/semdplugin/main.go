// Command semdplugin serves the built-in SEMD metric as an external plugin
// binary, for the in-process vs gRPC benchmark of bench/scaling.
package main

import (
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/plugins/metrics/semd"
)

func main() { grpcplugin.Serve(semd.New()) }
