package nn_test

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
)

// toyData draws a two-class problem: 3 "low-level" and 2 "expert"
// Gaussian features whose means differ between the classes.
func toyData(n int, seed uint64) nn.Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := nn.Data{X: make([]float64, 0, 5*n), Label: make([]int8, n)}
	for i := 0; i < n; i++ {
		y := int8(i % 2)
		s := float64(y)
		d.Label[i] = y
		d.X = append(d.X,
			0.3+0.1*s+0.1*rng.NormFloat64(), 0.05*rng.NormFloat64(), 0.1*(1-s)+0.05*rng.NormFloat64(),
			40+15*(1-s)+10*rng.NormFloat64(), 0.5+0.1*s+0.1*rng.NormFloat64())
	}
	return d
}

var toyFeatures = []string{"c00_z", "c00_dy", "c01_z", "mass", "pTD"}

func trainToy(t *testing.T, workers int, seed int64, patience int) (*nn.Network, []nn.EpochStats) {
	t.Helper()
	tr, va := toyData(400, 1), toyData(200, 2)
	net, err := nn.Build(toyFeatures, nn.Architecture{Hidden: []int{16, 8}, Head: []int{8}}, seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := net.SetStandardization(tr.X, tr.Rows()); err != nil {
		t.Fatal(err)
	}
	out, stats, err := nn.Train(context.Background(), net, tr, va,
		nn.Options{Epochs: 30, BatchSize: 50, LearningRate: 0.01, Patience: patience, Workers: workers}, seed)
	if err != nil {
		t.Fatal(err)
	}
	return out, stats
}

// TestTrainReproducible: a fixed seed gives bit-identical networks and
// histories for 1, 2 and 3 workers; another seed gives another network.
func TestTrainReproducible(t *testing.T) {
	a, sa := trainToy(t, 1, 7, 0)
	for _, w := range []int{2, 3} {
		b, sb := trainToy(t, w, 7, 0)
		if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(sa, sb) {
			t.Errorf("workers %d: training differs from 1 worker", w)
		}
	}
	c, _ := trainToy(t, 2, 8, 0)
	if reflect.DeepEqual(a.ParamVector(), c.ParamVector()) {
		t.Error("seeds 7 and 8 give the same network")
	}
}

// TestTrainLearnsAndKeepsBest: the toy problem is learnt (AUC > 0.9), the
// kept weights are those of the best validation epoch, and early stopping
// stops after `patience` epochs without improvement.
func TestTrainLearnsAndKeepsBest(t *testing.T) {
	net, stats := trainToy(t, 0, 3, 4)
	info := net.Training
	if info == nil || info.EpochsRun != len(stats) {
		t.Fatalf("training info %+v with %d epochs of stats", info, len(stats))
	}
	best := stats[info.BestEpoch-1]
	t.Logf("%d epochs run, best epoch %d: val loss %.4f, AUC %.4f", len(stats), info.BestEpoch, best.ValLoss, best.ValAUC)
	for _, s := range stats {
		if s.ValLoss < best.ValLoss {
			t.Errorf("epoch %d has val loss %v below the kept epoch %d (%v)", s.Epoch, s.ValLoss, info.BestEpoch, best.ValLoss)
		}
	}
	if best.ValAUC < 0.9 || info.BestValAUC != best.ValAUC {
		t.Errorf("best validation AUC %v (info %v), want > 0.9", best.ValAUC, info.BestValAUC)
	}
	if len(stats) < 30 && len(stats)-info.BestEpoch != 4 {
		t.Errorf("stopped after epoch %d with best epoch %d, patience 4", len(stats), info.BestEpoch)
	}
	// The returned weights reproduce the best validation loss.
	va := toyData(200, 2)
	logits, err := net.Logits(va.X, 0)
	if err != nil {
		t.Fatal(err)
	}
	loss := 0.0
	for i, s := range logits {
		loss += nn.BCE(s, va.Label[i])
	}
	if loss /= float64(len(logits)); math.Abs(loss-best.ValLoss) > 1e-12 {
		t.Errorf("kept network has val loss %v, best epoch %v", loss, best.ValLoss)
	}
	if stats[0].TrainLoss < stats[info.BestEpoch-1].TrainLoss {
		t.Errorf("training loss did not decrease: %v -> %v", stats[0].TrainLoss, stats[info.BestEpoch-1].TrainLoss)
	}
}

func TestTrainErrors(t *testing.T) {
	net, err := nn.Build(toyFeatures, nn.Architecture{Hidden: []int{4}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	good := nn.Options{Epochs: 1, BatchSize: 10, LearningRate: 0.01}
	tr, va := toyData(20, 1), toyData(20, 2)
	oneClass := toyData(20, 3)
	for i := range oneClass.Label {
		oneClass.Label[i] = 1
	}
	nanX := toyData(20, 4)
	nanX.X[13] = math.NaN()
	cases := []struct {
		name   string
		opt    nn.Options
		tr, va nn.Data
		want   string
	}{
		{"epochs", nn.Options{Epochs: 0, BatchSize: 1, LearningRate: 1}, tr, va, "epochs 0"},
		{"batch", nn.Options{Epochs: 1, BatchSize: 0, LearningRate: 1}, tr, va, "batch size 0"},
		{"lr", nn.Options{Epochs: 1, BatchSize: 1, LearningRate: math.NaN()}, tr, va, "learning rate NaN"},
		{"one class", good, oneClass, va, "training set: needs quark and gluon jets"},
		{"nan", good, tr, nanX, "validation set: jet 2, feature 3: value NaN"},
		{"shape", good, nn.Data{X: tr.X[:7], Label: tr.Label}, va, "feature matrix has 7 values"},
		{"empty", good, nn.Data{}, va, "training set: no jets"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := nn.Train(context.Background(), net, c.tr, c.va, c.opt, 1)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := nn.Train(ctx, net, tr, va, good, 1); err == nil {
		t.Error("a cancelled context did not stop training")
	}
}
