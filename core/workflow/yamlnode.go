package workflow

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// deref follows aliases to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// entry is one key/value pair of a mapping.
type entry struct {
	key, val *yaml.Node
}

// entries lists the pairs of a mapping node in order, following aliases
// and merge keys ("<<: *anchor"; explicit keys win over merged ones) and
// reporting duplicate keys, which YAML forbids. noun names a key in
// messages ("key", "step", "parameter").
func (p *parser) entries(m *yaml.Node, step, noun string) []entry {
	var out []entry
	first := map[string]*yaml.Node{}
	var merged []entry
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, p.mergeEntries(v, step)...)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			p.errs.addf(p.pos(k), step, "a %s must be a plain name, got %s", noun, describeNode(k))
			continue
		}
		if prev, dup := first[k.Value]; dup {
			p.errs.addf(p.pos(k), step, "duplicate %s %q (first at line %d)", noun, k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		out = append(out, entry{k, v})
	}
	for _, e := range merged {
		if _, dup := first[e.key.Value]; dup {
			continue
		}
		first[e.key.Value] = e.key
		out = append(out, e)
	}
	return out
}

func (p *parser) mergeEntries(v *yaml.Node, step string) []entry {
	switch v.Kind {
	case yaml.MappingNode:
		return p.entries(v, step, "key")
	case yaml.SequenceNode:
		var out []entry
		for _, it := range v.Content {
			it = deref(it)
			if it.Kind != yaml.MappingNode {
				p.errs.addf(p.pos(it), step, "<< merges mappings, got %s", describeNode(it))
				continue
			}
			out = append(out, p.entries(it, step, "key")...)
		}
		return out
	}
	p.errs.addf(p.pos(v), step, "<< merges mappings, got %s", describeNode(v))
	return nil
}

// describeNode says what a node holds, for messages.
func describeNode(n *yaml.Node) string {
	n = deref(n)
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!str":
			return strconv.Quote(n.Value)
		case "!!bool":
			return "the bool " + n.Value
		case "!!int", "!!float":
			return "the number " + n.Value
		}
		return n.ShortTag() + " " + strconv.Quote(n.Value)
	}
	return "an unexpected YAML node"
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// nodeValue converts a node to the plain Go value plugin.ParamSpec.Coerce
// expects: nil, bool, int/int64/uint64, float64, string, []any or
// map[string]any. Mapping keys are taken as strings.
func nodeValue(n *yaml.Node) (any, error) {
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, fmt.Errorf("cannot read %s: %v", describeNode(n), err)
			}
			return v, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := deref(n.Content[i])
			if _, dup := out[k.Value]; dup {
				return nil, fmt.Errorf("duplicate key %q", k.Value)
			}
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			out[k.Value] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected YAML node")
}

// elementNode returns the node an "element N: ..." message from
// plugin.ParamSpec.Coerce points at, or n itself.
func elementNode(n *yaml.Node, msg string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.SequenceNode || !strings.HasPrefix(msg, "element ") {
		return n
	}
	rest := strings.TrimPrefix(msg, "element ")
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return n
	}
	k, err := strconv.Atoi(rest[:i])
	if err != nil || k < 0 || k >= len(n.Content) {
		return n
	}
	return deref(n.Content[k])
}
