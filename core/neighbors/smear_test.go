package neighbors_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/neighbors"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/core/roc"
)

// countSmearer is a minimal smearer for host tests: score = n_s/(n_s+n_b)
// within each radius (unnormalised), 1/2 when empty; it can be told to
// misbehave.
type countSmearer struct {
	radii []float64
	bad   string // "nan", "short", "" = behave
}

func (c *countSmearer) Info() plugin.Info {
	return plugin.Info{Kind: plugin.KindSmearer, Name: "count", Version: "0.0.1", APIVersion: plugin.APIVersion}
}

func (c *countSmearer) Plan(plugin.Params) (plugin.SmearPlan, error) {
	return plugin.SmearPlan{Axis: "eps", Points: c.radii, Needs: plugin.NeighborRequest{Radii: c.radii}}, nil
}

func (c *countSmearer) Smear(ctx context.Context, _ plugin.Params, b *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	n, R := len(b.Queries), len(b.Radii)
	sb := &plugin.ScoreBatch{Scores: make([]float64, n*R), Empty: make([]bool, n*R), Counts: make([]float64, n*R)}
	for i := range sb.Scores {
		s, bk := b.CountS[i], b.CountB[i]
		sb.Counts[i] = s + bk
		if s+bk == 0 {
			sb.Scores[i], sb.Empty[i] = 0.5, true
		} else {
			sb.Scores[i] = s / (s + bk)
		}
	}
	switch c.bad {
	case "nan":
		sb.Scores[len(sb.Scores)-1] = math.NaN()
	case "short":
		sb.Scores = sb.Scores[1:]
	}
	return sb, nil
}

func TestSmearHost(t *testing.T) {
	space, labels, _ := randomLine(200, 8, false)
	sm := &countSmearer{radii: []float64{0.001, 0.01, 0.1, 2}}
	cfg := neighbors.SmearConfig{Config: neighbors.Config{Folds: 5, BatchSize: 37}, Bootstrap: roc.BootstrapConfig{N: 40, Confidence: 0.9, Seed: 2}}
	res, err := neighbors.Smear(context.Background(), space, labels, nil, cfg, sm, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Plugin != "smearer/count@0.0.1" || res.Biased || len(res.Scores) != 200*4 || len(res.PerPoint) != 4 {
		t.Fatalf("result %+v", res)
	}
	// Every point summary agrees with roc on the score column.
	for p, pr := range res.PerPoint {
		a, err := roc.AUC(res.Labels, res.ScoreColumn(p), nil)
		if err != nil || a != pr.AUC {
			t.Errorf("point %d: AUC %v, roc says %v (%v)", p, pr.AUC, a, err)
		}
		c, _ := res.Curve(p)
		pt, _ := c.At(0.5)
		if pt.Rejection != pr.Rejection || pt.Threshold != pr.ThresholdAt {
			t.Errorf("point %d: rejection %v at %v, curve says %v at %v", p, pr.Rejection, pr.ThresholdAt, pt.Rejection, pt.Threshold)
		}
		if !(pr.AUCBand.Lo <= pr.AUCBand.Hi) {
			t.Errorf("point %d: band %+v", p, pr.AUCBand)
		}
	}
	// At radius 2 (above every distance) every ball is full.
	if last := res.PerPoint[3]; last.Full != 200 || last.Empty != 0 {
		t.Errorf("radius 2: %d full, %d empty", last.Full, last.Empty)
	}
	tb := res.Table()
	if err := tb.Check(); err != nil {
		t.Fatal(err)
	}
	want := []string{"eps", "auc", "auc_lo", "auc_hi", "rejection50", "rejection50_lo", "rejection50_hi", "fpr_at", "tpr_at", "threshold_at", "empty", "full", "mean_count", "n_score_1", "n_score_0"}
	if got := tb.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("columns %v, want %v", got, want)
	}
	// Labelled bias for leave-one-out.
	cfg.Mode = neighbors.LOO
	res, err = neighbors.Smear(context.Background(), space, labels, nil, cfg, sm, nil)
	if err != nil || !res.Biased || !strings.Contains(res.BiasNote, "true class") {
		t.Errorf("loo: biased %v (%q), %v", res.Biased, res.BiasNote, err)
	}
}

func TestSmearHostErrors(t *testing.T) {
	space, labels, _ := randomLine(60, 3, false)
	cfg := neighbors.SmearConfig{Bootstrap: roc.BootstrapConfig{N: 10, Confidence: 0.68}}
	for _, c := range []struct {
		bad, want string
	}{{"nan", "is NaN"}, {"short", "returned 239 scores"}} {
		_, err := neighbors.Smear(context.Background(), space, labels, nil, cfg, &countSmearer{radii: []float64{0.1, 0.2, 0.3, 0.4}, bad: c.bad}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.bad, err, c.want)
		}
	}
	// Only quark test jets: the AUC is undefined, an error names the point.
	var qs, rs []int
	for i, l := range labels {
		if l == 1 && len(qs) < 10 {
			qs = append(qs, i)
		} else {
			rs = append(rs, i)
		}
	}
	cfg.Mode, cfg.Queries, cfg.Reference = neighbors.Reference, qs, rs
	_, err := neighbors.Smear(context.Background(), space, labels, nil, cfg, &countSmearer{radii: []float64{0.1}}, nil)
	if err == nil || !strings.Contains(err.Error(), "eps = 0.1") || !roc.IsUndefined(err) {
		t.Errorf("one-class test set: error %v", err)
	}
}

