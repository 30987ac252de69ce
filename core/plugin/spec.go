package plugin

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// ParamType is the type of a plugin parameter.
type ParamType string

// Parameter types. Values are canonicalised to the Go type given in the
// comment, both when a workflow is decoded and when parameters cross the
// gRPC boundary (as JSON).
const (
	TypeInt        ParamType = "int"         // int64
	TypeFloat      ParamType = "float"       // float64
	TypeBool       ParamType = "bool"        // bool
	TypeString     ParamType = "string"      // string (Enum restricts it)
	TypePath       ParamType = "path"        // string; a file or glob, resolved against the workflow's folder
	TypeIntList    ParamType = "int_list"    // []int64
	TypeFloatList  ParamType = "float_list"  // []float64
	TypeStringList ParamType = "string_list" // []string
	// TypeGrid is a list of floats given either literally ([0.01, 0.02]) or
	// as a range: {log: [start, stop, n]} (numpy.geomspace) or
	// {linear: [start, stop, n]} (numpy.linspace). Canonical form []float64.
	TypeGrid ParamType = "grid"
)

// ParamSpec describes one parameter of a plugin.
type ParamSpec struct {
	Name     string
	Type     ParamType
	Default  any // canonical Go value; nil means no default
	Required bool
	Unit     string   // physical unit ("GeV", "rad") or ""
	Doc      string   // one or two sentences
	Min, Max *float64 // inclusive bounds for numbers and list elements
	Enum     []string // allowed values of a string (or string list)
}

// Bound returns a pointer to v, for ParamSpec.Min and Max.
func Bound(v float64) *float64 { return &v }

// Spec is the parameter specification of a plugin.
type Spec []ParamSpec

// Lookup returns the parameter with the given name.
func (s Spec) Lookup(name string) (ParamSpec, bool) {
	for _, p := range s {
		if p.Name == name {
			return p, true
		}
	}
	return ParamSpec{}, false
}

// Names lists the parameter names in spec order.
func (s Spec) Names() []string {
	out := make([]string, len(s))
	for i, p := range s {
		out[i] = p.Name
	}
	return out
}

// ParamError is a problem with one parameter value.
type ParamError struct {
	Param string
	Msg   string
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %q: %s", e.Param, e.Msg) }

// Resolve checks raw values (as decoded from YAML or JSON: numbers,
// strings, bools, lists and maps) against the spec, fills defaults and
// returns canonical Params. Unknown names are errors that suggest the
// closest known name. The first error found is returned as a *ParamError.
func (s Spec) Resolve(raw map[string]any) (Params, error) {
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	sort.Strings(names)
	out := Params{}
	for _, k := range names {
		p, ok := s.Lookup(k)
		if !ok {
			return nil, &ParamError{Param: k, Msg: "unknown parameter" + s.suggest(k)}
		}
		v, err := p.Coerce(raw[k])
		if err != nil {
			return nil, &ParamError{Param: k, Msg: err.Error()}
		}
		out[k] = v
	}
	for _, p := range s {
		if _, ok := out[p.Name]; ok {
			continue
		}
		if p.Required {
			return nil, &ParamError{Param: p.Name, Msg: "is required" + p.describeType()}
		}
		if p.Default != nil {
			v, err := p.Coerce(p.Default)
			if err != nil {
				return nil, &ParamError{Param: p.Name, Msg: "bad default in plugin spec: " + err.Error()}
			}
			out[p.Name] = v
		}
	}
	return out, nil
}

// suggest returns ` (did you mean "x"?)` for the closest known name, or a
// list of the known names.
func (s Spec) suggest(name string) string {
	best, bestD := "", 1<<30
	for _, p := range s {
		if d := editDistance(strings.ToLower(name), strings.ToLower(p.Name)); d < bestD {
			best, bestD = p.Name, d
		}
	}
	if best != "" && bestD <= 1+len(name)/3 {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(s) == 0 {
		return " (this plugin takes no parameters)"
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(s.Names(), ", "))
}

// Suggest returns the closest of candidates to name within a small edit
// distance, or "".
func Suggest(name string, candidates []string) string {
	best, bestD := "", 1<<30
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= 1+len(name)/3 {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func (p ParamSpec) describeType() string {
	return fmt.Sprintf(" (type %s)", p.Type)
}

// Coerce converts one raw value to the canonical Go value of the
// parameter's type and checks range and enum. Strings are accepted for
// every scalar type (as given on a command line with --set).
func (p ParamSpec) Coerce(v any) (any, error) {
	switch p.Type {
	case TypeInt:
		x, err := toInt(v)
		if err != nil {
			return nil, err
		}
		return x, p.checkRange(float64(x))
	case TypeFloat:
		x, err := toFloat(v)
		if err != nil {
			return nil, err
		}
		return x, p.checkRange(x)
	case TypeBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case string:
			x, err := strconv.ParseBool(b)
			if err != nil {
				return nil, fmt.Errorf("want a bool (true or false), got %q", b)
			}
			return x, nil
		}
		return nil, fmt.Errorf("want a bool (true or false), got %s", describe(v))
	case TypeString, TypePath:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %s", describe(v))
		}
		return s, p.checkEnum(s)
	case TypeIntList:
		items, err := toList(v)
		if err != nil {
			return nil, err
		}
		out := make([]int64, len(items))
		for i, it := range items {
			x, err := toInt(it)
			if err != nil {
				return nil, fmt.Errorf("element %d: %v", i, err)
			}
			if err := p.checkRange(float64(x)); err != nil {
				return nil, fmt.Errorf("element %d: %v", i, err)
			}
			out[i] = x
		}
		return out, nil
	case TypeFloatList:
		items, err := toList(v)
		if err != nil {
			return nil, err
		}
		return p.floatList(items)
	case TypeStringList:
		items, err := toList(v)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				return nil, fmt.Errorf("element %d: want a string, got %s", i, describe(it))
			}
			if err := p.checkEnum(s); err != nil {
				return nil, fmt.Errorf("element %d: %v", i, err)
			}
			out[i] = s
		}
		return out, nil
	case TypeGrid:
		if m, ok := v.(map[string]any); ok {
			g, err := gridFromMap(m)
			if err != nil {
				return nil, err
			}
			for i, x := range g {
				if err := p.checkRange(x); err != nil {
					return nil, fmt.Errorf("grid point %d: %v", i, err)
				}
			}
			return g, nil
		}
		items, err := toList(v)
		if err != nil {
			return nil, fmt.Errorf("want a list of numbers or {log: [start, stop, n]} or {linear: [start, stop, n]}, got %s", describe(v))
		}
		return p.floatList(items)
	}
	return nil, fmt.Errorf("plugin spec has unknown type %q", p.Type)
}

