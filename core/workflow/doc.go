// Package workflow reads smearflow workflow files: YAML documents that
// name the steps of an analysis (which plugin of which kind, its
// parameters, its inputs, scans over parameters) and turns them into a
// Plan, a validated DAG of steps in a deterministic topological order.
//
// Files are decoded with yaml.v3 nodes, so every problem is reported with
// its file:line:col, and every problem is reported, not only the first
// (see ErrorList). Checking happens in two stages:
//
//   - Parse decodes the structure without plugins: keys, value types, step
//     names, kinds, plugin_dirs. A runner reads File.PluginDirs, loads the
//     external plugins it finds there, then calls Resolve.
//   - Resolve checks the steps against a *plugin.Registry: plugin names,
//     parameters against each plugin's spec (plus the kind's host
//     parameters), paths, inputs and their artifact types, cycles, scans
//     and command-line overrides; it expands scans and orders the steps.
//
// Load does both for a file on disk. The workflow language is documented
// in this package's README.md.
//
// Seeds: a step's seed is its `seed` key if given, else
// DeriveSeed(workflow seed, step name as written in the file): the first
// 8 bytes (big-endian) of sha256(8-byte big-endian workflow seed || name),
// shifted right by one bit to be a non-negative int64. The points of a
// scanned step share their step's seed (common random numbers), unless
// `seed` itself is scanned.
package workflow
