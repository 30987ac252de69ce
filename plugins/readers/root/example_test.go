package root_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go-hep.org/x/hep/groot"
	"go-hep.org/x/hep/groot/rtree"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/root"
)

// Writes a small TTree with groot (one entry per jet, float32 jagged
// branches with a count leaf) and reads it back with the plugin.
func ExampleReader_Read() {
	dir, err := os.MkdirTemp("", "root-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "jets.root")

	f, err := groot.Create(path)
	if err != nil {
		panic(err)
	}
	var (
		n            int32
		pt, eta, phi []float32
		pid          []int32
		isQuark      int32
	)
	w, err := rtree.NewWriter(f, "jets", []rtree.WriteVar{
		{Name: "n", Value: &n},
		{Name: "c_pt", Value: &pt, Count: "n"},
		{Name: "c_eta", Value: &eta, Count: "n"},
		{Name: "c_phi", Value: &phi, Count: "n"},
		{Name: "c_pid", Value: &pid, Count: "n"},
		{Name: "is_quark", Value: &isQuark},
	})
	if err != nil {
		panic(err)
	}
	for i := range 3 {
		n, isQuark = 2, int32(i%2)
		pt, eta, phi, pid = []float32{5, 50}, []float32{0.1, 0.2}, []float32{1, 1.1}, []int32{211, 22}
		if _, err := w.Write(); err != nil {
			panic(err)
		}
	}
	w.Close()
	f.Close()

	params, err := root.Spec().Resolve(map[string]any{
		"path": path, "pt_branch": "c_pt", "eta_branch": "c_eta", "phi_branch": "c_phi",
		"pid_branch": "c_pid", "label_branch": "is_quark",
	})
	if err != nil {
		panic(err)
	}
	err = root.New().Read(context.Background(), plugin.ReadRequest{Params: params}, func(b *jet.Jets) error {
		for i := 0; i < b.Len(); i++ {
			v := b.Jet(i)
			fmt.Printf("entry %v: label %d, pt %v, y %.5f, pid %v\n", b.Aux[root.AuxEntry][i], v.Label, v.Pt, v.Y, v.PID)
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// entry 0: label 0, pt [50 5], y [0.20000 0.09996], pid [22 211]
	// entry 1: label 1, pt [50 5], y [0.20000 0.09996], pid [22 211]
	// entry 2: label 0, pt [50 5], y [0.20000 0.09996], pid [22 211]
	// <nil>
}
