package workflow

import (
	"crypto/sha256"
	"encoding/binary"
	"time"

	"github.com/smearflow/smearflow/core/plugin"
)

// Plan is a validated workflow: every step resolved to a plugin and
// canonical parameters, scans expanded, in a deterministic topological
// order.
type Plan struct {
	Name        string
	Description string
	Seed        int64
	Output      string   // absolute folder for results
	PluginDirs  []string // absolute folders searched for external plugins
	File        string   // absolute path of the workflow file
	Hash        string   // hex sha256 of the workflow file's bytes
	Overrides   []Override
	// Steps in topological order: every step comes after its inputs, and
	// among the steps ready at a time the one earliest in the file (then
	// the earliest scan point) comes first.
	Steps []*Step
}

// Step is one step of a plan: a step of the file, or one point of a
// scanned step (or of a step fanned out over a scanned input).
type Step struct {
	Name      string      // e.g. "knn" or "knn@k=3"
	Group     string      // the step's name in the file, e.g. "knn"
	ScanPoint []ScanCoord // the point of an expanded step, nil otherwise
	Kind      plugin.Kind
	// PluginName names the plugin; Plugin is the plugin from the registry.
	PluginName string
	Plugin     plugin.Plugin
	// Params holds the canonical values of the plugin's own parameters
	// (what the plugin receives), HostParams those of the kind's host
	// parameters (plugin.KindSpec.HostParams, handled by the engine); both
	// are given in `with` and checked together, with defaults filled and
	// paths absolute. HostParams is empty, not nil, for kinds without any.
	Params     plugin.Params
	HostParams plugin.Params
	Inputs     []string            // names of the input steps, in slot order
	Output     plugin.ArtifactType // what the step produces
	Export     bool
	Timeout    time.Duration // 0 = none
	// Seed is the step's seed: the step's `seed` if given (or the point's
	// value when `seed` is scanned), else DeriveSeed(plan seed, Group).
	Seed        int64
	SeedSet     bool // Seed comes from the file or a scan, not derived
	Compare     []Compared
	Description string
	Pos         Pos // of the step's key in the file
}

// ScanCoord is one coordinate of a scan point.
type ScanCoord struct {
	Step  string // the step (group) whose `scan` defines the axis
	Param string // the scanned parameter ("seed" for a seed scan)
	Key   string // as in step names: Param, or Step.Param when two axes share a parameter name
	Value any    // canonical value
	Text  string // formatted value, as in step names
}

// Compared is a fitter run by a fitter step on the same sample
// (`compare:`), with the step's HostParams. Params holds the compared
// fitter's own parameters: the values given to the step (in `with`, a scan
// or an override) for the parameters it also declares, and its own
// defaults for the others.
type Compared struct {
	Name   string
	Plugin plugin.Plugin
	Params plugin.Params
}

// Step returns the step with the given name, or nil.
func (p *Plan) Step(name string) *Step {
	for _, s := range p.Steps {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Group returns the steps expanded from one step of the file, in scan
// order.
func (p *Plan) Group(group string) []*Step {
	var out []*Step
	for _, s := range p.Steps {
		if s.Group == group {
			out = append(out, s)
		}
	}
	return out
}

// DeriveSeed returns the seed of a step named name in a workflow with the
// given seed: the first 8 bytes, big-endian, of
// sha256(8-byte big-endian workflow seed || name), shifted right by one
// bit so that the result is a non-negative int64.
func DeriveSeed(workflowSeed int64, name string) int64 {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(workflowSeed))
	h.Write(b[:])
	h.Write([]byte(name))
	sum := h.Sum(nil)
	return int64(binary.BigEndian.Uint64(sum[:8]) >> 1)
}
