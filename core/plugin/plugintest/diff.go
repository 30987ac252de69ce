package plugintest

import (
	"fmt"
	"math"
	"reflect"
	"sort"
)

// Diff compares two values bit for bit and returns "" when they are
// identical, or a description of the first difference with its path (for
// example "Scores[3]: 0.5 (0x3fe0000000000000) vs 0.5000000000000001
// (0x3fe0000000000001)"). Floats are compared by their IEEE-754 bits, so
// NaNs with the same payload are equal and 0 differs from -0. A nil slice
// or map equals an empty one (the wire does not tell them apart); a nil
// pointer does not equal a pointer to a zero value. Unexported struct
// fields are compared too; functions and channels only by nil-ness.
func Diff(a, b any) string {
	return diff(reflect.ValueOf(a), reflect.ValueOf(b), "value")
}

func diff(a, b reflect.Value, path string) string {
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() != b.IsValid() {
			return fmt.Sprintf("%s: %s vs %s", path, describe(a), describe(b))
		}
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %s vs %s", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if math.Float64bits(x) != math.Float64bits(y) {
			return fmt.Sprintf("%s: %v (%#016x) vs %v (%#016x)", path, x, math.Float64bits(x), y, math.Float64bits(y))
		}
	case reflect.Complex64, reflect.Complex128:
		x, y := a.Complex(), b.Complex()
		if math.Float64bits(real(x)) != math.Float64bits(real(y)) || math.Float64bits(imag(x)) != math.Float64bits(imag(y)) {
			return fmt.Sprintf("%s: %v vs %v", path, x, y)
		}
	case reflect.Bool:
		if a.Bool() != b.Bool() {
			return fmt.Sprintf("%s: %v vs %v", path, a.Bool(), b.Bool())
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if a.Int() != b.Int() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Int(), b.Int())
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if a.Uint() != b.Uint() {
			return fmt.Sprintf("%s: %d vs %d", path, a.Uint(), b.Uint())
		}
	case reflect.String:
		if a.String() != b.String() {
			return fmt.Sprintf("%s: %q vs %q", path, clip(a.String()), clip(b.String()))
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: length %d vs %d", path, a.Len(), b.Len())
		}
		if d := fastFloats(a, b, path); d != "?" {
			return d
		}
		for i := 0; i < a.Len(); i++ {
			if d := diff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d entries vs %d (keys %v vs %v)", path, a.Len(), b.Len(), keys(a), keys(b))
		}
		for _, k := range sortedKeys(a) {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s[%v]: present vs missing", path, k)
			}
			if d := diff(a.MapIndex(k), bv, fmt.Sprintf("%s[%v]", path, k)); d != "" {
				return d
			}
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Sprintf("%s: %s vs %s", path, describe(a), describe(b))
			}
			return ""
		}
		if a.Kind() == reflect.Pointer && a.Pointer() == b.Pointer() {
			return ""
		}
		return diff(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := diff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: %s vs %s", path, describe(a), describe(b))
		}
	}
	return ""
}

// fastFloats compares []float64 without reflection per element; it
// returns "?" for other types.
func fastFloats(a, b reflect.Value, path string) string {
	if a.Kind() != reflect.Slice || a.Type().Elem().Kind() != reflect.Float64 || !a.CanInterface() {
		return "?"
	}
	x, ok1 := a.Interface().([]float64)
	y, ok2 := b.Interface().([]float64)
	if !ok1 || !ok2 {
		return "?"
	}
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return fmt.Sprintf("%s[%d]: %v (%#016x) vs %v (%#016x)", path, i, x[i], math.Float64bits(x[i]), y[i], math.Float64bits(y[i]))
		}
	}
	return ""
}

func describe(v reflect.Value) string {
	if !v.IsValid() {
		return "nil"
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if v.IsNil() {
			return "nil " + v.Type().String()
		}
		return "non-nil " + v.Type().String()
	}
	return v.Type().String()
}

func sortedKeys(m reflect.Value) []reflect.Value {
	ks := m.MapKeys()
	sort.Slice(ks, func(i, j int) bool { return fmt.Sprint(ks[i]) < fmt.Sprint(ks[j]) })
	return ks
}

func keys(m reflect.Value) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, fmt.Sprint(k))
	}
	return out
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
