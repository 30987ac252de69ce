package hepmc_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/hepmc"
)

// Two HepMC3 events, one per process: each gives its leading anti-kt jet,
// labelled from the signal process id (242 quark, 241 gluon). The neutrino
// (pid 12) is not clustered.
func ExampleReader_Read() {
	const events = `HepMC::Version 3.01.02
HepMC::Asciiv3-START_EVENT_LISTING
E 1 1 4
U GEV MM
A 0 signal_process_id 242
P 1 0 2212 0 0 7000 7000 0.938 4
V -1 0 [1]
P 2 -1 211 100 0 20 102.08 0.13957 1
P 3 -1 22 30 5 5 30.8221 0 1
P 4 -1 12 -50 0 10 50.990195 0 1
E 2 1 3
U GEV MM
A 0 signal_process_id 241
P 1 0 2212 0 0 7000 7000 0.938 4
V -1 0 [1]
P 2 -1 22 0 -80 0 80 0 1
P 3 -1 22 0 -40 -4 40.199502 0 1
HepMC::Asciiv3-END_EVENT_LISTING
`
	dir, err := os.MkdirTemp("", "hepmc-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.hepmc3")
	if err := os.WriteFile(path, []byte(events), 0o644); err != nil {
		panic(err)
	}

	params, err := hepmc.Spec().Resolve(map[string]any{"path": path, "jet_pt_min": 20})
	if err != nil {
		panic(err)
	}
	err = hepmc.New().Read(context.Background(), plugin.ReadRequest{Params: params}, func(b *jet.Jets) error {
		for i := 0; i < b.Len(); i++ {
			v := b.Jet(i)
			fmt.Printf("event %v: label %d, %d constituents, pids %v, leading pt %.1f\n",
				b.Aux[hepmc.AuxEvent][i], v.Label, len(v.Pt), v.PID, v.Pt[0])
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// event 1: label 1, 2 constituents, pids [211 22], leading pt 100.0
	// event 2: label 0, 2 constituents, pids [22 22], leading pt 80.0
	// <nil>
}
