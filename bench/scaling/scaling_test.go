package scaling

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
)

// sizes reads a comma-separated list of jet counts from the environment.
func sizes(tb testing.TB, name, def string) []int {
	v := os.Getenv(name)
	if v == "" {
		v = def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(f, "_", ""))
		if err != nil || n < 2 {
			tb.Fatalf("%s: bad size %q", name, f)
		}
		out = append(out, n)
	}
	return out
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return n
}

// BenchmarkStudy runs the whole study (generate → SEMD → LOO ball smearing
// on 30 radii → nearest neighbours) for every N of SMEARFLOW_SCALING_N
// (default 1000), pruned, and the brute-force baseline for N up to
// SMEARFLOW_SCALING_BRUTE_MAX (default 1000). Run each once:
//
//	SMEARFLOW_SCALING_N=1000,4000,16000,64000,100000 go test -run X -bench Study -benchtime 1x -timeout 0 ./bench/scaling/
func BenchmarkStudy(b *testing.B) {
	ns := sizes(b, "SMEARFLOW_SCALING_N", "1000")
	bruteMax := envInt(b, "SMEARFLOW_SCALING_BRUTE_MAX", 1000)
	k := envInt(b, "SMEARFLOW_SCALING_K", 1024)
	nboot := envInt(b, "SMEARFLOW_SCALING_NBOOT", 0)
	out := os.Getenv("SMEARFLOW_SCALING_CSV")
	if mb := envInt(b, "SMEARFLOW_SCALING_MEMLIMIT_MIB", 0); mb > 0 {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(mb) << 20))
	}
	for _, n := range ns {
		modes := []neighbors.Prune{neighbors.PruneOn}
		if n <= bruteMax {
			modes = append(modes, neighbors.PruneOff)
		}
		var pruned *Result
		for _, m := range modes {
			name := fmt.Sprintf("N=%d/%s", n, map[neighbors.Prune]string{neighbors.PruneOn: "pruned", neighbors.PruneOff: "brute"}[m])
			b.Run(name, func(b *testing.B) {
				var res *Result
				var peak int64
				for b.Loop() {
					ResetPeakRSS()
					var err error
					res, err = Run(context.Background(), Options{N: n, BoundBins: k, Prune: m, NBoot: nboot})
					if err != nil {
						b.Fatal(err)
					}
					peak = PeakRSS()
				}
				report(b, res, peak)
				if m == neighbors.PruneOn {
					pruned = res
				} else if pruned != nil {
					b.ReportMetric(pruned.Total.Seconds()/res.Total.Seconds(), "pruned/brute")
					checkSame(b, pruned, res)
				}
				if out != "" {
					appendCSV(b, out, res, peak)
				}
			})
		}
	}
}

func report(b *testing.B, r *Result, peak int64) {
	sp := r.SmearPass
	b.ReportMetric(r.Total.Seconds(), "wall_s")
	b.ReportMetric(float64(peak)/(1<<20), "peak_MiB")
	b.ReportMetric(sp.ExactFraction(), "exact_frac_smear")
	b.ReportMetric(float64(r.Pairs())/r.Smear.Seconds(), "pairs/s_smear")
	b.ReportMetric(r.Smear.Seconds(), "smear_s")
	if nn := r.NNPass; nn != nil {
		b.ReportMetric(nn.ExactFraction(), "exact_frac_nn")
		b.ReportMetric(r.Nearest.Seconds(), "nn_s")
	}
	b.ReportMetric(r.Generate.Seconds()+r.Prepare.Seconds()+r.Bound.Seconds(), "gen+prep_s")
	b.ReportMetric(r.TotalCPU.Seconds(), "cpu_s")
	b.Logf("N=%d K=%d %s: total %.1fs (generate %.1fs, prepare %.1fs, bound %.1fs, smear %.1fs, nearest %.1fs), CPU %.1fs (smear %.1fs, nearest %.1fs), peak RSS %d MiB, spectra %d MiB, mean multiplicity %.1f",
		r.N, r.K, r.Prune, r.Total.Seconds(), r.Generate.Seconds(), r.Prepare.Seconds(), r.Bound.Seconds(), r.Smear.Seconds(), r.Nearest.Seconds(),
		r.TotalCPU.Seconds(), r.SmearCPU.Seconds(), r.NearestCPU.Seconds(), peak>>20, r.SpectrumBytes>>20, r.MeanMultiplicity)
	b.Logf("  smear pass %.1fs: %d of %d pairs exact (%.4f%%), bounded per checkpoint %v: %v, bytes held %d MiB (bounds %d MiB)",
		sp.Elapsed.Seconds(), sp.Pairs, sp.Candidates, 100*sp.ExactFraction(), sp.BoundDims, sp.BoundPairs, sp.BytesHeld>>20, sp.BoundBytes>>20)
	if nn := r.NNPass; nn != nil {
		b.Logf("  nearest pass: %d of %d pairs exact (%.5f%%), bounded per checkpoint %v", nn.Pairs, nn.Candidates, 100*nn.ExactFraction(), nn.BoundPairs)
	}
}

