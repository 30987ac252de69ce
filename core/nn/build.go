package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// seedStream separates the random streams of smearflow's network code
// from other users of the same seed (rand.NewPCG's second word).
const (
	streamInit    = 0x6e6e2d696e6974 // "nn-init"
	streamShuffle = 0x6e6e2d736875   // "nn-shu"
)

// Build returns an XAUG network over features with He-initialised
// weights (w ~ N(0, 2/fan_in), zero biases) drawn from seed; Mean is 0
// and Std 1 (set them before training, e.g. with FitStandardization).
//
// Features whose names are low-level names (ParseLowLevel) feed the first
// of the arch.Hidden dense ReLU layers; every other feature (an expert
// variable) is joined to that branch's output just before the arch.Head
// dense ReLU layers; a linear layer with one output (the logit) ends the
// network. Without low-level features the hidden branch is dropped (the
// expert variables feed the head directly); without expert features
// nothing is joined. arch.Variant is set to the effective variant
// ("lowlevel", "expert" or "both") and arch.Constituents to the number of
// constituents the low-level names refer to.
func Build(features []string, arch Architecture, seed int64) (*Network, error) {
	if len(features) == 0 {
		return nil, errors.New("build network: no input features")
	}
	for _, w := range slices.Concat(arch.Hidden, arch.Head) {
		if w <= 0 {
			return nil, fmt.Errorf("build network: layer width %d (hidden %v, head %v) must be positive", w, arch.Hidden, arch.Head)
		}
	}
	var low, expert []int
	m := 0
	seen := map[string]bool{}
	for i, f := range features {
		if seen[f] {
			return nil, fmt.Errorf("build network: feature %q given twice", f)
		}
		seen[f] = true
		if c, _, ok := ParseLowLevel(f); ok {
			low = append(low, i)
			m = max(m, c+1)
		} else {
			expert = append(expert, i)
		}
	}
	n := &Network{
		Features: slices.Clone(features),
		Mean:     make([]float64, len(features)),
		Std:      make([]float64, len(features)),
		Arch:     arch,
	}
	for i := range n.Std {
		n.Std[i] = 1
	}
	n.Arch.Hidden = slices.Clone(arch.Hidden)
	n.Arch.Head = slices.Clone(arch.Head)
	n.Arch.Constituents = m
	var widths []int
	switch {
	case len(low) > 0 && len(expert) > 0:
		n.Arch.Variant = "both"
		widths = slices.Concat(arch.Hidden, arch.Head)
	case len(low) > 0:
		n.Arch.Variant = "lowlevel"
		widths = slices.Concat(arch.Hidden, arch.Head)
	default:
		n.Arch.Variant = "expert"
		n.Arch.Hidden = []int{}
		widths = slices.Clone(arch.Head)
	}
	if n.Arch.Hidden == nil {
		n.Arch.Hidden = []int{}
	}
	if n.Arch.Head == nil {
		n.Arch.Head = []int{}
	}
	widths = append(widths, 1)
	join := 0 // layer receiving the expert features
	if len(low) > 0 {
		join = len(arch.Hidden)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), streamInit))
	prev := 0
	for l, w := range widths {
		ly := Layer{Out: w, Activation: ReLU}
		if l == len(widths)-1 {
			ly.Activation = Linear
		}
		if l == 0 {
			ly.Inputs = append(ly.Inputs, low...)
		}
		if l == join {
			ly.Inputs = append(ly.Inputs, expert...)
		}
		ly.In = prev + len(ly.Inputs)
		ly.W = make([]float64, ly.In*ly.Out)
		ly.B = make([]float64, ly.Out)
		s := math.Sqrt(2 / float64(ly.In))
		for i := range ly.W {
			ly.W[i] = s * rng.NormFloat64()
		}
		n.Layers = append(n.Layers, ly)
		prev = w
	}
	if err := n.Validate(); err != nil {
		return nil, fmt.Errorf("build network: %w", err)
	}
	return n, nil
}

// SetStandardization fits Mean and Std to the raw feature matrix x
// (rows × NumInputs, row-major): expert features always, low-level ones
// only when Arch.StandardizeLowLevel is set (otherwise they keep mean 0,
// std 1, so zero padding stays exactly 0). It returns the names of
// constant features, which are only centred (std 1).
func (n *Network) SetStandardization(x []float64, rows int) (constant []string, err error) {
	fit := make([]bool, len(n.Features))
	for i, f := range n.Features {
		_, _, low := ParseLowLevel(f)
		fit[i] = !low || n.Arch.StandardizeLowLevel
	}
	mean, std, c, err := FitStandardization(x, rows, len(n.Features), fit)
	if err != nil {
		return nil, err
	}
	n.Mean, n.Std = mean, std
	for _, i := range c {
		constant = append(constant, n.Features[i])
	}
	return constant, nil
}
