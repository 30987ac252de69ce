// Package engine runs a resolved workflow plan.
//
// Steps form a DAG through their inputs. The engine computes every step's
// content address up front (plugin identity and version, canonical
// parameters, host parameters, seed, the addresses of its inputs and a
// fingerprint of the files its path parameters name), so
// `runner plan` can tell for each step whether it will come from the cache
// and, if not, why. Steps then run on a worker pool as soon as their inputs
// are ready; a failure cancels the rest.
//
// Every artifact is stored in the cache as a folder written atomically
// (temporary folder + rename), so an interrupted run never leaves a partial
// entry. A step with `export: true` writes its user-facing files
// (jets.npz, distances.npy, auc.csv, scores.npy, fit.json, observables.csv,
// ...) and a provenance.json into a temporary folder that replaces
// <output>/<step>/ when complete. <output>/results.json summarises the run,
// whatever its outcome (status ok, failed or interrupted).
//
// Plugins are called through the core/plugin interfaces only, so built-in
// and external (gRPC) plugins are handled identically. Each step runs with
// a context carrying its timeout and a progress callback.
package engine
