package plugin

import "fmt"

// Kind names a plugin kind.
type Kind string

// Plugin kinds.
const (
	KindReader      Kind = "reader"
	KindMetric      Kind = "metric"
	KindSmearer     Kind = "smearer"
	KindFitter      Kind = "fitter"
	KindObservables Kind = "observables"
	KindTagger      Kind = "tagger"
	KindExplainer   Kind = "explainer"
)

// Kinds lists every plugin kind in pipeline order.
var Kinds = []Kind{KindReader, KindMetric, KindSmearer, KindFitter, KindObservables, KindTagger, KindExplainer}

// ArtifactType is the type of what a step produces and consumes.
type ArtifactType string

// Artifact types.
const (
	ArtifactJets      ArtifactType = "jets"      // *jet.Jets
	ArtifactDistances ArtifactType = "distances" // a prepared metric over a jets artifact
	ArtifactScores    ArtifactType = "scores"    // smeared-likelihood scores and AUC table
	ArtifactFit       ArtifactType = "fit"       // extreme-value fits and scaling ladder
	ArtifactTable     ArtifactType = "table"     // per-jet variables
	ArtifactModel     ArtifactType = "model"     // trained tagger
	ArtifactRelevance ArtifactType = "relevance" // relevance attributions
)

// InputSlot is one input a step of some kind takes.
type InputSlot struct {
	Name     string
	Types    []ArtifactType // accepted artifact types
	Optional bool
}

// KindSpec says what a step of a kind consumes and produces.
type KindSpec struct {
	Kind   Kind
	Inputs []InputSlot
	Output ArtifactType
	Doc    string
	// HostParams are parameters the host (the engine) handles for every
	// step of this kind, whatever the plugin: they are given in the step's
	// `with` block beside the plugin's own parameters and validated the
	// same way. A plugin may not declare a parameter with one of these names.
	HostParams Spec
}

// KindSpecs describes every kind. Inputs are matched to a step's `input`
// list in order (an optional slot may be left out only at the end).
var KindSpecs = map[Kind]KindSpec{
	KindReader: {Kind: KindReader, Output: ArtifactJets,
		Doc: "reads or generates labelled jets"},
	KindMetric: {Kind: KindMetric, Output: ArtifactDistances,
		Inputs: []InputSlot{{Name: "jets", Types: []ArtifactType{ArtifactJets}}},
		Doc:    "a distance between jets, evaluated on tiles of pairs"},
	KindSmearer: {Kind: KindSmearer, Output: ArtifactScores,
		Inputs: []InputSlot{{Name: "distances", Types: []ArtifactType{ArtifactDistances}}},
		Doc:    "smears the likelihood ratio over metric neighbourhoods"},
	KindFitter: {Kind: KindFitter, Output: ArtifactFit,
		Inputs: []InputSlot{{Name: "sample", Types: []ArtifactType{ArtifactDistances, ArtifactTable}}},
		Doc:    "fits an extreme-value family to nearest-neighbour distances or a table column"},
	KindObservables: {Kind: KindObservables, Output: ArtifactTable,
		Inputs: []InputSlot{{Name: "jets", Types: []ArtifactType{ArtifactJets}}},
		Doc:    "computes per-jet variables"},
	KindTagger: {Kind: KindTagger, Output: ArtifactModel,
		Inputs: []InputSlot{
			{Name: "jets", Types: []ArtifactType{ArtifactJets}},
			{Name: "expert", Types: []ArtifactType{ArtifactTable}, Optional: true},
		},
		Doc: "trains a jet tagger"},
	KindExplainer: {Kind: KindExplainer, Output: ArtifactRelevance,
		Inputs: []InputSlot{{Name: "model", Types: []ArtifactType{ArtifactModel}}},
		Doc:    "attributes a tagger's output to its inputs"},
}

// Info is a plugin's self-description.
type Info struct {
	Kind       Kind
	Name       string
	Version    string // semantic version of the plugin's implementation
	APIVersion int    // the plugin API it speaks; must equal APIVersion
	Summary    string // one line
	Doc        string // Markdown, may be several paragraphs
	Params     Spec
	// Capabilities lists optional features (see the Cap constants).
	Capabilities []string
}

// Capabilities a plugin may declare in Info.Capabilities.
const (
	// CapLowerBound: a Metric whose Space implements LowerBounder.
	CapLowerBound = "lower-bound"
	// CapExact: a Metric whose distances are exact (not approximated).
	CapExact = "exact"
)

// Has reports whether the plugin declares a capability.
func (i Info) Has(cap string) bool {
	for _, c := range i.Capabilities {
		if c == cap {
			return true
		}
	}
	return false
}

// ID returns "kind/name".
func (i Info) ID() string { return string(i.Kind) + "/" + i.Name }

// Check verifies that an Info is usable by this host.
func (i Info) Check() error {
	if _, ok := KindSpecs[i.Kind]; !ok {
		return fmt.Errorf("plugin %q: unknown kind %q", i.Name, i.Kind)
	}
	if i.Name == "" {
		return fmt.Errorf("plugin of kind %s has no name", i.Kind)
	}
	if i.APIVersion != APIVersion {
		return fmt.Errorf("plugin %s speaks plugin API version %d, this runner speaks %d", i.ID(), i.APIVersion, APIVersion)
	}
	seen := map[string]bool{}
	for _, p := range i.Params {
		if seen[p.Name] {
			return fmt.Errorf("plugin %s: parameter %q declared twice", i.ID(), p.Name)
		}
		seen[p.Name] = true
		if _, host := KindSpecs[i.Kind].HostParams.Lookup(p.Name); host {
			return fmt.Errorf("plugin %s: parameter %q is reserved for the host (see KindSpec.HostParams)", i.ID(), p.Name)
		}
		if p.Default != nil {
			if _, err := p.Coerce(p.Default); err != nil {
				return fmt.Errorf("plugin %s: parameter %q: bad default: %v", i.ID(), p.Name, err)
			}
		}
	}
	return nil
}
