package hepmcascii_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/smearflow/smearflow/plugins/readers/hepmc/hepmcascii"
)

func ExampleReader_Next() {
	const file = `HepMC::Version 3.01.02
HepMC::Asciiv3-START_EVENT_LISTING
E 0 1 3
U GEV MM
W 1
A 0 signal_process_id 242
P 1 0 2212 0 0 7000 7000 0.938 4
V -1 0 [1]
P 2 -1 211 10 5 3 11.6 0.13957 1
P 3 -1 12 -4 1 2 4.6 0 1
HepMC::Asciiv3-END_EVENT_LISTING
`
	r, err := hepmcascii.NewReader(strings.NewReader(file), "example.hepmc3")
	if err != nil {
		panic(err)
	}
	defer r.Close()
	fmt.Println(r.Format())
	var ev hepmcascii.Event
	for {
		if err := r.Next(&ev); err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		fmt.Printf("event %d (line %d), process %d, %d particles\n", ev.Number, ev.Line, ev.SignalProcessID, len(ev.Particles))
		for _, p := range ev.Particles {
			if p.Status == 1 {
				fmt.Printf("  final: pid %d p = (%g, %g, %g, %g)\n", p.PID, p.Px, p.Py, p.Pz, p.E)
			}
		}
	}
	// A file cut in the middle of an event is an error naming the event.
	cut := file[:strings.Index(file, "P 3")]
	r2, err := hepmcascii.NewReader(strings.NewReader(cut), "cut.hepmc3")
	if err != nil {
		panic(err)
	}
	fmt.Println(r2.Next(&ev))
	// Output:
	// HepMC3 Asciiv3
	// event 0 (line 3), process 242, 3 particles
	//   final: pid 211 p = (10, 5, 3, 11.6)
	//   final: pid 12 p = (-4, 1, 2, 4.6)
	// cut.hepmc3:9 (event 0): file ends inside the event begun at line 3 (2 of 3 particle records read) without HepMC::Asciiv3-END_EVENT_LISTING: file is truncated
}
