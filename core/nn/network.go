package nn

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas/blas64"
)

// Activation is the nonlinearity applied to a layer's pre-activation.
type Activation string

// Activations.
const (
	// ReLU is max(z, 0), used by every hidden layer.
	ReLU Activation = "relu"
	// Linear is the identity, used by the output layer (the logit).
	Linear Activation = "linear"
)

// Layer is one dense layer. Its input vector is the previous layer's
// output (absent for the first layer) followed by the network inputs
// listed in Inputs, in that order:
//
//	a = [ output of layer l-1 (Layers[l-1].Out values) | x[Inputs[0]], x[Inputs[1]], ... ]
//	z_k = b_k + Σ_j a_j W[j*Out+k],  output = Activation(z)
//
// This "input routing" is how the expert variables enter just before the
// final dense layers (XAUG) without identity pass-through units, which
// would change the relevance of some LRP rules.
type Layer struct {
	In, Out    int
	W          []float64 // In*Out, row-major: W[j*Out+k] couples input j to output k
	B          []float64 // Out
	Activation Activation
	// Inputs are indices into Network.Features of the network inputs that
	// are appended to this layer's input after the previous layer's output.
	Inputs []int
}

// Prev returns the number of inputs that come from the previous layer.
func (l *Layer) Prev() int { return l.In - len(l.Inputs) }

// Network is a feed-forward network of dense layers with input routing
// (see Layer) and a single linear output, the logit of the quark
// probability. Features names the network inputs in order; Mean and Std
// standardise the raw features: x = (raw - Mean) / Std. Every method
// taking an input vector x expects standardised values (see Standardize).
type Network struct {
	Features []string
	Mean     []float64
	Std      []float64
	Layers   []Layer
	// Arch describes how the network was built (informative; the layers
	// and their Inputs are what the forward pass uses).
	Arch Architecture
	// Training records how the network was trained (nil when unknown).
	Training *TrainingInfo
	// Description is free text carried through the model file.
	Description string
}

// Architecture describes the XAUG layout of a network.
type Architecture struct {
	// Variant is "lowlevel", "expert", "both" (the effective variant, after
	// Keep) or "custom" for a network loaded from elsewhere.
	Variant string `json:"variant"`
	// Constituents is M, the number of leading constituents of the
	// low-level input (0 when the network has no low-level input).
	Constituents int `json:"constituents"`
	// Hidden are the widths of the dense ReLU layers of the low-level
	// branch; Head those of the dense ReLU layers after the concatenation
	// with the expert variables. The output layer (1 unit) follows.
	Hidden []int `json:"hidden"`
	Head   []int `json:"head"`
	// StandardizeLowLevel reports whether the low-level inputs were
	// standardised (otherwise their Mean is 0 and Std 1).
	StandardizeLowLevel bool `json:"standardize_lowlevel"`
}

// TrainingInfo records a network's training.
type TrainingInfo struct {
	Seed         int64   `json:"seed"`
	Epochs       int     `json:"epochs"`        // maximum epochs asked for
	EpochsRun    int     `json:"epochs_run"`    // epochs actually run (early stopping)
	BestEpoch    int     `json:"best_epoch"`    // 1-based epoch whose weights are kept
	BestValLoss  float64 `json:"best_val_loss"` // validation loss at BestEpoch
	BestValAUC   float64 `json:"best_val_auc"`  // validation AUC at BestEpoch (0 when undefined)
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	Patience     int     `json:"patience"`
	TrainJets    int     `json:"train_jets"`
	ValJets      int     `json:"validation_jets"`
}

// NumInputs returns the number of network inputs (len(Features)).
func (n *Network) NumInputs() int { return len(n.Features) }

// NumParams returns the number of weights and biases.
func (n *Network) NumParams() int {
	p := 0
	for i := range n.Layers {
		p += len(n.Layers[i].W) + len(n.Layers[i].B)
	}
	return p
}

// Validate checks shapes, routing and values: every feature is routed to
// exactly one layer, hidden layers are ReLU or linear, the last layer has
// one linear output, weights are finite and every Std is finite and > 0.
func (n *Network) Validate() error {
	f := len(n.Features)
	if f == 0 {
		return errors.New("network has no input features")
	}
	if len(n.Mean) != f || len(n.Std) != f {
		return fmt.Errorf("network has %d features but %d means and %d standard deviations", f, len(n.Mean), len(n.Std))
	}
	seen := make(map[string]bool, f)
	for i, name := range n.Features {
		if name == "" {
			return fmt.Errorf("feature %d has no name", i)
		}
		if seen[name] {
			return fmt.Errorf("feature %q appears twice", name)
		}
		seen[name] = true
		if !finite(n.Mean[i]) {
			return fmt.Errorf("feature %q: mean is %v", name, n.Mean[i])
		}
		if !finite(n.Std[i]) || n.Std[i] <= 0 {
			return fmt.Errorf("feature %q: standard deviation %v is not a finite positive number", name, n.Std[i])
		}
	}
	if len(n.Layers) == 0 {
		return errors.New("network has no layers")
	}
	used := make([]int, f)
	for l := range n.Layers {
		ly := &n.Layers[l]
		prev := 0
		if l > 0 {
			prev = n.Layers[l-1].Out
		}
		if ly.Out <= 0 {
			return fmt.Errorf("layer %d has %d outputs", l, ly.Out)
		}
		if ly.In != prev+len(ly.Inputs) {
			return fmt.Errorf("layer %d has %d inputs, want %d from layer %d plus %d routed features", l, ly.In, prev, l-1, len(ly.Inputs))
		}
		if ly.In == 0 {
			return fmt.Errorf("layer %d has no inputs", l)
		}
		if len(ly.W) != ly.In*ly.Out {
			return fmt.Errorf("layer %d: W has %d entries, want %d×%d", l, len(ly.W), ly.In, ly.Out)
		}
		if len(ly.B) != ly.Out {
			return fmt.Errorf("layer %d: b has %d entries, want %d", l, len(ly.B), ly.Out)
		}
		switch ly.Activation {
		case ReLU, Linear:
		default:
			return fmt.Errorf("layer %d: unknown activation %q (known: relu, linear)", l, ly.Activation)
		}
		for _, i := range ly.Inputs {
			if i < 0 || i >= f {
				return fmt.Errorf("layer %d: routed input %d out of range [0, %d)", l, i, f)
			}
			used[i]++
		}
		for i, w := range ly.W {
			if !finite(w) {
				return fmt.Errorf("layer %d: W[%d][%d] is %v", l, i/ly.Out, i%ly.Out, w)
			}
		}
		for k, b := range ly.B {
			if !finite(b) {
				return fmt.Errorf("layer %d: b[%d] is %v", l, k, b)
			}
		}
	}
	for i, u := range used {
		if u != 1 {
			return fmt.Errorf("feature %q is routed to %d layers, want exactly 1", n.Features[i], u)
		}
	}
	last := &n.Layers[len(n.Layers)-1]
	if last.Out != 1 || last.Activation != Linear {
		return fmt.Errorf("the last layer must have 1 linear output (the logit), has %d %s outputs", last.Out, last.Activation)
	}
	return nil
}

