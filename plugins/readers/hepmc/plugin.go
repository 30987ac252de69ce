// Package hepmc is the reader plugin for full generator events in the HepMC
// ASCII formats: HepMC2 IO_GenEvent and HepMC3 Asciiv3, plain or gzip. It
// takes the visible final state of every event (status 1 without
// neutrinos), clusters it into jets with core/cluster (anti-kt, kt or
// Cambridge/Aachen, FastJet's conventions), keeps the leading jet or all
// inclusive jets, labels them quark or gluon from the input (per file, or
// per event from the signal process id) and applies the shared selection.
// Events are streamed one at a time; see README.md.
package hepmc

import (
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/selection"
)

// Name is the plugin's name; Version its version.
const (
	Name    = "hepmc"
	Version = "0.1.0"
)

// Reader is the hepmc reader plugin. The zero value is ready to use.
type Reader struct{}

// New returns the hepmc reader plugin.
func New() *Reader { return &Reader{} }

var _ plugin.Reader = (*Reader)(nil)

// Info describes the plugin and its parameters.
func (*Reader) Info() plugin.Info {
	return plugin.Info{
		Kind:       plugin.KindReader,
		Name:       Name,
		Version:    Version,
		APIVersion: plugin.APIVersion,
		Summary:    "Jets clustered from HepMC2/HepMC3 ASCII events (plain or gzip), labelled per file or by signal process id",
		Doc:        doc,
		Params:     Spec(),
	}
}

// Parameter names.
const (
	ParamPath           = "path"
	ParamGluonPath      = "gluon_path"
	ParamLabel          = "label"
	ParamQuarkProcesses = "quark_processes"
	ParamGluonProcesses = "gluon_processes"
	ParamOtherProcesses = "other_processes"
	ParamAlgorithm      = "algorithm"
	ParamRadius         = "radius"
	ParamJetPtMin       = "jet_pt_min"
	ParamJets           = "jets"
	ParamInvisible      = "invisible_pids"
	ParamEventWeight    = "event_weight"
)

// Aux column names set on every jet (besides selection's source_index).
const (
	AuxEvent     = "event"      // event number (E record)
	AuxFileIndex = "file_index" // index of the file in the resolved input list
	AuxJetRank   = "jet_rank"   // rank of the jet by decreasing pt in its event (0 = leading)
)

