package scaling

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
)

// TestStudySmall runs the whole study on 400 jets, pruned and brute force,
// and requires identical AUCs and nearest-neighbour distances.
func TestStudySmall(t *testing.T) {
	ctx := context.Background()
	p, err := Run(ctx, Options{N: 400, BoundBins: 256})
	if err != nil {
		t.Fatal(err)
	}
	q, err := Run(ctx, Options{N: 400, BoundBins: 256, Prune: neighbors.PruneOff})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.AUC) != 30 || len(p.NN) != 400 {
		t.Fatalf("%d AUCs, %d nearest neighbours", len(p.AUC), len(p.NN))
	}
	for i := range p.AUC {
		if p.AUC[i] != q.AUC[i] {
			t.Fatalf("AUC at eps %v: pruned %v, brute force %v", p.Eps[i], p.AUC[i], q.AUC[i])
		}
	}
	for i := range p.NN {
		if p.NN[i] != q.NN[i] {
			t.Fatalf("jet %d: nearest-neighbour distance pruned %v, brute force %v", i, p.NN[i], q.NN[i])
		}
	}
	if !p.SmearPass.Pruned || q.SmearPass.Pruned || p.SmearPass.Pairs >= q.SmearPass.Pairs {
		t.Fatalf("pruned pass computed %d pairs, brute force %d", p.SmearPass.Pairs, q.SmearPass.Pairs)
	}
	if _, err := Run(ctx, Options{N: 1}); err == nil {
		t.Fatal("N = 1 accepted")
	}
}

func TestPlot(t *testing.T) {
	csv := "n,k,mode,wall_s,generate_s,prepare_s,bound_s,smear_s,nearest_s,peak_rss_mib,exact_smear,candidates_smear,exact_nn,candidates_nn\n" +
		"1000,1024,on,1.5,0,0,0,1,0.2,120,5000,499500,10,999000\n" +
		"1000,1024,off,3.5,0,0,0,3,0.5,110,499500,499500,999000,999000\n" +
		"4000,1024,on,4.1,0,0,0,3,0.3,240,70000,7998000,50,15996000\n"
	rows, err := ReadCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[2].N != 4000 || rows[1].Mode != "off" || rows[0].Exact != 5000 {
		t.Fatalf("rows %+v", rows)
	}
	png, err := PlotPNG(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatal("not a PNG")
	}
	for _, bad := range []string{"", "n,mode\n1,on\n", strings.Replace(csv, "1.5", "fast", 1)} {
		if _, err := ReadCSV(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestWritePlot regenerates docs/img/scaling.png from a benchmark CSV:
//
//	SMEARFLOW_SCALING_PLOT=../../docs/img/scaling.png SMEARFLOW_SCALING_PLOT_CSV=results.csv go test -run TestWritePlot ./bench/scaling/
func TestWritePlot(t *testing.T) {
	out, in := os.Getenv("SMEARFLOW_SCALING_PLOT"), os.Getenv("SMEARFLOW_SCALING_PLOT_CSV")
	if out == "" || in == "" {
		t.Skip("set SMEARFLOW_SCALING_PLOT and SMEARFLOW_SCALING_PLOT_CSV to regenerate the figure")
	}
	if err := WritePlot(in, out); err != nil {
		t.Fatal(err)
	}
}
