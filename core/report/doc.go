// Package report renders a smearflow run as one self-contained HTML page
// (report.html) with its figures as SVG (shown by the page) and PNG (for
// papers) under plots/.
//
// The engine converts its artifacts into the plain, JSON-friendly input
// model of this package (Run and its sections: Distances, Smearing,
// Extremes, Tagger, Relevance, Table, plus Provenance) and calls Write.
// The package never imports the engine. Comparison overlays (smearers
// sharing a distance input, metrics in units of their nearest-neighbour
// distance) and scan tables (steps named name@param=value) are derived
// from the sections automatically.
//
// Conventions: quark = signal (label 1), gluon = background; background
// rejection is 1/ε_b at the first ROC point with ε_s ≥ 0.5; eps is in
// metric units, shown × the mean jet pT in GeV when the metric is
// dimensionless. NaN and ±Inf are valid input: tables show them ("n/a",
// "∞") and plots leave them out with a note in the caption. Inconsistent
// input (arrays of different lengths, ragged tables) is an error naming
// the section. Output is deterministic: the same Run gives the same bytes.
package report
