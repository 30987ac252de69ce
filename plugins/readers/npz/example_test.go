package npz_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/npz"
)

// Read an EnergyFlow file, keeping two gluon jets.
func Example() {
	dir, _ := os.MkdirTemp("", "npz-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "jets.npz")
	j := &jet.Jets{}
	for i, pt := range []float64{500, 510, 520, 530} {
		j.Append([]float64{pt / 2, pt / 2}, []float64{0, 0.1}, []float64{1, 1.1}, []int32{22, 211}, int8(i%2), 1)
	}
	if err := npy.WriteJetsFile(path, j, true); err != nil {
		panic(err)
	}

	r := npz.New()
	params, err := r.Info().Params.Resolve(map[string]any{"path": path, "quarks": 0, "gluons": 2})
	if err != nil {
		panic(err)
	}
	err = r.Read(context.Background(), plugin.ReadRequest{Params: params, Seed: 1}, func(b *jet.Jets) error {
		fmt.Println(b, "source_index", b.Aux["source_index"])
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// 2 jets (0 quark, 2 gluon), 4 particles source_index [0 2]
}
