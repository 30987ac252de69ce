package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/smearflow/smearflow/core/atomicfile"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/table"
)

// readBatch is the number of jets per batch asked of readers.
const readBatch = 2000

func (e *Engine) runReader(ctx context.Context, n *node, r plugin.Reader) (*JetsArtifact, error) {
	all := &jet.Jets{}
	batches := 0
	err := r.Read(ctx, plugin.ReadRequest{Params: n.step.Params, Seed: n.step.Seed, BatchSize: readBatch}, func(b *jet.Jets) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.Validate(); err != nil {
			return fmt.Errorf("reader %s returned invalid jets in batch %d (jet index relative to the batch): %w", n.step.PluginName, batches, err)
		}
		all.Concat(b)
		batches++
		plugin.ReportProgress(ctx, int64(all.Len()), -1, "jets")
		return nil
	})
	if err != nil {
		return nil, err
	}
	if all.Len() == 0 {
		return nil, fmt.Errorf("reader %s produced no jets", n.step.PluginName)
	}
	if err := all.Validate(); err != nil {
		return nil, err
	}
	q, g := all.CountLabels()
	if q == 0 || g == 0 {
		e.opts.Progress.Printf("  warning: step %q has %d quark and %d gluon jets: discrimination needs both", n.step.Name, q, g)
	}
	return &JetsArtifact{Jets: all}, nil
}

func (a *JetsArtifact) save(dir string) error { return saveGob(dir, "jets.gob", a.Jets) }

func loadJets(dir string) (*JetsArtifact, error) {
	var js jet.Jets
	if err := loadGob(dir, "jets.gob", &js); err != nil {
		return nil, err
	}
	return &JetsArtifact{Jets: &js}, nil
}

func (a *JetsArtifact) export(dir string) ([]string, error) {
	err := atomicfile.Write(filepath.Join(dir, "jets.npz"), func(w io.Writer) error {
		return npy.WriteJets(w, a.Jets, true)
	})
	if err != nil {
		return nil, err
	}
	return []string{"jets.npz"}, nil
}

func (a *TableArtifact) save(dir string) error {
	return writeCSV(filepath.Join(dir, "table.csv"), a.Table)
}

func loadTable(dir, kind string) (*TableArtifact, error) {
	f, err := os.Open(filepath.Join(dir, "table.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := table.ReadCSV(f)
	if err != nil {
		return nil, err
	}
	return &TableArtifact{Table: t, Kind: kind}, nil
}

func (a *TableArtifact) export(dir string) ([]string, error) {
	name := a.Kind + ".csv"
	return []string{name}, writeCSV(filepath.Join(dir, name), a.Table)
}
