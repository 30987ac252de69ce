package npy_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/npy"
)

// Write a matrix and stream it back two rows at a time.
func ExampleArray_ReadFloat64() {
	var b bytes.Buffer
	if err := npy.WriteMatrix(&b, []float64{0, 1, 2, 1, 0, 3, 2, 3, 0}, 3, 3); err != nil {
		panic(err)
	}
	a, err := npy.NewArray(&b, "distances.npy", int64(b.Len()))
	if err != nil {
		panic(err)
	}
	fmt.Println(a.ShapeString(), a.DType.Name())
	buf := make([]float64, 2*3) // room for two rows
	for {
		n, err := a.ReadFloat64(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(n, "rows:", buf[:n*3])
	}
	// Output:
	// 3×3 float64
	// 2 rows: [0 1 2 1 0 3]
	// 1 rows: [2 3 0]
}

// Write jets as an EnergyFlow archive and list its members.
func ExampleWriteJetsFile() {
	j := &jet.Jets{}
	j.Append([]float64{300, 200}, []float64{0.1, 0.2}, []float64{1, 1.1}, []int32{211, 22}, jet.Quark, 1)
	j.Append([]float64{500}, []float64{-0.3}, []float64{2}, []int32{22}, jet.Gluon, 1)
	dir, _ := os.MkdirTemp("", "npy-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "jets.npz")
	if err := npy.WriteJetsFile(path, j, true); err != nil {
		panic(err)
	}
	arc, err := npy.OpenNPZ(path)
	if err != nil {
		panic(err)
	}
	defer arc.Close()
	for _, name := range arc.Names() {
		h, _ := arc.Header(name)
		fmt.Println(name, h.ShapeString(), h.DType.Name())
	}
	back, _ := npy.ReadJetsFile(path, npy.EnergyFlowOptions{})
	fmt.Println(back)
	// Output:
	// X 2×2×4 float64
	// y 2 float64
	// 2 jets (1 quark, 1 gluon), 3 particles
}
