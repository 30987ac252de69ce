package root

import (
	"fmt"

	"go-hep.org/x/hep/groot"
	"go-hep.org/x/hep/groot/rtree"

	"github.com/smearflow/smearflow/core/jet"
)

// WriteFile writes jets as a ROOT file with one TTree entry per jet: the
// count leaf "n", float64 jagged branches "pt", "y", "phi", int32 "pid",
// and scalar int32 "label" and float64 "weight". Read it back with
//
//	with: {path: FILE, y_branch: y, pid_branch: pid, weight_branch: weight}
//
// (the other branch names are the reader's defaults). tree names the TTree
// ("jets" if empty).
func WriteFile(path, tree string, js *jet.Jets) (err error) {
	if tree == "" {
		tree = "jets"
	}
	if err := js.Validate(); err != nil {
		return fmt.Errorf("root: write %s: %w", path, err)
	}
	f, err := groot.Create(path)
	if err != nil {
		return fmt.Errorf("root: create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("root: close %s: %w", path, cerr)
		}
	}()
	var (
		n          int32
		pt, y, phi []float64
		pid        []int32
		label      int32
		weight     float64
	)
	w, err := rtree.NewWriter(f, tree, []rtree.WriteVar{
		{Name: "n", Value: &n},
		{Name: "pt", Value: &pt, Count: "n"},
		{Name: "y", Value: &y, Count: "n"},
		{Name: "phi", Value: &phi, Count: "n"},
		{Name: "pid", Value: &pid, Count: "n"},
		{Name: "label", Value: &label},
		{Name: "weight", Value: &weight},
	})
	if err != nil {
		return fmt.Errorf("root: %s: %w", path, err)
	}
	for i := 0; i < js.Len(); i++ {
		v := js.Jet(i)
		n, pt, y, phi, pid = int32(len(v.Pt)), v.Pt, v.Y, v.Phi, v.PID
		label, weight = int32(v.Label), v.Weight
		if _, err := w.Write(); err != nil {
			return fmt.Errorf("root: %s: entry %d: %w", path, i, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("root: %s: %w", path, err)
	}
	return nil
}