// TestConfigFromHostParams resolves the smearer host parameters of the
// plugin contract and reads them.
func TestConfigFromHostParams(t *testing.T) {
	spec := plugin.KindSpecs[plugin.KindSmearer].HostParams
	p, err := spec.Resolve(map[string]any{"reference": "loo_keep_self", "folds": 4, "n_boot": 17, "confidence": 0.9})
	if err != nil {
		t.Fatal(err)
	}
	c, err := neighbors.SmearConfigFromHostParams(p, 99)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != neighbors.LOOKeepSelf || c.Folds != 4 || c.Bootstrap.N != 17 || c.Bootstrap.Confidence != 0.9 || c.Seed != 99 || c.Bootstrap.Seed != 99 {
		t.Errorf("config %+v", c)
	}
	def, _ := spec.Resolve(nil)
	c, err = neighbors.SmearConfigFromHostParams(def, 1)
	if err != nil || c.Mode != neighbors.KFold || c.Folds != 10 || c.Bootstrap.N != 200 || c.Bootstrap.Confidence != 0.68 || c.ShuffleFolds {
		t.Errorf("defaults %+v, %v", c, err)
	}
}

// kthSmearer scores with the quark fraction among the k nearest reference
// jets (axis k), enough to check the host's k-th-neighbour radius.
type kthSmearer struct{ ks []float64 }

func (c *kthSmearer) Info() plugin.Info {
	return plugin.Info{Kind: plugin.KindSmearer, Name: "kth", Version: "0.0.1", APIVersion: plugin.APIVersion}
}

func (c *kthSmearer) Plan(plugin.Params) (plugin.SmearPlan, error) {
	return plugin.SmearPlan{Axis: "k", Points: c.ks, Needs: plugin.NeighborRequest{KNearest: int(slices.Max(c.ks))}}, nil
}

func (c *kthSmearer) Smear(ctx context.Context, _ plugin.Params, b *plugin.NeighborBatch) (*plugin.ScoreBatch, error) {
	m := len(c.ks)
	sb := &plugin.ScoreBatch{Scores: make([]float64, len(b.Queries)*m), Empty: make([]bool, len(b.Queries)*m)}
	for q := range b.Queries {
		list := b.KList[b.KOffsets[q]:b.KOffsets[q+1]]
		for p, k := range c.ks {
			var s float64
			for _, nb := range list[:min(int(k), len(list))] {
				if nb.Label == 1 {
					s++
				}
			}
			sb.Scores[q*m+p] = s / k
		}
	}
	return sb, nil
}

// TestSmearKRadius: on a k axis each point reports the median distance to
// the k-th nearest reference jet, computed here by sorting every query's
// distances; other axes report none.
func TestSmearKRadius(t *testing.T) {
	const n = 61
	space, labels, _ := randomLine(n, 9, false)
	ks := []float64{1, 2, 5, 13}
	cfg := neighbors.SmearConfig{Config: neighbors.Config{Mode: neighbors.LOO, BatchSize: 16}, Bootstrap: roc.BootstrapConfig{N: 0}}
	res, err := neighbors.Smear(context.Background(), space, labels, nil, cfg, &kthSmearer{ks: ks}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for p, k := range ks {
		var kth []float64
		for q := 0; q < n; q++ {
			var d []float64
			for j := 0; j < n; j++ {
				if j != q {
					d = append(d, space.d(q, j))
				}
			}
			slices.Sort(d)
			kth = append(kth, d[int(k)-1])
		}
		slices.Sort(kth)
		if want := kth[n/2]; res.PerPoint[p].KRadius != want {
			t.Errorf("k = %v: median k-th-neighbour distance %v, want %v", k, res.PerPoint[p].KRadius, want)
		}
	}
	if col, err := res.Table().Floats("median_k_radius"); err != nil || col[3] != res.PerPoint[3].KRadius {
		t.Errorf("auc.csv column median_k_radius: %v, %v", col, err)
	}
	eps, err := neighbors.Smear(context.Background(), space, labels, nil, cfg, &countSmearer{radii: []float64{0.1}}, nil)
	if err != nil || eps.PerPoint[0].KRadius != 0 || eps.Table().Col("median_k_radius") != nil {
		t.Errorf("eps axis: KRadius %v, column %v, %v", eps.PerPoint[0].KRadius, eps.Table().Col("median_k_radius"), err)
	}
}
