package csv_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/plugins/readers/csv"
)

// Read a particle CSV with two jets.
func Example() {
	dir, _ := os.MkdirTemp("", "csv-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "particles.csv")
	os.WriteFile(path, []byte(`jet_index,pt,rapidity,phi,pid,label
0,300,0.1,1.0,211,1
0,200,0.2,1.1,22,1
1,500,-0.3,2.0,22,0
`), 0o644)

	r := csv.New()
	params, err := r.Info().Params.Resolve(map[string]any{"path": path})
	if err != nil {
		panic(err)
	}
	err = r.Read(context.Background(), plugin.ReadRequest{Params: params}, func(b *jet.Jets) error {
		fmt.Println(b)
		fmt.Println("jet 0 pt:", b.Jet(0).Pt, "pid:", b.Jet(0).PID)
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// 2 jets (1 quark, 1 gluon), 3 particles
	// jet 0 pt: [300 200] pid: [211 22]
}
