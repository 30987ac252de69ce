package nn_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/nn"
	"github.com/smearflow/smearflow/core/nn/nntest"
)

func TestMarshalRoundTrip(t *testing.T) {
	n, _ := gradNet(t, 11)
	n.Description = "round trip"
	n.Training = &nn.TrainingInfo{Seed: 4, Epochs: 10, EpochsRun: 7, BestEpoch: 3, BestValLoss: 0.5, BestValAUC: 0.75}
	b, err := nn.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(n, m) {
		t.Errorf("round trip changed the network:\n%+v\n%+v", n, m)
	}
	b2, _ := nn.Marshal(m)
	if !bytes.Equal(b, b2) {
		t.Error("marshalling twice gives different bytes")
	}
	// The documented layout: W rows are inputs, routed features by name.
	var doc struct {
		Format  string
		Version int
		Layers  []struct {
			Inputs []string
			W      [][]float64
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Format != "smearflow-mlp" || doc.Version != 1 {
		t.Errorf("format %q version %d", doc.Format, doc.Version)
	}
	if got := doc.Layers[2].Inputs; !reflect.DeepEqual(got, []string{"mass", "n_const"}) {
		t.Errorf("head layer routes %v, want the expert features", got)
	}
	if len(doc.Layers[2].W) != 4+2 || len(doc.Layers[2].W[0]) != 3 {
		t.Errorf("head W is %d×%d, want 6×3", len(doc.Layers[2].W), len(doc.Layers[2].W[0]))
	}
}

// TestReferenceModelRoundTrip: mlp.json loads with the adapter and
// survives conversion to the smearflow format unchanged.
func TestReferenceModelRoundTrip(t *testing.T) {
	ref := nntest.Load(t)
	b, err := nn.Marshal(ref.Net)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range ref.Inputs {
		if a, b := ref.Net.Logit(x), m.Logit(x); a != b || math.Abs(a-ref.Logit[i]) > 1e-14 {
			t.Errorf("input %d: logits %v and %v, reference %v", i, a, b, ref.Logit[i])
		}
	}
	if ref.Net.Arch.Variant != "custom" || len(ref.Net.Layers[0].Inputs) != 6 {
		t.Errorf("adapter: variant %q, first layer routes %v", ref.Net.Arch.Variant, ref.Net.Layers[0].Inputs)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	n, _ := gradNet(t, 1)
	good, err := nn.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(from, to string) []byte {
		if !bytes.Contains(good, []byte(from)) {
			t.Fatalf("%q not in the model file", from)
		}
		return bytes.Replace(good, []byte(from), []byte(to), 1)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "model:"},
		{"not json", []byte("{\n \"format\": ,"), "line 2"},
		{"wrong format", edit(`"format": "smearflow-mlp"`, `"format": "keras"`), `format "keras"`},
		{"wrong version", edit(`"version": 1`, `"version": 2`), "version 2"},
		{"unknown field", edit(`"version": 1`, `"version": 1, "extra": 3`), `unknown field "extra"`},
		{"unknown routed feature", edit(`"mass",`+"\n", `"massx",`+"\n"), `layer 2 routes unknown feature "mass"`},
		{"string weight", edit(`"W": [`, `"W": "x", "Q": [`), "W"},
		{"zero std", mutate(t, good, func(m map[string]any) { m["features"].([]any)[3].(map[string]any)["std"] = 0 }), `feature "mass": standard deviation 0`},
		{"short bias", mutate(t, good, func(m map[string]any) {
			l := m["layers"].([]any)[1].(map[string]any)
			l["b"] = l["b"].([]any)[:1]
		}), "layer 1: b has 1 entries, want 4"},
		{"reference: bad sizes", []byte(`{"sizes": [2, 1, 1], "layers": [{"W": [[1], [2]], "b": [0], "activation": "linear"}]}`), "3 sizes for 1 layers"},
		{"reference: ragged W", []byte(`{"sizes": [2, 1], "layers": [{"W": [[1], [2, 3]], "b": [0], "activation": "linear"}]}`), "W row 1 has 2 entries"},
		{"reference: relu output", []byte(`{"sizes": [2, 1], "layers": [{"W": [[1], [2]], "b": [0], "activation": "relu"}]}`), "last layer must have 1 linear output"},
		{"reference: nan", []byte(`{"sizes": [2, 1], "layers": [{"W": [[1], [NaN]], "b": [0], "activation": "linear"}]}`), "invalid character"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := nn.Unmarshal(c.data)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// mutate decodes a model file, applies f and encodes it again.
func mutate(t *testing.T, data []byte, f func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
