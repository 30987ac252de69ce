// Package plugin is the smearflow plugin SDK.
//
// Every swappable piece of an analysis is a plugin of one kind: a Reader
// produces jets, a Metric measures distances between jets, a Smearer turns
// neighbour summaries into smeared-likelihood scores, a Fitter fits
// extreme-value families, an Observables plugin computes per-jet variables, a
// Tagger trains and applies a classifier, and an Explainer attributes a
// tagger's output to its inputs. Each kind is one Go interface in this
// package whose methods work on batches (blocks of jets, tiles of pairs,
// vectors of samples): a remote call costs about 0.1 ms, so no interface
// has a per-pair or per-jet method.
//
// Every plugin describes itself with an Info value: kind, name, version, the
// API version it speaks and a parameter specification (name, type, default,
// unit, allowed range, doc). The host validates workflow parameters against
// that specification before anything runs, identically for built-in and
// external plugins, and generates `runner plugins docs` from it.
//
// Built-in plugins run in process through these interfaces. External
// plugins are executables named smearflow-plugin-NAME that call Serve; the
// host talks to them over gRPC (hashicorp/go-plugin) through shims that
// implement the very same interfaces, so the engine cannot tell the two
// apart. A Registry value maps (kind, name) to a plugin; tests build their
// own.
package plugin

// APIVersion is the version of the plugin protocol and interfaces defined
// by this package. A plugin speaking another version is refused with an
// error naming it.
const APIVersion = 1
