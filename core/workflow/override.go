package workflow

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/smearflow/smearflow/core/plugin"
)

// Override is one command-line setting, `--set STEP.PARAM=VALUE` or
// `--set KEY=VALUE` for a top-level key (seed, output).
type Override struct {
	Step  string // "" for a top-level key
	Key   string // parameter name, or top-level key
	Value string // as given
}

// String returns the override as written after --set.
func (o Override) String() string {
	if o.Step == "" {
		return o.Key + "=" + o.Value
	}
	return o.Step + "." + o.Key + "=" + o.Value
}

// overridableTop lists the top-level keys --set accepts.
var overridableTop = []string{"seed", "output"}

// ParseOverride parses "STEP.PARAM=VALUE" or "KEY=VALUE" (seed, output).
// Only the syntax is checked here; Resolve checks the step, the parameter
// and the value.
func ParseOverride(s string) (Override, error) {
	key, val, ok := strings.Cut(s, "=")
	if !ok {
		return Override{}, fmt.Errorf("want STEP.PARAM=VALUE or seed=N or output=DIR")
	}
	key = strings.TrimSpace(key)
	if at := strings.IndexByte(key, '@'); at >= 0 {
		return Override{}, fmt.Errorf("set parameters of the step as written in the file (%q), not of one scan point", key[:at])
	}
	step, param, dotted := strings.Cut(key, ".")
	if !dotted {
		if key == "" {
			return Override{}, fmt.Errorf("no key before '='")
		}
		for _, k := range overridableTop {
			if key == k {
				return Override{Key: key, Value: val}, nil
			}
		}
		return Override{}, fmt.Errorf("%q cannot be set%s; top-level keys that can: %s; a step parameter is STEP.PARAM",
			key, didYouMean(key, overridableTop), strings.Join(overridableTop, ", "))
	}
	if step == "" || param == "" || strings.Contains(param, ".") {
		return Override{}, fmt.Errorf("want STEP.PARAM=VALUE, got key %q", key)
	}
	return Override{Step: step, Key: param, Value: val}, nil
}

func didYouMean(name string, known []string) string {
	if s := plugin.Suggest(name, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// overrideValue turns the text of an override into a raw value for
// plugin.ParamSpec.Coerce: strings stay as given (Coerce parses numbers,
// bools and comma-separated lists from strings), other text is read as
// YAML so that flow syntax works ([1, 2], {log: [1e-3, 0.3, 25]}, 1e3).
func overrideValue(text string, ps plugin.ParamSpec) any {
	if ps.Type == plugin.TypeString || ps.Type == plugin.TypePath {
		return text
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil || len(n.Content) != 1 {
		return text
	}
	root := deref(n.Content[0])
	if ps.Type == plugin.TypeStringList && root.Kind != yaml.SequenceNode {
		return text
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!str" {
		return text
	}
	v, err := nodeValue(root)
	if err != nil {
		return text
	}
	return v
}

// overrideScanValues reads the value of an override of a scanned
// parameter: a YAML list gives several points, anything else one.
func overrideScanValues(text string, ps plugin.ParamSpec) []any {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err == nil && len(n.Content) == 1 {
		if root := deref(n.Content[0]); root.Kind == yaml.SequenceNode {
			if v, err := nodeValue(root); err == nil {
				return v.([]any)
			}
		}
	}
	return []any{overrideValue(text, ps)}
}
