package builtin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"github.com/smearflow/smearflow/plugins/readers/csv"
	"github.com/smearflow/smearflow/plugins/readers/hepmc"
	"github.com/smearflow/smearflow/plugins/readers/npz"
	"github.com/smearflow/smearflow/plugins/readers/root"
)

func readAll(t *testing.T, r plugin.Reader, raw map[string]any) *jet.Jets {
	t.Helper()
	params, err := r.Info().Params.Resolve(raw)
	if err != nil {
		t.Fatal(err)
	}
	out := &jet.Jets{}
	if err := r.Read(context.Background(), plugin.ReadRequest{Params: params, BatchSize: 7}, func(b *jet.Jets) error { out.Concat(b); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// writeParticleCSV writes jets in the jet_index,pt,rapidity,phi,pid,label
// layout with shortest round-trip floats.
func writeParticleCSV(t *testing.T, path string, js *jet.Jets) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "jet_index,pt,rapidity,phi,pid,label")
	for i := 0; i < js.Len(); i++ {
		v := js.Jet(i)
		for p := range v.Pt {
			fmt.Fprintf(f, "%d,%v,%v,%v,%d,%d\n", i, v.Pt[p], v.Y[p], v.Phi[p], v.PID[p], v.Label)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// The hepmc, npz, csv and root readers produce identical jets for the same
// data: jets clustered from the shared HepMC events are written in each
// format and read back through the plugins.
func TestReadersAgree(t *testing.T) {
	events := sharedtest.Path(t, "reference/clustering/hepmc/events.hepmc3")
	fromHepMC := readAll(t, hepmc.New(), map[string]any{"path": events, "label": "process", "jets": "all"})
	if fromHepMC.Len() < 20 {
		t.Fatalf("only %d jets from the HepMC events", fromHepMC.Len())
	}
	dir := t.TempDir()
	npzPath, csvPath, rootPath := filepath.Join(dir, "jets.npz"), filepath.Join(dir, "jets.csv"), filepath.Join(dir, "jets.root")
	bare := &jet.Jets{Offsets: fromHepMC.Offsets, Pt: fromHepMC.Pt, Y: fromHepMC.Y, Phi: fromHepMC.Phi, PID: fromHepMC.PID, Label: fromHepMC.Label, Weight: fromHepMC.Weight}
	if err := npy.WriteJetsFile(npzPath, bare, true); err != nil {
		t.Fatal(err)
	}
	writeParticleCSV(t, csvPath, bare)
	if err := root.WriteFile(rootPath, "", bare); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*jet.Jets{
		"npz":  readAll(t, npz.New(), map[string]any{"path": npzPath}),
		"csv":  readAll(t, csv.New(), map[string]any{"path": csvPath}),
		"root": readAll(t, root.New(), map[string]any{"path": rootPath, "y_branch": "y", "pid_branch": "pid", "weight_branch": "weight", "sort_constituents": false}),
	} {
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"offsets", got.Offsets, bare.Offsets}, {"pt", got.Pt, bare.Pt}, {"y", got.Y, bare.Y},
			{"phi", got.Phi, bare.Phi}, {"pid", got.PID, bare.PID}, {"labels", got.Label, bare.Label}, {"weights", got.Weight, bare.Weight},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s reader: %s differ from the hepmc reader's", name, c.what)
			}
		}
	}
}
