package scaling

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/plugin/grpcplugin"
	"github.com/smearflow/smearflow/core/roc"
	"github.com/smearflow/smearflow/plugins/metrics/semd"
	"github.com/smearflow/smearflow/plugins/smearers/ball"
)

// BenchmarkGRPCvsInProcess runs the SEMD distance step of the study — the
// full matrix by tiles, and the pruned leave-one-out ball smearing — once
// with the metric in process and once served by an external plugin binary
// over gRPC, on the same jets (SMEARFLOW_SCALING_GRPC_N, default 1000;
// the target is N = 4000), alternating b.N times, and reports the
// medians and their ratios.
//
//	SMEARFLOW_SCALING_GRPC_N=4000 go test -run X -bench GRPC -benchtime 5x ./bench/scaling/
func BenchmarkGRPCvsInProcess(b *testing.B) {
	n := envInt(b, "SMEARFLOW_SCALING_GRPC_N", 1000)
	ctx := context.Background()
	bin := filepath.Join(b.TempDir(), "smearflow-plugin-semd")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/smearflow/smearflow/bench/scaling/internal/semdplugin").CombinedOutput(); err != nil {
		b.Fatalf("build plugin: %v\n%s", err, out)
	}
	ps, client, err := grpcplugin.Launch(ctx, bin, grpcplugin.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Kill()
	remote := ps[0].(plugin.Metric)
	js, err := Jets(ctx, n, 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	local := semd.New()
	params, err := local.Info().Params.Resolve(map[string]any{"bound_bins": 1024})
	if err != nil {
		b.Fatal(err)
	}
	bl := ball.New()
	bp, _ := bl.Info().Params.Resolve(map[string]any{"eps": map[string]any{"log": []any{1e-3, 0.3, 30}}})
	step := func(m plugin.Metric) (matrix, smear time.Duration, auc float64) {
		sp, err := m.Prepare(ctx, plugin.MetricRequest{Params: params, Jets: js})
		if err != nil {
			b.Fatal(err)
		}
		defer sp.Close()
		t0 := time.Now()
		if _, err := neighbors.FullMatrix(ctx, sp, neighbors.Config{MatrixMaxBytes: 1 << 30}); err != nil {
			b.Fatal(err)
		}
		matrix = time.Since(t0)
		t0 = time.Now()
		res, err := neighbors.Smear(ctx, sp, js.Label, js.Weight, neighbors.SmearConfig{Config: neighbors.Config{Mode: neighbors.LOO}}, bl, bp)
		if err != nil {
			b.Fatal(err)
		}
		return matrix, time.Since(t0), res.PerPoint[res.Best()].AUC
	}
	// Alternate in process and over gRPC b.N times and report medians, so
	// that a busy moment of a shared machine does not decide the ratio.
	var lms, lss, rms, rss []float64
	for i := 0; i < b.N; i++ {
		lm, ls, la := step(local)
		rm, rs, ra := step(remote)
		if la != ra {
			b.Fatalf("AUC in process %v, over gRPC %v", la, ra)
		}
		lms, lss = append(lms, lm.Seconds()), append(lss, ls.Seconds())
		rms, rss = append(rms, rm.Seconds()), append(rss, rs.Seconds())
	}
	med := func(x []float64) float64 {
		slices.Sort(x)
		return roc.Quantile(x, 0.5)
	}
	lm, ls, rm, rs := med(lms), med(lss), med(rms), med(rss)
	b.ReportMetric(lm, "matrix_inproc_s")
	b.ReportMetric(rm, "matrix_grpc_s")
	b.ReportMetric(rm/lm, "matrix_grpc/inproc")
	b.ReportMetric(ls, "pruned_inproc_s")
	b.ReportMetric(rs, "pruned_grpc_s")
	b.ReportMetric(rs/ls, "pruned_grpc/inproc")
	_ = os.Remove(bin)
}
