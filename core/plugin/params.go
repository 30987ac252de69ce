package plugin

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Params holds validated, canonical parameter values keyed by name (see
// ParamType for the Go type of each kind of value). Plugins receive Params
// produced by Spec.Resolve, so the getters below may assume the name exists
// with the right type; they panic otherwise, which is a plugin bug.
type Params map[string]any

// Has reports whether the parameter has a value (set or defaulted).
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }

// Float returns a float parameter.
func (p Params) Float(name string) float64 { return mustGet[float64](p, name) }

// Int returns an int parameter.
func (p Params) Int(name string) int { return int(mustGet[int64](p, name)) }

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { return mustGet[bool](p, name) }

// String returns a string or path parameter.
func (p Params) String(name string) string { return mustGet[string](p, name) }

// Floats returns a float_list or grid parameter.
func (p Params) Floats(name string) []float64 { return mustGet[[]float64](p, name) }

// Ints returns an int_list parameter.
func (p Params) Ints(name string) []int64 { return mustGet[[]int64](p, name) }

// Strings returns a string_list parameter.
func (p Params) Strings(name string) []string { return mustGet[[]string](p, name) }

func mustGet[T any](p Params, name string) T {
	v, ok := p[name]
	if !ok {
		panic(fmt.Sprintf("plugin: parameter %q has no value (missing from the spec or without default)", name))
	}
	t, ok := v.(T)
	if !ok {
		var zero T
		panic(fmt.Sprintf("plugin: parameter %q is %T, not %T", name, v, zero))
	}
	return t
}

// JSON returns the canonical JSON encoding (keys sorted), used for cache
// keys and for the gRPC wire.
func (p Params) JSON() []byte {
	b, err := json.Marshal(map[string]any(p))
	if err != nil {
		panic(err)
	}
	return b
}

// DecodeParams decodes canonical JSON parameters and re-canonicalises them
// against spec (JSON loses the int/float distinction).
func DecodeParams(spec Spec, data []byte) (Params, error) {
	var raw map[string]any
	if len(data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("decode parameters: %w", err)
		}
	}
	return spec.Resolve(raw)
}
