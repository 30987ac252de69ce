// Package substructure computes jet substructure observables of one jet at
// a time, reproducing FastJet 3.4 and fjcontrib 1.051 conventions:
// clustering with its full history (generalised kt, Cambridge/Aachen and
// anti-kt; E-scheme or winner-take-all recombination), N-subjettiness τ_N
// with exclusive-kt, winner-take-all and one-pass-minimised axes, the
// energy correlation functions e2, e3 and the ratios C2, D2, and soft-drop
// grooming (mass, pt, z_g, ΔR_g).
//
// Conventions (SCIENCE.md, reference/README.md "substructure/"):
//   - each constituent is the four-vector fastjet::PtYPhiM(pt, y, phi, m),
//     with m the PDG mass of its pid (massive) or 0 (massless); like a
//     PseudoJet it keeps the given y and phi (wrapped into [0, 2π)) as its
//     rapidity and azimuth, while sums of momenta recompute them;
//   - the jet is the E-scheme (four-vector) sum of its constituents;
//   - every angle is ΔR = sqrt(Δy² + Δφ²) in rapidity and azimuth, Δφ
//     wrapped into [-π, π];
//   - pt sums are scalar sums of constituent pt, z_i = pt_i / Σ pt.
//
// A Jet prepares the constituents once (Reset) and caches the clusterings
// it needs, so that many observables of the same jet cost one clustering
// each. Simple observables (multiplicity, pT_D, width) live in
// core/jetobs and are not repeated here.
package substructure
