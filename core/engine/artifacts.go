package engine

import (
	"bufio"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// Artifact is what a step produces.
type Artifact interface {
	// Type is the artifact type (plugin.ArtifactJets, ...).
	Type() plugin.ArtifactType
	// Summary returns the key results for results.json (JSON-able).
	Summary() map[string]any
}

// JetsArtifact is the output of a reader step.
type JetsArtifact struct {
	Jets *jet.Jets
}

// Type implements Artifact.
func (a *JetsArtifact) Type() plugin.ArtifactType { return plugin.ArtifactJets }

// Summary implements Artifact.
func (a *JetsArtifact) Summary() map[string]any {
	q, g := a.Jets.CountLabels()
	n := a.Jets.Len()
	mult := 0.0
	if n > 0 {
		mult = float64(a.Jets.NumParticles()) / float64(n)
	}
	return map[string]any{"jets": n, "quarks": q, "gluons": g, "particles": a.Jets.NumParticles(), "mean_multiplicity": mult, "mean_jet_pt": meanJetPt(a.Jets)}
}

// meanJetPt is the mean scalar sum of constituent pt [GeV], the scale that
// converts a normalised-energy distance to GeV.
func meanJetPt(js *jet.Jets) float64 {
	n := js.Len()
	if n == 0 {
		return 0
	}
	s := 0.0
	for i := 0; i < n; i++ {
		s += js.Jet(i).SumPt()
	}
	return s / float64(n)
}

// TableArtifact is a per-jet table (observables).
type TableArtifact struct {
	Table *table.Table
	// Kind names the export file (<Kind>.csv).
	Kind string
}

// Type implements Artifact.
func (a *TableArtifact) Type() plugin.ArtifactType { return plugin.ArtifactTable }

// Summary implements Artifact.
func (a *TableArtifact) Summary() map[string]any {
	return map[string]any{"rows": a.Table.Rows(), "columns": a.Table.Names()}
}

// ----------------------------------------------------------------- I/O

func init() {
	gob.Register(map[string]any{})
	gob.Register([]any{})
	gob.Register([]float64{})
	gob.Register([]int64{})
	gob.Register([]string{})
}

func saveGob(dir, name string, v any) error {
	return atomicfile.Write(filepath.Join(dir, name), func(w io.Writer) error {
		return gob.NewEncoder(w).Encode(v)
	})
}

func loadGob(dir, name string, v any) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("cache entry %s is unreadable: %w (run `runner clean`)", filepath.Join(dir, name), err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}

func writeCSV(path string, t *table.Table) error {
	return atomicfile.Write(path, t.WriteCSV)
}