// Clone returns a deep copy.
func (n *Network) Clone() *Network {
	c := *n
	c.Features = slices.Clone(n.Features)
	c.Mean = slices.Clone(n.Mean)
	c.Std = slices.Clone(n.Std)
	c.Layers = make([]Layer, len(n.Layers))
	for i, l := range n.Layers {
		l.W = slices.Clone(l.W)
		l.B = slices.Clone(l.B)
		l.Inputs = slices.Clone(l.Inputs)
		c.Layers[i] = l
	}
	c.Arch.Hidden = slices.Clone(n.Arch.Hidden)
	c.Arch.Head = slices.Clone(n.Arch.Head)
	if n.Training != nil {
		t := *n.Training
		c.Training = &t
	}
	return &c
}

// Standardize writes (raw - Mean) / Std into x (len NumInputs).
func (n *Network) Standardize(raw, x []float64) {
	for i := range n.Features {
		x[i] = (raw[i] - n.Mean[i]) / n.Std[i]
	}
}

// Trace holds the intermediate values of one forward pass: In[l] is the
// input vector of layer l (previous output followed by routed features)
// and Z[l] its pre-activation (with the bias). The logit is Z[L-1][0].
type Trace struct {
	In [][]float64
	Z  [][]float64
}

// NewTrace allocates a trace for n.
func (n *Network) NewTrace() *Trace {
	t := &Trace{In: make([][]float64, len(n.Layers)), Z: make([][]float64, len(n.Layers))}
	for l := range n.Layers {
		t.In[l] = make([]float64, n.Layers[l].In)
		t.Z[l] = make([]float64, n.Layers[l].Out)
	}
	return t
}

// Forward runs the network on one standardised input x, records every
// layer's input and pre-activation in tr (from NewTrace) and returns the
// logit.
func (n *Network) Forward(x []float64, tr *Trace) float64 {
	for l := range n.Layers {
		ly := &n.Layers[l]
		in := tr.In[l]
		p := ly.Prev()
		if l > 0 {
			act(n.Layers[l-1].Activation, tr.Z[l-1], in[:p])
		}
		for i, f := range ly.Inputs {
			in[p+i] = x[f]
		}
		denseRow(in, ly.W, ly.B, tr.Z[l])
	}
	return tr.Z[len(n.Layers)-1][0]
}

// Logit returns the logit for one standardised input (allocating a
// trace; use Forward in loops).
func (n *Network) Logit(x []float64) float64 { return n.Forward(x, n.NewTrace()) }

// InputGradient writes d logit / d x into grad (len NumInputs), for the
// standardised input whose forward pass is recorded in tr. At a ReLU kink
// (z = 0 exactly) the derivative is taken as 0.
func (n *Network) InputGradient(tr *Trace, grad []float64) {
	L := len(n.Layers)
	delta := []float64{1}
	for l := L - 1; l >= 0; l-- {
		ly := &n.Layers[l]
		p := ly.Prev()
		dIn := make([]float64, ly.In)
		for j := 0; j < ly.In; j++ {
			row := ly.W[j*ly.Out : (j+1)*ly.Out]
			s := 0.0
			for k, d := range delta {
				s += row[k] * d
			}
			dIn[j] = s
		}
		for i, f := range ly.Inputs {
			grad[f] = dIn[p+i]
		}
		if l > 0 {
			if n.Layers[l-1].Activation == ReLU {
				for j := 0; j < p; j++ {
					if tr.Z[l-1][j] <= 0 {
						dIn[j] = 0
					}
				}
			}
			delta = dIn[:p]
		}
	}
}

// act applies an activation to z, writing into a.
func act(f Activation, z, a []float64) {
	if f == ReLU {
		for i, v := range z {
			a[i] = max(v, 0)
		}
		return
	}
	copy(a, z)
}

// denseRow computes z = b + a W for one row (W row-major In×Out). Zero
// inputs (inactive ReLU units, zero padding) are skipped.
func denseRow(a, w, b, z []float64) {
	out := len(z)
	copy(z, b)
	for j, aj := range a {
		if aj == 0 {
			continue
		}
		blas64.Axpy(aj, blas64.Vector{N: out, Inc: 1, Data: w[j*out : j*out+out]}, blas64.Vector{N: out, Inc: 1, Data: z})
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
