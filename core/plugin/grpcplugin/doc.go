// Package grpcplugin runs smearflow plugins out of process, over gRPC
// inside a hashicorp/go-plugin connection.
//
// A plugin binary's main calls Serve with one or more plugins. A host
// calls Load (discovery of smearflow-plugin-* executables in plugin
// directories, launch, catalog, registration) or LaunchCommand (any
// command, such as the runner serving a built-in with `runner plugin serve
// KIND/NAME`), and gets proxies implementing the core/plugin interfaces,
// indistinguishable from built-ins for the engine. Payloads are typed
// protobuf messages (core/plugin/proto) carried in chunks of at most 1 MiB;
// metric spaces live in the plugin process as sessions; progress reports
// are forwarded; errors name the plugin and its binary; crashes, hangs
// past the caller's deadline, garbage on stdout and API version mismatches
// give clear errors and never hang the host; no plugin process outlives
// its host (see CleanupClients). README.md has the details.
package grpcplugin
