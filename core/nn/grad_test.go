package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
)

// gradNet returns a small XAUG network (3 low-level inputs in a [5, 4]
// branch, 2 expert inputs joined before a [3] head) with random weights
// and biases, a random standardisation and a random weighted data set.
func gradNet(t *testing.T, seed uint64) (*nn.Network, nn.Data) {
	t.Helper()
	feats := []string{"c00_z", "c00_dy", "c01_z", "mass", "n_const"}
	n, err := nn.Build(feats, nn.Architecture{Hidden: []int{5, 4}, Head: []int{3}}, int64(seed))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	p := n.ParamVector()
	for i := range p {
		p[i] = rng.NormFloat64() * 0.8
	}
	if err := n.SetParamVector(p); err != nil {
		t.Fatal(err)
	}
	for i := range n.Mean {
		n.Mean[i], n.Std[i] = rng.NormFloat64(), 0.5+rng.Float64()
	}
	const rows = 24
	d := nn.Data{X: make([]float64, rows*len(feats)), Label: make([]int8, rows), Weight: make([]float64, rows)}
	for i := range d.X {
		d.X[i] = rng.NormFloat64()
	}
	for i := range d.Label {
		d.Label[i] = int8(i % 2)
		d.Weight[i] = 0.5 + rng.Float64()
	}
	return n, d
}

// TestGradientFiniteDifferences compares LossGradient (the backward pass
// Train descends) with central finite differences of the loss for every
// weight and bias: relative error < 1e-6 (float64).
func TestGradientFiniteDifferences(t *testing.T) {
	n, d := gradNet(t, 3)
	g := make([]float64, n.NumParams())
	if _, err := n.LossGradient(d, g); err != nil {
		t.Fatal(err)
	}
	p0 := n.ParamVector()
	const h = 1e-5
	loss := func(p []float64) float64 {
		m := n.Clone()
		if err := m.SetParamVector(p); err != nil {
			t.Fatal(err)
		}
		l, err := m.LossGradient(d, make([]float64, len(p)))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	worst, checked := 0.0, 0
	for i := range p0 {
		p := append([]float64(nil), p0...)
		p[i] = p0[i] + h
		lp := loss(p)
		p[i] = p0[i] - h
		lm := loss(p)
		fd := (lp - lm) / (2 * h)
		scale := math.Max(math.Abs(fd), math.Abs(g[i]))
		if scale < 1e-7 { // a parameter the loss does not depend on here (dead unit)
			if math.Abs(fd-g[i]) > 1e-9 {
				t.Errorf("param %d: analytic %g, finite difference %g", i, g[i], fd)
			}
			continue
		}
		checked++
		rel := math.Abs(fd-g[i]) / scale
		worst = max(worst, rel)
		if rel > 1e-6 {
			t.Errorf("param %d: analytic %.12g, finite difference %.12g, relative error %.2g", i, g[i], fd, rel)
		}
	}
	if checked < n.NumParams()/2 {
		t.Errorf("only %d of %d parameters have a measurable gradient", checked, n.NumParams())
	}
	t.Logf("%d parameters, %d checked, worst relative error %.2g", n.NumParams(), checked, worst)
}

// TestLossGradientChunkInvariance: the gradient of a data set larger than
// one chunk equals the weighted sum of per-row gradients (to rounding).
func TestLossGradientChunkInvariance(t *testing.T) {
	n, d := gradNet(t, 5)
	g := make([]float64, n.NumParams())
	loss, err := n.LossGradient(d, g)
	if err != nil {
		t.Fatal(err)
	}
	f := n.NumInputs()
	sumW := 0.0
	for _, w := range d.Weight {
		sumW += w
	}
	acc := make([]float64, len(g))
	accLoss := 0.0
	for i := range d.Label {
		// one row with a partner of the other class and weight 0, so the
		// data set check passes and the partner contributes nothing.
		j := (i + 1) % len(d.Label)
		one := nn.Data{X: append(append([]float64(nil), d.X[i*f:(i+1)*f]...), d.X[j*f:(j+1)*f]...),
			Label: []int8{d.Label[i], 1 - d.Label[i]}, Weight: []float64{d.Weight[i], 0}}
		one.Weight[1] = 1e-300 // positive, negligible
		gi := make([]float64, len(g))
		li, err := n.LossGradient(one, gi)
		if err != nil {
			t.Fatal(err)
		}
		for k := range gi {
			acc[k] += gi[k] * d.Weight[i] / sumW
		}
		accLoss += li * d.Weight[i] / sumW
	}
	if math.Abs(accLoss-loss) > 1e-12 {
		t.Errorf("loss %v, sum of rows %v", loss, accLoss)
	}
	for k := range g {
		if math.Abs(acc[k]-g[k]) > 1e-12 {
			t.Errorf("param %d: gradient %v, sum of rows %v", k, g[k], acc[k])
		}
	}
}
