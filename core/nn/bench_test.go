package nn_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// smallSampleData builds the low-level features (M = 30) of the 500
// small-sample jets.
func smallSampleData(b *testing.B) (names []string, d nn.Data) {
	jets := sharedtest.SmallSample(b)
	names = nn.LowLevelNames(30)
	x, err := nn.Matrix("bench", names, jets, nil)
	if err != nil {
		b.Fatal(err)
	}
	return names, nn.Data{X: x, Label: jets.Label, Weight: jets.Weight}
}

// BenchmarkTrainEpochs: training throughput on the 500 small-sample jets
// (M = 30 → 90 inputs, hidden [64, 32], head [32], batch 128), reported as
// jets·epochs/s, for 1 worker and for all cores.
func BenchmarkTrainEpochs(b *testing.B) {
	names, d := smallSampleData(b)
	for _, w := range []struct {
		name    string
		workers int
	}{{"workers=1", 1}, {"workers=all", 0}} {
		b.Run(w.name, func(b *testing.B) {
			net, err := nn.Build(names, nn.Architecture{Hidden: []int{64, 32}, Head: []int{32}}, 1)
			if err != nil {
				b.Fatal(err)
			}
			const epochs = 5
			opt := nn.Options{Epochs: epochs, BatchSize: 128, LearningRate: 1e-3, Workers: w.workers}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, _, err := nn.Train(context.Background(), net, d, d, opt, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*epochs*d.Rows())/b.Elapsed().Seconds(), "jet·epochs/s")
		})
	}
}

// The layer benchmarks compare the forward and backward pass of one dense
// layer (128 rows, 90 → 64, 30% zero inputs as from padding and ReLU)
// written as hand loops (skipping zero inputs, as core/nn does) with the
// same computation through gonum's pure-Go BLAS (Dgemm).
const (
	lRows, lIn, lOut = 128, 90, 64
)

func layerData() (a, w, b, dz []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	a, w, b, dz = make([]float64, lRows*lIn), make([]float64, lIn*lOut), make([]float64, lOut), make([]float64, lRows*lOut)
	for i := range a {
		if rng.Float64() > 0.3 {
			a[i] = rng.NormFloat64()
		}
	}
	for i := range w {
		w[i] = rng.NormFloat64()
	}
	for i := range dz {
		dz[i] = rng.NormFloat64()
	}
	return
}

func BenchmarkLayerHand(b *testing.B) {
	a, w, bias, dz := layerData()
	z := make([]float64, lRows*lOut)
	gw := make([]float64, lIn*lOut)
	da := make([]float64, lRows*lIn)
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		for r := 0; r < lRows; r++ { // forward z = a W + b
			zr := z[r*lOut : (r+1)*lOut]
			copy(zr, bias)
			for j, aj := range a[r*lIn : (r+1)*lIn] {
				if aj == 0 {
					continue
				}
				row := w[j*lOut : (j+1)*lOut]
				for k := range zr {
					zr[k] += aj * row[k]
				}
			}
		}
		clear(gw)
		for r := 0; r < lRows; r++ { // backward: dW += aᵀ dz, da = dz Wᵀ
			dr := dz[r*lOut : (r+1)*lOut]
			for j, aj := range a[r*lIn : (r+1)*lIn] {
				row := w[j*lOut : (j+1)*lOut]
				s := 0.0
				for k, v := range dr {
					s += row[k] * v
				}
				da[r*lIn+j] = s
				if aj == 0 {
					continue
				}
				g := gw[j*lOut : (j+1)*lOut]
				for k, v := range dr {
					g[k] += aj * v
				}
			}
		}
	}
	b.ReportMetric(float64(b.N*lRows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkLayerGonum(b *testing.B) {
	a, w, bias, dz := layerData()
	z := make([]float64, lRows*lOut)
	gw := make([]float64, lIn*lOut)
	da := make([]float64, lRows*lIn)
	A := blas64.General{Rows: lRows, Cols: lIn, Stride: lIn, Data: a}
	W := blas64.General{Rows: lIn, Cols: lOut, Stride: lOut, Data: w}
	Z := blas64.General{Rows: lRows, Cols: lOut, Stride: lOut, Data: z}
	DZ := blas64.General{Rows: lRows, Cols: lOut, Stride: lOut, Data: dz}
	GW := blas64.General{Rows: lIn, Cols: lOut, Stride: lOut, Data: gw}
	DA := blas64.General{Rows: lRows, Cols: lIn, Stride: lIn, Data: da}
	b.ResetTimer()
	for it := 0; it < b.N; it++ {
		for r := 0; r < lRows; r++ {
			copy(z[r*lOut:(r+1)*lOut], bias)
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, A, W, 1, Z)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, A, DZ, 0, GW)
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, DZ, W, 0, DA)
	}
	b.ReportMetric(float64(b.N*lRows)/b.Elapsed().Seconds(), "rows/s")
}
