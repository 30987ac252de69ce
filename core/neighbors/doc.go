// Package neighbors is smearflow's exact pairwise engine: it computes, for
// every query jet, exact neighbour summaries over the query's reference
// set from a plugin.Space (any metric), tile by tile on all cores, and
// feeds them to smearer plugins.
//
// # Reference sets (Config.Mode, Prepare)
//
//   - KFold (default, K = 10): a jet's fold is its 0-based position among
//     the jets of its own class, in input order (optionally after a seeded
//     shuffle), modulo K; fold-f jets are scored against all jets of the
//     other folds. Normalisers N_s, N_b depend on the fold only.
//   - LOO: leave-one-out, the query leaves its own class total (biased
//     upwards: ties break in favour of the true class).
//   - LOOKeepSelf: leave-one-out, the query stays in its class total
//     (biased downwards, towards AUC 0 at large radii).
//   - Reference: an explicit test set against a disjoint reference set.
//
// # Summaries (plugin.NeighborRequest, Run)
//
// Per-class weight within each radius (inclusive, d <= r), the k nearest
// plus every jet tied at the k-th distance, per-class Gaussian kernel sums
// over the whole reference set, and every reference jet within a list
// radius; Nearest gives nearest neighbours (overall and per class),
// SubsetNearest the leave-one-out nearest neighbours inside index subsets
// (the extreme-value ladder), FullMatrix the whole matrix under a memory
// limit.
//
// # How pairs are computed
//
// The symmetric pass covers the upper block triangle of the distance
// matrix with tiles of Config.TileSize jets (Space.Block; diagonal tiles
// use Space.Pairs for their strict upper triangle), so each unordered
// pair is computed once and used for both jets. Tiles are computed by a
// pool of Config.Workers goroutines and folded into the summaries in an
// order that gives every query its reference jets in ascending index
// order; tiles on one anti-diagonal fold in parallel. Results are
// therefore bit-for-bit identical for every tile size and worker count
// (Gaussian sums are Neumaier-compensated). Memory is bounded by
// Config.MaxOutstanding tile buffers plus the summaries; Stats reports it.
// Progress is reported with plugin.ReportProgress (pairs done of total) at
// most five times a second; ctx cancels.
//
// # Pruned exact pass (Config.Prune, EmbeddingForm)
//
// When the space is a plugin.LowerBounder and the request has no Gaussian
// widths, every pass bounds each pair from the metric's lower-bound
// embedding (rotated onto its principal axes, refined checkpoint by
// checkpoint, float32 with rigorously widened bounds) and computes the
// metric only for the pairs whose radius bin, or whose membership in a
// nearest-neighbour frontier or list, the bounds cannot decide. Results
// are bit-for-bit those of the brute-force pass. Orthogonal (and Monotone)
// embeddings, declared with EmbeddingForm, give much tighter bounds.
// Passes that need only nearest neighbours and/or the k nearest use a
// sorted sweep along the first principal coordinate. Stats reports the
// pairs computed exactly.
//
// Smear ties it together for a smearer plugin: reference sets, plan,
// summaries, scores, and per point the AUC, background rejection at 50%
// signal efficiency with bootstrap bands, empty/full counts (Result.Table
// is auc.csv; Result.Scores is scores.npy, queries × points).
package neighbors
