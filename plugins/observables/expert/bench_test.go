package expert

import (
	"context"
	"runtime"
	"testing"

	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// benchCompute runs the plugin on the 500 small-sample jets and reports
// jets/s and variables/s (jets × columns, jet_index excluded). The
// baseline in the same run is BenchmarkComputeKinematics (n_const, pt, y,
// phi: preparing the constituents and building the table).
func benchCompute(b *testing.B, params map[string]any, procs int) {
	jets := sharedtest.SmallSample(b)
	if procs > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	}
	var cols int
	b.ReportAllocs()
	for b.Loop() {
		tab, err := New().Compute(context.Background(), plugin.ObservablesRequest{Params: params, Jets: jets})
		if err != nil {
			b.Fatal(err)
		}
		cols = len(tab.Columns) - 1
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N*jets.Len())/s, "jets/s")
	b.ReportMetric(float64(b.N*jets.Len()*cols)/s, "vars/s")
}

func BenchmarkComputeKinematics(b *testing.B) {
	benchCompute(b, map[string]any{"columns": []any{"n_const", "pt", "y", "phi"}}, 0)
}

func BenchmarkComputeXAUG(b *testing.B) { benchCompute(b, nil, 0) }

func BenchmarkComputeAll(b *testing.B) { benchCompute(b, map[string]any{"set": "all"}, 0) }

func BenchmarkComputeXAUG1Core(b *testing.B) { benchCompute(b, nil, 1) }

func BenchmarkComputeAll1Core(b *testing.B) { benchCompute(b, map[string]any{"set": "all"}, 1) }
