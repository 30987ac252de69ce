// Package jet is smearflow's columnar jet data model.
//
// A Jets value holds many jets at once: the particles of every jet are
// stored in flat columns (pt, rapidity, azimuth, PDG id) and jet i owns the
// particles Offsets[i]:Offsets[i+1]. Per-jet columns hold the label
// (1 = quark = signal, 0 = gluon = background), the weight (default 1) and
// optional auxiliary per-jet values; dataset-level metadata is a string map.
//
// The layout is the one every plugin kind exchanges, in process and over
// gRPC, so batches of jets cross the plugin boundary as a handful of packed
// arrays rather than as many small messages.
//
// Conversion to and from the EnergyFlow quark/gluon layout (X of shape
// (N, M, 4) = pt, y, phi, pid, zero-padded; y labels) lives in
// energyflow.go; validation (NaN/Inf, negative pt, empty jets, bad labels)
// in validate.go.
package jet
