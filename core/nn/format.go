package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// FormatName and FormatVersion identify the model file format; FormatID
// ("smearflow-mlp/1") is the plugin.Model Format of a model stored in it.
const (
	FormatName    = "smearflow-mlp"
	FormatVersion = 1
	FormatID      = "smearflow-mlp/1"
)

// fileModel is the JSON model file (see README.md, "Model file format").
type fileModel struct {
	Format       string        `json:"format"`
	Version      int           `json:"version"`
	Description  string        `json:"description,omitempty"`
	Architecture Architecture  `json:"architecture"`
	Features     []fileFeature `json:"features"`
	Layers       []fileLayer   `json:"layers"`
	Training     *TrainingInfo `json:"training,omitempty"`
}

type fileFeature struct {
	Name string  `json:"name"`
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
}

type fileLayer struct {
	Inputs     []string    `json:"inputs"`
	W          [][]float64 `json:"W"`
	B          []float64   `json:"b"`
	Activation Activation  `json:"activation"`
}

// referenceModel is the layout of reference/lrp/mlp.json: sizes and plain
// layers, every input feeding the first layer.
type referenceModel struct {
	Description string      `json:"description"`
	Sizes       []int       `json:"sizes"`
	Layers      []fileLayer `json:"layers"`
}

// Marshal writes n in the smearflow-mlp/1 JSON format. Floats are written
// as the shortest decimal that parses back to the same float64, so a
// model round-trips bit for bit.
func Marshal(n *Network) ([]byte, error) {
	if err := n.Validate(); err != nil {
		return nil, fmt.Errorf("marshal model: %w", err)
	}
	m := fileModel{
		Format: FormatName, Version: FormatVersion, Description: n.Description,
		Architecture: n.Arch, Training: n.Training,
	}
	if m.Architecture.Hidden == nil {
		m.Architecture.Hidden = []int{}
	}
	if m.Architecture.Head == nil {
		m.Architecture.Head = []int{}
	}
	for i, name := range n.Features {
		m.Features = append(m.Features, fileFeature{Name: name, Mean: n.Mean[i], Std: n.Std[i]})
	}
	for _, l := range n.Layers {
		fl := fileLayer{Inputs: make([]string, len(l.Inputs)), W: make([][]float64, l.In), B: l.B, Activation: l.Activation}
		for i, f := range l.Inputs {
			fl.Inputs[i] = n.Features[f]
		}
		for j := range fl.W {
			fl.W[j] = l.W[j*l.Out : (j+1)*l.Out]
		}
		m.Layers = append(m.Layers, fl)
	}
	return json.MarshalIndent(m, "", " ")
}

// Unmarshal reads a model in the smearflow-mlp/1 format, or in the layout
// of reference/lrp/mlp.json (no "format" field; "sizes" and "layers" with
// W, b, activation): such a network gets features x0, x1, ... (mean 0,
// std 1) that all feed the first layer, and Arch.Variant "custom".
// Unknown fields are errors; the network is validated.
func Unmarshal(data []byte) (*Network, error) {
	var probe struct {
		Format  *string `json:"format"`
		Version int     `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("model: %w", jsonError(data, err))
	}
	var n *Network
	var err error
	if probe.Format == nil {
		n, err = fromReference(data)
	} else {
		if *probe.Format != FormatName {
			return nil, fmt.Errorf("model: format %q, want %q", *probe.Format, FormatName)
		}
		if probe.Version != FormatVersion {
			return nil, fmt.Errorf("model: %s version %d, this build reads version %d", FormatName, probe.Version, FormatVersion)
		}
		n, err = fromFile(data)
	}
	if err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return n, nil
}

func decodeStrict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if d.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// jsonError adds the line and column to syntax and type errors.
func jsonError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	line, col := 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

func fromFile(data []byte) (*Network, error) {
	var m fileModel
	if err := decodeStrict(data, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	n := &Network{Arch: m.Architecture, Training: m.Training, Description: m.Description}
	index := map[string]int{}
	for i, f := range m.Features {
		if _, dup := index[f.Name]; dup {
			return nil, fmt.Errorf("model: feature %q appears twice", f.Name)
		}
		index[f.Name] = i
		n.Features = append(n.Features, f.Name)
		n.Mean = append(n.Mean, f.Mean)
		n.Std = append(n.Std, f.Std)
	}
	for l, fl := range m.Layers {
		ly, err := layerFrom(l, fl)
		if err != nil {
			return nil, err
		}
		for _, name := range fl.Inputs {
			i, ok := index[name]
			if !ok {
				return nil, fmt.Errorf("model: layer %d routes unknown feature %q", l, name)
			}
			ly.Inputs = append(ly.Inputs, i)
		}
		n.Layers = append(n.Layers, ly)
	}
	return n, nil
}

func fromReference(data []byte) (*Network, error) {
	var m referenceModel
	if err := decodeStrict(data, &m); err != nil {
		return nil, fmt.Errorf("model (reference mlp.json layout): %w", err)
	}
	if len(m.Layers) == 0 || len(m.Sizes) != len(m.Layers)+1 {
		return nil, fmt.Errorf("model (reference mlp.json layout): %d sizes for %d layers, want layers+1", len(m.Sizes), len(m.Layers))
	}
	n := &Network{Description: m.Description, Arch: Architecture{Variant: "custom", Hidden: []int{}, Head: []int{}}}
	for i := 0; i < m.Sizes[0]; i++ {
		n.Features = append(n.Features, "x"+strconv.Itoa(i))
		n.Mean = append(n.Mean, 0)
		n.Std = append(n.Std, 1)
	}
	for l, fl := range m.Layers {
		if fl.Inputs != nil {
			return nil, fmt.Errorf("model (reference mlp.json layout): layer %d has \"inputs\"; use the %s format for routed inputs", l, FormatName)
		}
		ly, err := layerFrom(l, fl)
		if err != nil {
			return nil, err
		}
		if l == 0 {
			for i := range n.Features {
				ly.Inputs = append(ly.Inputs, i)
			}
		}
		if ly.In != m.Sizes[l] || ly.Out != m.Sizes[l+1] {
			return nil, fmt.Errorf("model (reference mlp.json layout): layer %d is %d×%d, sizes say %d×%d", l, ly.In, ly.Out, m.Sizes[l], m.Sizes[l+1])
		}
		n.Layers = append(n.Layers, ly)
	}
	return n, nil
}

// layerFrom converts a JSON layer (W as In rows of Out) to a Layer.
func layerFrom(l int, fl fileLayer) (Layer, error) {
	in := len(fl.W)
	if in == 0 {
		return Layer{}, fmt.Errorf("model: layer %d has an empty W", l)
	}
	out := len(fl.W[0])
	if out == 0 {
		return Layer{}, fmt.Errorf("model: layer %d: W row 0 is empty", l)
	}
	ly := Layer{In: in, Out: out, W: make([]float64, 0, in*out), B: fl.B, Activation: fl.Activation}
	for j, row := range fl.W {
		if len(row) != out {
			return Layer{}, fmt.Errorf("model: layer %d: W row %d has %d entries, row 0 has %d", l, j, len(row), out)
		}
		ly.W = append(ly.W, row...)
	}
	if fl.B == nil {
		return Layer{}, fmt.Errorf("model: layer %d has no b", l)
	}
	if fl.Activation == "" {
		return Layer{}, fmt.Errorf("model: layer %d has no activation", l)
	}
	return ly, nil
}