// checkSame requires the pruned and brute-force studies to agree bit for bit.
func checkSame(b *testing.B, p, q *Result) {
	for i := range p.AUC {
		if p.AUC[i] != q.AUC[i] {
			b.Fatalf("AUC at eps %v: pruned %v, brute force %v", p.Eps[i], p.AUC[i], q.AUC[i])
		}
	}
	for i := range p.NN {
		if p.NN[i] != q.NN[i] {
			b.Fatalf("nearest-neighbour distance of jet %d: pruned %v, brute force %v", i, p.NN[i], q.NN[i])
		}
	}
}

func appendCSV(b *testing.B, path string, r *Result, peak int64) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	if st.Size() == 0 {
		fmt.Fprintln(f, "n,k,mode,wall_s,generate_s,prepare_s,bound_s,smear_s,nearest_s,peak_rss_mib,exact_smear,candidates_smear,exact_nn,candidates_nn,cpu_s,smear_cpu_s,nearest_cpu_s,load1")
	}
	var enn, cnn int64
	if r.NNPass != nil {
		enn, cnn = r.NNPass.Pairs, r.NNPass.Candidates
	}
	fmt.Fprintf(f, "%d,%d,%s,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%d,%d,%d,%d,%d,%.2f,%.2f,%.2f,%s\n", r.N, r.K, r.Prune, r.Total.Seconds(), r.Generate.Seconds(),
		r.Prepare.Seconds(), r.Bound.Seconds(), r.Smear.Seconds(), r.Nearest.Seconds(), peak>>20, r.SmearPass.Pairs, r.SmearPass.Candidates, enn, cnn,
		r.TotalCPU.Seconds(), r.SmearCPU.Seconds(), r.NearestCPU.Seconds(), loadAvg())
}

// BenchmarkPasses times the two pruned passes alone (radii for the ball
// smearing, nearest neighbours) over prepared SEMD spaces of
// SMEARFLOW_SCALING_PASS_N jets (default 2000), with the same-run
// brute-force radii pass as the baseline.
func BenchmarkPasses(b *testing.B) {
	n := envInt(b, "SMEARFLOW_SCALING_PASS_N", 2000)
	k := envInt(b, "SMEARFLOW_SCALING_K", 1024)
	ctx := context.Background()
	sp, labels, err := Space(ctx, n, k, 1)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	req := plugin.NeighborRequest{Radii: DefaultEps()}
	for _, c := range []struct {
		name  string
		prune neighbors.Prune
		nn    bool
	}{{"radii/pruned", neighbors.PruneOn, false}, {"nearest/pruned", neighbors.PruneOn, true}, {"radii/brute", neighbors.PruneOff, false}} {
		if c.prune == neighbors.PruneOff && n > envInt(b, "SMEARFLOW_SCALING_BRUTE_MAX", 2000) {
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			cfg := neighbors.Config{Mode: neighbors.LOO, Prune: c.prune}
			setup, err := neighbors.Prepare(n, labels, nil, cfg)
			if err != nil {
				b.Fatal(err)
			}
			var st *neighbors.Stats
			for b.Loop() {
				if c.nn {
					_, st, err = neighbors.Nearest(ctx, sp, setup, cfg)
				} else {
					st, err = neighbors.Run(ctx, sp, setup, cfg, req, func(*plugin.NeighborBatch) error { return nil })
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(int64(n)*int64(n-1)/2)*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
			b.ReportMetric(st.ExactFraction(), "exact_frac")
			b.Logf("%s: %d of %d pairs exact, bounded per checkpoint %v: %v", c.name, st.Pairs, st.Candidates, st.BoundDims, st.BoundPairs)
		})
	}
}

// loadAvg returns the 1-minute load average of the machine ("" if unknown).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