// Spec returns the parameter specification: the plugin's own parameters
// followed by the shared selection parameters.
func Spec() plugin.Spec {
	s := plugin.Spec{
		{Name: ParamPath, Type: plugin.TypePath, Required: true,
			Doc: "HepMC file or glob (HepMC2 IO_GenEvent or HepMC3 Asciiv3, plain or gzip; format detected per file). Files matching a glob are read in lexical order."},
		{Name: ParamGluonPath, Type: plugin.TypePath, Default: "",
			Doc: "Optional file or glob of gluon events. When set, the jets of `path` are quark jets and those of `gluon_path` gluon jets (read after `path`); `label` must then be `auto` or `quark`."},
		{Name: ParamLabel, Type: plugin.TypeString, Default: "auto", Enum: []string{"auto", "quark", "gluon", "process"},
			Doc: "Where labels come from: `quark` or `gluon` labels every jet of `path`; `process` labels each event from its signal process id (`quark_processes`, `gluon_processes`); `auto` is `quark` when `gluon_path` is set and `process` otherwise."},
		{Name: ParamQuarkProcesses, Type: plugin.TypeIntList, Default: []int64{242},
			Doc: "Signal process ids whose events give quark jets (label process). Default: Pythia 8's 242, f g → Z f (qg2gmZq)."},
		{Name: ParamGluonProcesses, Type: plugin.TypeIntList, Default: []int64{241},
			Doc: "Signal process ids whose events give gluon jets (label process). Default: Pythia 8's 241, f fbar → Z g (qqbar2gmZg)."},
		{Name: ParamOtherProcesses, Type: plugin.TypeString, Default: "error", Enum: []string{"error", "skip"},
			Doc: "With label process, what to do with an event whose signal process id is in neither list: `error` (naming the file, line and event) or `skip` the event (counted in the summary)."},
		{Name: ParamAlgorithm, Type: plugin.TypeString, Default: "antikt", Enum: []string{"antikt", "kt", "cambridge"},
			Doc: "Jet algorithm (generalised kt with p = -1, 1, 0), E-scheme recombination, FastJet conventions."},
		{Name: ParamRadius, Type: plugin.TypeFloat, Default: 0.4, Min: plugin.Bound(0.01), Max: plugin.Bound(10),
			Doc: "Jet radius R in the (rapidity, azimuth) plane."},
		{Name: ParamJetPtMin, Type: plugin.TypeFloat, Default: 20.0, Min: plugin.Bound(0), Unit: "GeV",
			Doc: "Inclusive jets need pt >= jet_pt_min (FastJet inclusive_jets(ptmin)); the leading jet is the hardest of them."},
		{Name: ParamJets, Type: plugin.TypeString, Default: "leading", Enum: []string{"leading", "all"},
			Doc: "Keep the leading inclusive jet of each event, or all inclusive jets (in decreasing pt)."},
		{Name: ParamInvisible, Type: plugin.TypeIntList, Default: []int64{12, 14, 16},
			Doc: "PDG ids (sign ignored) removed from the status-1 final state before clustering; default the neutrinos."},
		{Name: ParamEventWeight, Type: plugin.TypeBool, Default: false,
			Doc: "Give each jet its event's first weight (must be finite and non-negative) instead of 1."},
	}
	return append(s, selection.Spec()...)
}

const doc = `Reads full generator events from HepMC ASCII files and turns them into labelled jets.

**Input.** ` + "`path`" + ` is a file or glob; each file may be HepMC2 IO_GenEvent or HepMC3 Asciiv3, plain or gzip
(detected by its magic bytes); the format is detected from the header. Momenta in MEV are converted to GeV. Files
are streamed one event at a time. A damaged file (truncated, malformed record, non-finite momentum, particle count
disagreeing with the event header, missing END_EVENT_LISTING footer) is an error naming the file, line and event.

**Jets.** The visible final state (status 1, without the PDG ids of ` + "`invisible_pids`" + `, by default the
neutrinos 12, 14, 16) is clustered with ` + "`algorithm`" + ` and ` + "`radius`" + ` (E-scheme, FastJet 3.4 conventions;
agreement with FastJet is bit-level on the reference events). The inclusive jets with pt >= ` + "`jet_pt_min`" + `
are sorted by pt; ` + "`jets: leading`" + ` keeps the hardest, ` + "`all`" + ` keeps them all. Each jet's constituents
are stored as (pt, rapidity, phi, pid) sorted by decreasing pt: FastJet's rap() of the particle four-momentum (true
mass), and phi in [0, 2π) shifted by ±2π where needed to lie within π of the jet's phi (the EnergyFlow convention of
the pythia8-qg samples).

**Labels.** ` + "`label: quark`" + ` or ` + "`gluon`" + ` labels every jet of ` + "`path`" + `; with ` + "`gluon_path`" + `, the
jets of ` + "`path`" + ` are quark and those of ` + "`gluon_path`" + ` gluon jets; ` + "`label: process`" + ` (the default
without ` + "`gluon_path`" + `) labels each event by its signal process id (HepMC2 E record, HepMC3 attribute
signal_process_id) from ` + "`quark_processes`" + ` and ` + "`gluon_processes`" + ` (Pythia 8: 242 = qg → Zq, 241 = qq̄ → Zg).

**Output.** Aux columns: ` + "`event`" + ` (the event number), ` + "`file_index`" + ` (the file's index in the input list),
` + "`jet_rank`" + ` (0 = leading) and the selection's ` + "`source_index`" + `. The shared selection parameters (counts,
pT window, |y| cut, split) then apply to the jets.`
