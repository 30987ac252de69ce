// Command smearflow-plugin-angularity serves the angularity metric to the
// smearflow runner. Put it in a plugin directory (workflow plugin_dirs,
// the environment or the --plugin-dir flag); the runner starts it itself.
package main

import (
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/examples/plugins/angularity"
)

func main() {
	grpcplugin.Serve(angularity.New())
}
