package hepmcascii

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// checkStream reads every event of s and checks the reader's invariants:
// no panic, every error is an *Error naming the file, events have finite
// momenta and a positive line number.
func checkStream(t *testing.T, s string) {
	r, err := NewReader(strings.NewReader(s), "fuzz.hepmc")
	if err != nil {
		var he *Error
		if !errors.As(err, &he) {
			t.Fatalf("header error %v is %T, not *Error", err, err)
		}
		return
	}
	for n := 0; ; n++ {
		var ev Event
		err := r.Next(&ev)
		if err == io.EOF {
			if err := r.Next(&ev); err != io.EOF {
				t.Fatalf("Next after EOF: %v", err)
			}
			return
		}
		if err != nil {
			var he *Error
			if !errors.As(err, &he) || !strings.HasPrefix(err.Error(), "fuzz.hepmc") {
				t.Fatalf("error %v is %T and does not name the file", err, err)
			}
			return
		}
		if ev.Line <= 0 || ev.Index != n {
			t.Fatalf("event %d: line %d index %d", n, ev.Line, ev.Index)
		}
		for _, p := range ev.Particles {
			if !finite(p.Px) || !finite(p.Py) || !finite(p.Pz) || !finite(p.E) || !finite(p.M) || p.Line <= 0 {
				t.Fatalf("event %d: bad particle %+v", n, p)
			}
		}
	}
}

const (
	fuzzHead3 = "HepMC::Version 3.01.02\nHepMC::Asciiv3-START_EVENT_LISTING\nE 0 1 2\nU GEV MM\nW 1\n"
	fuzzTail3 = "\nP 2 1 211 1 2 3 4.5 0.13957 1\nHepMC::Asciiv3-END_EVENT_LISTING\n"
	fuzzHead2 = "HepMC::Version 2.06.09\nHepMC::IO_GenEvent-START_EVENT_LISTING\nE 0 0 1 0.1 0.01 242 0 1 1 0 0 1 1\nU GEV MM\n"
	fuzzTail2 = "\nP 2 211 1 2 3 4.5 0.13957 1 0 0 0 0\nHepMC::IO_GenEvent-END_EVENT_LISTING\n"
)

// FuzzLine3 puts one fuzzed line in the middle of a HepMC3 event (between
// the weights and the last particle) and reads the stream. The seed corpus
// is in testdata/fuzz/FuzzLine3.
func FuzzLine3(f *testing.F) {
	for _, s := range []string{
		"P 1 0 2212 0 0 7000 7000 0.938 4",
		"V -1 0 [1]",
		"V -1 0 [1] @ 0 0 0 0",
		"A 0 signal_process_id 242",
		"A 2 flow1 124",
		"P 1 0 21 nan 0 1 1 0 1",
		"P 1 0 21 1e400 0 1 1 0 1",
		"E 1 2",
		"U MEV CM",
		"P 1",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkStream(t, fuzzHead3+line+fuzzTail3)
	})
}

// FuzzLine2 is FuzzLine3 for HepMC2 IO_GenEvent (seed corpus in
// testdata/fuzz/FuzzLine2).
func FuzzLine2(f *testing.F) {
	for _, s := range []string{
		"V -1 0 0 0 0 0 1 1 0\nP 1 2212 0 0 7000 7000 0.938 4 0 0 -1 0",
		"V -1 0 0 0 0 0 0 2 1 1.0\nP 1 21 1 1 1 2 0 1 0 0 0 2 1 101 2 102",
		"N 1 \"Weight\"",
		"C 1.0 0.1",
		"F 2 21 0.5 0.01 700 0.06 4.4 0 0",
		"H 0 0 0 0 0 0 0 0 0 0 0 0 0",
		"V -1 0 0 0 0 0 0 3 0",
		"P 1 2212 0 0 7000 7000 0.938 4 0 0 -1 7",
		"V -1 0 0 0 0 0 99999999999 1 0",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		checkStream(t, fuzzHead2+line+fuzzTail2)
	})
}

// FuzzStream reads arbitrary bytes as a HepMC file.
func FuzzStream(f *testing.F) {
	f.Add(mini3)
	f.Add(mini2)
	f.Add("HepMC::Asciiv3-START_EVENT_LISTING\nHepMC::Asciiv3-END_EVENT_LISTING\n")
	f.Fuzz(func(t *testing.T, s string) {
		checkStream(t, s)
	})
}
