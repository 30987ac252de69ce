package engine

import "math"

// jsonSafe returns v with every non-finite float replaced by a JSON-safe
// value: NaN becomes null, ±Inf the strings "inf" and "-inf" (the same
// spelling as the CSV files).
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		return safeFloat(x)
	case []float64:
		out := make([]any, len(x))
		for i, f := range x {
			out[i] = safeFloat(f)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	}
	return v
}

func safeFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return nil
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return f
}