func (p ParamSpec) floatList(items []any) ([]float64, error) {
	out := make([]float64, len(items))
	for i, it := range items {
		x, err := toFloat(it)
		if err != nil {
			return nil, fmt.Errorf("element %d: %v", i, err)
		}
		if err := p.checkRange(x); err != nil {
			return nil, fmt.Errorf("element %d: %v", i, err)
		}
		out[i] = x
	}
	return out, nil
}

func (p ParamSpec) checkRange(x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("value %v is not a finite number", x)
	}
	if p.Min != nil && x < *p.Min {
		return fmt.Errorf("value %v is below the minimum %v", x, *p.Min)
	}
	if p.Max != nil && x > *p.Max {
		return fmt.Errorf("value %v is above the maximum %v", x, *p.Max)
	}
	return nil
}

func (p ParamSpec) checkEnum(s string) error {
	if len(p.Enum) == 0 {
		return nil
	}
	for _, e := range p.Enum {
		if s == e {
			return nil
		}
	}
	return fmt.Errorf("value %q is not one of %s", s, strings.Join(p.Enum, ", "))
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the bool %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		return toFloat(string(x))
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, fmt.Errorf("want a number, got %q", x)
		}
		return f, nil
	}
	return 0, fmt.Errorf("want a number, got %s", describe(v))
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		return toInt(string(x))
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("integer %d is too large", x)
		}
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("want an integer, got %v", x)
		}
		return int64(x), nil
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("want an integer, got %q", x)
		}
		return i, nil
	}
	return 0, fmt.Errorf("want an integer, got %s", describe(v))
}

func toList(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case []float64:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []int64:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []int:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i := range x {
			out[i] = x[i]
		}
		return out, nil
	case string:
		// Comma-separated, as given with --set.
		parts := strings.Split(x, ",")
		out := make([]any, 0, len(parts))
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a list, got %s", describe(v))
}

// Geomspace returns n points from start to stop spaced evenly on a log
// scale, with the endpoints exact (numpy.geomspace).
func Geomspace(start, stop float64, n int) []float64 {
	if n <= 0 {
		return nil
	}
	out := make([]float64, n)
	if n == 1 {
		out[0] = start
		return out
	}
	ls, le := math.Log10(start), math.Log10(stop)
	step := (le - ls) / float64(n-1)
	for i := range out {
		out[i] = math.Pow(10, ls+float64(i)*step)
	}
	out[0], out[n-1] = start, stop
	return out
}

// Linspace returns n evenly spaced points from start to stop inclusive
// (numpy.linspace).
func Linspace(start, stop float64, n int) []float64 {
	if n <= 0 {
		return nil
	}
	out := make([]float64, n)
	if n == 1 {
		out[0] = start
		return out
	}
	step := (stop - start) / float64(n-1)
	for i := range out {
		out[i] = start + float64(i)*step
	}
	out[n-1] = stop
	return out
}

func gridFromMap(m map[string]any) ([]float64, error) {
	if len(m) != 1 {
		return nil, fmt.Errorf("a grid range has exactly one key, log or linear")
	}
	for k, v := range m {
		items, err := toList(v)
		if err != nil || len(items) != 3 {
			return nil, fmt.Errorf("%s: want [start, stop, n]", k)
		}
		a, err1 := toFloat(items[0])
		b, err2 := toFloat(items[1])
		n, err3 := toInt(items[2])
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("%s: want [start, stop, n] with numbers and an integer n", k)
		}
		if n < 1 || n > 100000 {
			return nil, fmt.Errorf("%s: n = %d must be between 1 and 100000", k, n)
		}
		switch k {
		case "log":
			if a <= 0 || b <= 0 {
				return nil, fmt.Errorf("log: start and stop must be positive, got %v and %v", a, b)
			}
			return Geomspace(a, b, int(n)), nil
		case "linear":
			return Linspace(a, b, int(n)), nil
		default:
			return nil, fmt.Errorf("unknown grid range %q (want log or linear)", k)
		}
	}
	return nil, nil
}
