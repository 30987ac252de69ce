// Package sharedtest gives tests access to the shared samples and reference
// values in ../shared (relative to the repository root), skipping the test
// with a clear message when that folder is absent.
package sharedtest

import (
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
)

// Root returns the repository root (the folder holding go.mod).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// SharedDir returns the absolute path of the shared folder: $SMEARFLOW_SHARED
// if set, else ../shared next to the repository.
func SharedDir() string {
	if d := os.Getenv("SMEARFLOW_SHARED"); d != "" {
		return d
	}
	return filepath.Join(Root(), "..", "shared")
}

// Path returns the absolute path of a file under the shared folder
// (for example "reference/semd/hand_semd.csv") and skips the test when it
// does not exist.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(SharedDir(), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test file %s is not available (%v); skipping. Set SMEARFLOW_SHARED to the shared folder to run this test.", p, err)
	}
	return p
}

var (
	smallOnce sync.Once
	small     *jet.Jets
	smallErr  error
)

// SmallSample returns the 500 jets of data/pythia8-qg-small-particles.csv
// (bit-identical to data/pythia8-qg-small.npz), parsed once per test
// binary. Callers must not modify the result (use Clone).
func SmallSample(t testing.TB) *jet.Jets {
	t.Helper()
	p := Path(t, "data/pythia8-qg-small-particles.csv")
	smallOnce.Do(func() { small, smallErr = readParticleCSV(p) })
	if smallErr != nil {
		t.Fatalf("reading %s: %v", p, smallErr)
	}
	return small
}

// readParticleCSV is a minimal reader for the jet_index,pt,rapidity,phi,pid,label
// layout, independent of the csv reader plugin so that tests of that
// plugin have an independent reference.
func readParticleCSV(path string) (*jet.Jets, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return nil, err
	}
	js := &jet.Jets{}
	cur := -1
	var pt, y, phi []float64
	var pid []int32
	var label int8
	flush := func() {
		if cur >= 0 {
			js.Append(pt, y, phi, pid, label, 1)
		}
		pt, y, phi, pid = pt[:0], y[:0], phi[:0], pid[:0]
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		idx, _ := strconv.Atoi(rec[0])
		if idx != cur {
			flush()
			cur = idx
		}
		f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		pt = append(pt, f(rec[1]))
		y = append(y, f(rec[2]))
		phi = append(phi, f(rec[3]))
		p, _ := strconv.Atoi(rec[4])
		pid = append(pid, int32(p))
		l, _ := strconv.Atoi(rec[5])
		label = int8(l)
	}
	flush()
	return js, js.Validate()
}
