// Command testplugin is a smearflow plugin binary for the tests of
// grpcplugin: it serves a toy metric and a toy reader, and misbehaves on
// request. The environment variable SMEARFLOW_TESTPLUGIN_MODE chooses:
//
//	ok          behave
//	crash       Block calls os.Exit(3) after logging a line
//	panic       Block panics
//	hang        Block never returns, ignoring its context
//	slow        Block sleeps 50 ms, then respects its context
//	garbage     print a line on stdout before serving (breaks the handshake)
//	apiversion  serve plugin API version APIVersion+1 only
//	badinfo     the metric's Info claims API version APIVersion+1
//	startfail   exit with status 2 before serving
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
)

var mode = os.Getenv("SMEARFLOW_TESTPLUGIN_MODE")

// metric: d(i, j) = |sum pt_i - sum pt_j|.
type metric struct{}

func (metric) Info() plugin.Info {
	v := plugin.APIVersion
	if mode == "badinfo" {
		v++
	}
	return plugin.Info{Kind: plugin.KindMetric, Name: "toy", Version: "0.1.0", APIVersion: v,
		Summary: "difference of scalar pt sums", Capabilities: []string{plugin.CapExact, plugin.CapLowerBound},
		Params: plugin.Spec{{Name: "scale", Type: plugin.TypeFloat, Default: 1.0, Doc: "multiplies every distance"}}}
}

func (metric) Prepare(ctx context.Context, req plugin.MetricRequest) (plugin.Space, error) {
	s := &space{sum: make([]float64, req.Jets.Len()), scale: req.Params.Float("scale")}
	for i := range s.sum {
		s.sum[i] = req.Jets.Jet(i).SumPt()
	}
	return s, nil
}

type space struct {
	sum   []float64
	scale float64
}

func (s *space) Len() int { return len(s.sum) }

func (s *space) Block(ctx context.Context, rows, cols plugin.Range, out []float64) error {
	switch mode {
	case "crash":
		grpcplugin.Logger().Error("about to exit", "status", 3)
		os.Exit(3)
	case "panic":
		panic("testplugin: deliberate panic in Block")
	case "hang":
		select {}
	case "slow":
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	k := 0
	for i := rows.Lo; i < rows.Hi; i++ {
		for j := cols.Lo; j < cols.Hi; j++ {
			out[k] = s.scale * math.Abs(s.sum[i]-s.sum[j])
			k++
		}
	}
	return nil
}

func (s *space) Pairs(ctx context.Context, i, j []int32, out []float64) error {
	for k := range i {
		if int(i[k]) >= len(s.sum) || int(j[k]) >= len(s.sum) || i[k] < 0 || j[k] < 0 {
			return fmt.Errorf("pair %d: index (%d, %d) out of range [0, %d)", k, i[k], j[k], len(s.sum))
		}
		out[k] = s.scale * math.Abs(s.sum[i[k]]-s.sum[j[k]])
	}
	return nil
}

func (s *space) LowerBound(ctx context.Context) (*plugin.Embedding, error) {
	v := make([]float64, len(s.sum))
	for i, x := range s.sum {
		v[i] = s.scale * x
	}
	return &plugin.Embedding{Dim: 1, Vectors: v, Residuals: make([]float64, len(v))}, nil
}

func (s *space) Close() error { return nil }

// reader: "batches" batches of "per_batch" one-particle jets, reporting
// progress after each.
type reader struct{}

func (reader) Info() plugin.Info {
	return plugin.Info{Kind: plugin.KindReader, Name: "toy", Version: "0.1.0", APIVersion: plugin.APIVersion,
		Summary: "toy jets", Params: plugin.Spec{
			{Name: "batches", Type: plugin.TypeInt, Default: int64(3), Doc: "number of batches"},
			{Name: "per_batch", Type: plugin.TypeInt, Default: int64(2), Doc: "jets per batch"},
		}}
}

func (reader) Read(ctx context.Context, req plugin.ReadRequest, emit func(*jet.Jets) error) error {
	n, per := req.Params.Int("batches"), req.Params.Int("per_batch")
	for b := 0; b < n; b++ {
		j := &jet.Jets{}
		for k := 0; k < per; k++ {
			j.Append([]float64{float64(b*per + k + 1)}, []float64{0}, []float64{0}, nil, jet.Quark, 1)
		}
		if err := emit(j); err != nil {
			return err
		}
		plugin.ReportProgress(ctx, int64(b+1), int64(n), "batch")
	}
	return nil
}

func main() {
	switch mode {
	case "garbage":
		fmt.Println("hello from a plugin that talks too much")
	case "startfail":
		fmt.Fprintln(os.Stderr, "testplugin: cannot open my configuration")
		os.Exit(2)
	case "apiversion":
		cfg, err := grpcplugin.ServeConfig(metric{}, reader{})
		if err != nil {
			panic(err)
		}
		cfg.VersionedPlugins = map[int]goplugin.PluginSet{plugin.APIVersion + 1: grpcplugin.PluginSet(metric{}, reader{})}
		goplugin.Serve(cfg)
		return
	}
	grpcplugin.Serve(metric{}, reader{})
}
