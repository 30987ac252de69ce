package grpcplugin

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/examples/plugins/angularity"
	"github.com/smearflow/smearflow/internal/sharedtest"
	"google.golang.org/protobuf/proto"
)

// The benchmarks run the example plugin (examples/plugins/angularity) as
// a real subprocess ("grpc") and compare each call with the same library
// in process ("inprocess") and over an in-memory gRPC connection
// ("grpc-inmemory", same process). The subprocess is started once per
// test binary.

const angularityCmd = "github.com/smearflow/smearflow/examples/plugins/angularity/cmd/smearflow-plugin-angularity"

var (
	benchOnce   sync.Once
	benchMetric plugin.Metric
	benchErr    error
)

func externalAngularity(b *testing.B) plugin.Metric {
	bin := buildBinary(b, angularityCmd, "smearflow-plugin-angularity")
	benchOnce.Do(func() {
		var ps []plugin.Plugin
		ps, _, benchErr = Launch(context.Background(), bin, quietOptions())
		if benchErr == nil {
			benchMetric = ps[0].(plugin.Metric)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchMetric
}

func metrics(b *testing.B) []struct {
	name string
	m    plugin.Metric
} {
	return []struct {
		name string
		m    plugin.Metric
	}{{"inprocess", angularity.New()}, {"grpc-inmemory", inMemoryAngularity(b)}, {"grpc", externalAngularity(b)}}
}

// inMemoryAngularity serves the library over an in-memory gRPC connection
// (same process): the transport's cost without the process boundary.
func inMemoryAngularity(b *testing.B) plugin.Metric {
	ps, err := connect(b, angularity.New()).Plugins(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return ps[0].(plugin.Metric)
}

// sample returns n jets: copies of the 500 small-sample jets.
func sample(b *testing.B, n int) *jet.Jets {
	small := sharedtest.SmallSample(b)
	out := &jet.Jets{}
	for out.Len() < n {
		idx := make([]int, min(small.Len(), n-out.Len()))
		for i := range idx {
			idx[i] = i
		}
		out.Concat(small.Subset(idx))
	}
	return out
}

func prepared(b *testing.B, m plugin.Metric, jets *jet.Jets) plugin.Space {
	sp, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: plugin.Params{"a": 1.0}, Jets: jets})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sp.Close() })
	return sp
}

// BenchmarkRoundTrip is the cost of one tiny call (one pair).
func BenchmarkRoundTrip(b *testing.B) {
	jets := sample(b, 500)
	for _, m := range metrics(b) {
		b.Run(m.name, func(b *testing.B) {
			sp := prepared(b, m.m, jets)
			out := make([]float64, 1)
			ctx := context.Background()
			for b.Loop() {
				if err := sp.Pairs(ctx, []int32{3}, []int32{7}, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPrepare ships jets to the plugin (Prepare then Close); the
// bytes are those of the serialised jets.
func BenchmarkPrepare(b *testing.B) {
	for _, n := range []int{500, 5000} {
		jets := sample(b, n)
		bytes := int64(proto.Size(jetsToPB(jets)))
		for _, m := range metrics(b) {
			b.Run(fmt.Sprintf("jets=%d/%s", n, m.name), func(b *testing.B) {
				b.SetBytes(bytes)
				ctx := context.Background()
				start := time.Now()
				for b.Loop() {
					sp, err := m.m.Prepare(ctx, plugin.MetricRequest{Params: plugin.Params{"a": 1.0}, Jets: jets})
					if err != nil {
						b.Fatal(err)
					}
					if err := sp.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "jets/s")
			})
		}
	}
}

// BenchmarkBlock256 computes one 256 x 256 tile; the bytes are those of
// the distances returned.
func BenchmarkBlock256(b *testing.B) {
	jets := sample(b, 500)
	rows, cols := plugin.Range{Lo: 0, Hi: 256}, plugin.Range{Lo: 244, Hi: 500}
	for _, m := range metrics(b) {
		b.Run(m.name, func(b *testing.B) {
			sp := prepared(b, m.m, jets)
			out := make([]float64, 256*256)
			b.SetBytes(int64(8 * len(out)))
			ctx := context.Background()
			for b.Loop() {
				if err := sp.Block(ctx, rows, cols, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
