package nn_test

import (
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/nn/nntest"
)

// TestReferenceForward loads reference/lrp/mlp.json with Unmarshal and
// checks the logits and hidden pre-activations of relevances.json (README
// tolerance for logits: 1e-14).
func TestReferenceForward(t *testing.T) {
	ref := nntest.Load(t)
	net := ref.Net
	if got := net.Features; len(got) != 6 || got[0] != "x0" || got[5] != "x5" {
		t.Fatalf("features %v", got)
	}
	tr := net.NewTrace()
	for i, x := range ref.Inputs {
		logit := net.Forward(x, tr)
		if d := math.Abs(logit - ref.Logit[i]); d > 1e-14 {
			t.Errorf("input %d: logit %v, reference %v (|Δ| = %.2g)", i, logit, ref.Logit[i], d)
		}
		for l, want := range ref.HiddenPreactivations[i] {
			for k, w := range want {
				if d := math.Abs(tr.Z[l][k] - w); d > 1e-14 {
					t.Errorf("input %d, layer %d, unit %d: z = %v, reference %v", i, l, k, tr.Z[l][k], w)
				}
			}
		}
	}
}

// TestReferenceGradient checks InputGradient against relevances.json
// "gradient" and "gradient_x_input" (1e-14).
func TestReferenceGradient(t *testing.T) {
	ref := nntest.Load(t)
	tr := ref.Net.NewTrace()
	g := make([]float64, 6)
	for i, x := range ref.Inputs {
		ref.Net.Forward(x, tr)
		ref.Net.InputGradient(tr, g)
		for j := range g {
			if d := math.Abs(g[j] - ref.Gradient[i][j]); d > 1e-14 {
				t.Errorf("input %d: dlogit/dx%d = %v, reference %v", i, j, g[j], ref.Gradient[i][j])
			}
			if d := math.Abs(g[j]*x[j] - ref.GradientXInput[i][j]); d > 1e-14 {
				t.Errorf("input %d: gradient×input %d = %v, reference %v", i, j, g[j]*x[j], ref.GradientXInput[i][j])
			}
		}
	}
}

func TestLogitsBatchMatchesForward(t *testing.T) {
	ref := nntest.Load(t)
	var raw []float64
	for _, x := range ref.Inputs {
		raw = append(raw, x...)
	}
	for _, workers := range []int{1, 2, 3} {
		got, err := ref.Net.Logits(raw, workers)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range ref.Inputs {
			if want := ref.Net.Logit(x); got[i] != want {
				t.Errorf("workers %d, input %d: batch logit %v, Forward %v", workers, i, got[i], want)
			}
		}
	}
	if _, err := ref.Net.Logits(raw[:5], 1); err == nil {
		t.Error("a truncated matrix was accepted")
	}
}

func TestValidate(t *testing.T) {
	base := func() *nn.Network {
		n, err := nn.Build([]string{"c00_z", "c00_dy", "mass"}, nn.Architecture{Hidden: []int{3}, Head: []int{2}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := base().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mutate func(n *nn.Network)
		want   string
	}{
		{"nan weight", func(n *nn.Network) { n.Layers[1].W[2] = math.NaN() }, "layer 1: W[1][0] is NaN"},
		{"inf bias", func(n *nn.Network) { n.Layers[0].B[0] = math.Inf(1) }, "layer 0: b[0] is +Inf"},
		{"zero std", func(n *nn.Network) { n.Std[2] = 0 }, `feature "mass": standard deviation 0`},
		{"short W", func(n *nn.Network) { n.Layers[2].W = n.Layers[2].W[:1] }, "layer 2: W has 1 entries"},
		{"routed twice", func(n *nn.Network) {
			n.Layers[1].Inputs = append(n.Layers[1].Inputs, 0)
			n.Layers[1].In++
			n.Layers[1].W = append(n.Layers[1].W, 0, 0)
		}, `feature "c00_z" is routed to 2 layers`},
		{"not routed", func(n *nn.Network) {
			n.Layers[1].Inputs = nil
			n.Layers[1].In--
			n.Layers[1].W = n.Layers[1].W[:6]
		}, `feature "mass" is routed to 0 layers`},
		{"relu output", func(n *nn.Network) { n.Layers[2].Activation = nn.ReLU }, "last layer must have 1 linear output"},
		{"bad activation", func(n *nn.Network) { n.Layers[0].Activation = "tanh" }, `unknown activation "tanh"`},
		{"duplicate feature", func(n *nn.Network) { n.Features[1] = "c00_z" }, `feature "c00_z" appears twice`},
		{"missing mean", func(n *nn.Network) { n.Mean = n.Mean[:2] }, "3 features but 2 means"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := base()
			c.mutate(n)
			err := n.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}
