package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/smearflow/smearflow/core/plugin"
)

// File is a workflow file decoded without a plugin registry: its
// structure, with every value type-checked and positioned, but plugins,
// parameters and the step graph not yet checked (see Resolve).
type File struct {
	Path string // as given to Parse (used in error positions)
	Abs  string // absolute path
	Dir  string // absolute folder of the file; relative paths start here
	Hash string // hex sha256 of the file's bytes

	Name        string // `name`, or the file name without extension
	Description string
	Seed        int64  // `seed`, 0 when absent
	Output      string // absolute; default <Dir>/results/<Name>
	PluginDirs  []string
	Steps       []*StepDecl // in file order

	// Positions of top-level keys (zero when absent).
	NamePos, SeedPos, OutputPos, StepsPos Pos

	errs collector // structural problems, reported again by Resolve
}

// StepDecl is one step as written in the file.
type StepDecl struct {
	Name        string
	Pos         Pos // of the step's key
	Kind        plugin.Kind
	Plugin      string // plugin name
	PluginPos   Pos
	Inputs      []Ref
	InputPos    Pos // of the `input` key, zero when absent
	With        []ParamDecl
	Scan        []ScanDecl
	Export      bool
	Timeout     time.Duration // 0 = none
	Seed        int64
	SeedSet     bool // `seed` given on the step
	Compare     []Ref
	ComparePos  Pos
	Description string
}

// Ref is a name with the position where it is written (an input or a
// compared plugin).
type Ref struct {
	Name string
	Pos  Pos
}

// ParamDecl is one entry of a step's `with` block, as decoded from YAML
// (not yet checked against the plugin's spec).
type ParamDecl struct {
	Name   string
	KeyPos Pos
	Pos    Pos // of the value
	Value  any // nil, bool, int, float64, string, []any or map[string]any
	node   *yaml.Node
}

// ScanDecl is one scanned parameter: `scan: {param: [v1, v2, ...]}` or
// `scan: {param: {log: [start, stop, n]}}`.
type ScanDecl struct {
	Param  string
	KeyPos Pos
	Values []ScanValue
}

// ScanValue is one value of a scanned parameter.
type ScanValue struct {
	Value any
	Pos   Pos
	node  *yaml.Node // nil for values computed from a range or given by an override
}

// Top-level and step keys.
var (
	topKeys  = []string{"name", "description", "seed", "output", "plugin_dirs", "steps"}
	stepKeys = []string{"input", "with", "scan", "export", "timeout", "seed", "compare", "description"}
)

var (
	stepNameRE     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)
	workflowNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	yamlLineRE     = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// yamlParserProblems are the messages of yaml.v3's parser (as opposed to
// its scanner), whose line numbers it prints 0-based, with a note for the
// ones whose line is that of the enclosing collection.
var yamlParserProblems = map[string]string{
	"did not find expected key":              " (in the mapping that starts on this line)",
	"did not find expected '-' indicator":    " (in the list that starts on this line)",
	"did not find expected ',' or ']'":       " (in the [list] that starts on this line)",
	"did not find expected ',' or '}'":       " (in the {mapping} that starts on this line)",
	"did not find expected node content":     "",
	"did not find expected <document start>": "",
	"did not find expected <stream-start>":   "",
	"found duplicate %YAML directive":        "",
	"found duplicate %TAG directive":         "",
	"found incompatible YAML document":       "",
	"found undefined tag handle":             "",
}

// Load reads a workflow file, parses it and resolves it against the
// registry with the given command-line overrides (see Resolve). The
// error, if any, is an ErrorList holding every problem found.
func Load(path string, reg *plugin.Registry, overrides []string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(path, data)
	if f == nil {
		return nil, err
	}
	return f.Resolve(reg, overrides)
}

// ParseFile reads and parses a workflow file (see Parse).
func ParseFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes a workflow from data; file names it in error positions
// and locates it (relative paths in the workflow start from its folder).
// Only the structure is checked: keys, value types, step names, kinds.
//
// The error is an ErrorList of structural problems. The *File is nil only
// when data is not a usable YAML mapping; otherwise it holds everything
// that could be understood (so a runner can read PluginDirs, load external
// plugins, then call Resolve, which reports the structural problems again
// together with all the others).
func Parse(file string, data []byte) (*File, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	f := &File{Path: file, Abs: abs, Dir: filepath.Dir(abs), Hash: hex.EncodeToString(sum[:])}
	p := &parser{f: f, errs: &f.errs, data: data}

	root, ok := p.document(data)
	if !ok {
		return nil, f.errs.err()
	}
	p.top(root)
	return f, f.errs.err()
}

type parser struct {
	f    *File
	errs *collector
	data []byte
}

func (p *parser) pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: p.f.Path}
	}
	return Pos{File: p.f.Path, Line: n.Line, Col: n.Column}
}

// document decodes the single YAML document and returns its root mapping.
func (p *parser) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errs.addf(Pos{File: p.f.Path, Line: 1, Col: 1}, "", "empty workflow (want a mapping with name, seed, output and steps)")
		} else {
			p.yamlError(err)
		}
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		p.errs.addf(p.pos(&extra), "", "a second YAML document: a workflow file holds one")
	case !errors.Is(err, io.EOF):
		p.yamlError(err)
		return nil, false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = deref(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		p.errs.addf(p.pos(root), "", "a workflow is a mapping (name, seed, output, steps), got %s", describeNode(root))
		return nil, false
	}
	return root, true
}

// yamlError turns a yaml.v3 error ("yaml: line 3: ...") into a positioned one.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		problem := m[2]
		if ctx, isParser := yamlParserProblems[problem]; isParser {
			// yaml.v3 prints the 0-based line of a parser error's context
			// (the enclosing collection), or of the problem when the
			// context is on the first line.
			line++
			problem += ctx
		}
		p.errs.addf(Pos{File: p.f.Path, Line: line}, "", "invalid YAML: %s", problem)
		return
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := unknownAnchorRE.FindStringSubmatch(msg); m != nil {
		// yaml.v3 gives no position: find the first use of the alias.
		if pos, ok := findAlias(p.data, m[1]); ok {
			pos.File = p.f.Path
			p.errs.addf(pos, "", "invalid YAML: %s", msg)
			return
		}
	}
	// Without "line N", yaml.v3's scanner and parser were on the first line.
	p.errs.addf(Pos{File: p.f.Path, Line: 1}, "", "invalid YAML: %s", msg)
}

var unknownAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// findAlias returns the position of the first "*name" in data that is
// followed by a character that cannot continue an anchor name.
func findAlias(data []byte, name string) (Pos, bool) {
	for i, line := range strings.Split(string(data), "\n") {
		for from := 0; ; {
			j := strings.Index(line[from:], "*"+name)
			if j < 0 {
				break
			}
			end := from + j + 1 + len(name)
			if end == len(line) || strings.ContainsRune(" \t,]}\r#", rune(line[end])) {
				return Pos{Line: i + 1, Col: utf8.RuneCountInString(line[:from+j]) + 1}, true
			}
			from = end
		}
	}
	return Pos{}, false
}

func (p *parser) top(root *yaml.Node) {
	f := p.f
	var stepsNode *yaml.Node
	outputSet := false
	for _, e := range p.entries(root, "", "key") {
		k, v := e.key, e.val
		switch k.Value {
		case "name":
			f.NamePos = p.pos(v)
			if s, ok := p.str(v, "", "name"); ok {
				if !workflowNameRE.MatchString(s) {
					p.errs.addf(p.pos(v), "", "name %q: use letters, digits, '_', '-' and '.' only (it names the output folder)", s)
				}
				f.Name = s
			}
		case "description":
			f.Description, _ = p.str(v, "", "description")
		case "seed":
			f.SeedPos = p.pos(v)
			f.Seed, _ = p.int(v, "", "seed")
		case "output":
			f.OutputPos = p.pos(v)
			if s, ok := p.str(v, "", "output"); ok {
				if s == "" {
					p.errs.addf(p.pos(v), "", "output: want a folder, got an empty string")
				} else {
					f.Output = absPath(s, f.Dir)
					outputSet = true
				}
			}
		case "plugin_dirs":
			for _, r := range p.strList(v, "", "plugin_dirs") {
				d := absPath(r.Name, f.Dir)
				if st, err := os.Stat(d); err != nil || !st.IsDir() {
					p.errs.addf(r.Pos, "", "plugin_dirs: no folder %s", d)
					continue
				}
				f.PluginDirs = append(f.PluginDirs, d)
			}
		case "steps":
			f.StepsPos = p.pos(k)
			stepsNode = v
		default:
			p.errs.addf(p.pos(k), "", "unknown key %q%s", k.Value, suggestion(k.Value, topKeys))
		}
	}
	if f.Name == "" && f.NamePos.Line == 0 {
		base := filepath.Base(f.Abs)
		f.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	if !outputSet {
		f.Output = filepath.Join(f.Dir, "results", f.Name)
	}
	switch {
	case stepsNode == nil:
		p.errs.addf(Pos{File: f.Path, Line: root.Line, Col: root.Column}, "", "no steps (add a `steps:` mapping)")
	case isNull(stepsNode) || (stepsNode.Kind == yaml.MappingNode && len(stepsNode.Content) == 0):
		p.errs.addf(f.StepsPos, "", "steps: no steps")
	case stepsNode.Kind != yaml.MappingNode:
		p.errs.addf(p.pos(stepsNode), "", "steps: want a mapping from step name to step, got %s", describeNode(stepsNode))
	default:
		for _, e := range p.entries(stepsNode, "", "step") {
			if s := p.step(e.key, e.val); s != nil {
				f.Steps = append(f.Steps, s)
			}
		}
	}
}

// suggestion returns ` (did you mean "x"?)` or the list of known names.
func suggestion(name string, known []string) string {
	if s := plugin.Suggest(name, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

func kindNames() []string {
	out := make([]string, len(plugin.Kinds))
	for i, k := range plugin.Kinds {
		out[i] = string(k)
	}
	return out
}

func isKind(s string) bool {
	for _, k := range plugin.Kinds {
		if string(k) == s {
			return true
		}
	}
	return false
}

func (p *parser) step(k, v *yaml.Node) *StepDecl {
	name := k.Value
	s := &StepDecl{Name: name, Pos: p.pos(k)}
	if !stepNameRE.MatchString(name) {
		p.errs.addf(p.pos(k), name, "a step name uses letters, digits, '_' and '-' only")
	}
	if isNull(v) {
		p.errs.addf(p.pos(k), name, "empty step (want a mapping with a plugin kind: %s)", strings.Join(kindNames(), ", "))
		return s
	}
	if v.Kind != yaml.MappingNode {
		p.errs.addf(p.pos(v), name, "want a mapping with a plugin kind (%s), got %s", strings.Join(kindNames(), ", "), describeNode(v))
		return s
	}
	var kindKey *yaml.Node
	allKeys := append(kindNames(), stepKeys...)
	for _, e := range p.entries(v, name, "key") {
		key, val := e.key, e.val
		switch key.Value {
		case "input":
			s.InputPos = p.pos(key)
			s.Inputs = p.strList(val, name, "input")
		case "with":
			s.With = p.with(val, name)
		case "scan":
			s.Scan = p.scan(key, val, name)
		case "export":
			s.Export, _ = p.bool(val, name, "export")
		case "timeout":
			if str, ok := p.str(val, name, "timeout"); ok {
				d, err := time.ParseDuration(str)
				switch {
				case err != nil:
					p.errs.addf(p.pos(val), name, "timeout: want a duration such as 90s, 10m or 1h30m, got %q", str)
				case d <= 0:
					p.errs.addf(p.pos(val), name, "timeout: must be positive, got %s (leave it out for no timeout)", str)
				default:
					s.Timeout = d
				}
			}
		case "seed":
			s.Seed, s.SeedSet = p.int(val, name, "seed")
		case "compare":
			s.ComparePos = p.pos(key)
			s.Compare = p.strList(val, name, "compare")
		case "description":
			s.Description, _ = p.str(val, name, "description")
		default:
			if !isKind(key.Value) {
				p.errs.addf(p.pos(key), name, "unknown key %q%s", key.Value, suggestion(key.Value, allKeys))
				continue
			}
			if kindKey != nil {
				p.errs.addf(p.pos(key), name, "two plugin kinds, %s and %s: a step has exactly one", kindKey.Value, key.Value)
				continue
			}
			kindKey = key
			s.Kind = plugin.Kind(key.Value)
			s.PluginPos = p.pos(val)
			if str, ok := p.str(val, name, key.Value); ok {
				if str == "" {
					p.errs.addf(p.pos(val), name, "%s: want a plugin name, got an empty string", key.Value)
				}
				s.Plugin = str
			}
		}
	}
	if kindKey == nil {
		p.errs.addf(p.pos(k), name, "no plugin kind: give one of %s", strings.Join(kindNames(), ", "))
	}
	return s
}

func (p *parser) with(v *yaml.Node, step string) []ParamDecl {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.errs.addf(p.pos(v), step, "with: want a mapping of parameters, got %s", describeNode(v))
		return nil
	}
	var out []ParamDecl
	for _, e := range p.entries(v, step, "parameter") {
		val, err := nodeValue(e.val)
		if err != nil {
			p.errs.addf(p.pos(e.val), step, "parameter %q: %v", e.key.Value, err)
			continue
		}
		out = append(out, ParamDecl{Name: e.key.Value, KeyPos: p.pos(e.key), Pos: p.pos(e.val), Value: val, node: e.val})
	}
	return out
}

func (p *parser) scan(k, v *yaml.Node, step string) []ScanDecl {
	if v.Kind != yaml.MappingNode {
		p.errs.addf(p.pos(v), step, "scan: want a mapping from parameter to a list of values, got %s", describeNode(v))
		return nil
	}
	if len(v.Content) == 0 {
		p.errs.addf(p.pos(k), step, "scan: no parameters")
		return nil
	}
	var out []ScanDecl
	for _, e := range p.entries(v, step, "parameter") {
		d := ScanDecl{Param: e.key.Value, KeyPos: p.pos(e.key)}
		switch e.val.Kind {
		case yaml.SequenceNode:
			if len(e.val.Content) == 0 {
				p.errs.addf(p.pos(e.val), step, "scan of %q: no values", d.Param)
				continue
			}
			for _, it := range e.val.Content {
				it = deref(it)
				val, err := nodeValue(it)
				if err != nil {
					p.errs.addf(p.pos(it), step, "scan of %q: %v", d.Param, err)
					continue
				}
				d.Values = append(d.Values, ScanValue{Value: val, Pos: p.pos(it), node: it})
			}
		case yaml.MappingNode:
			raw, err := nodeValue(e.val)
			if err == nil {
				var g any
				g, err = plugin.ParamSpec{Name: d.Param, Type: plugin.TypeGrid}.Coerce(raw)
				if err == nil {
					for _, x := range g.([]float64) {
						d.Values = append(d.Values, ScanValue{Value: x, Pos: p.pos(e.val)})
					}
				}
			}
			if err != nil {
				p.errs.addf(p.pos(e.val), step, "scan of %q: %v", d.Param, err)
				continue
			}
		default:
			p.errs.addf(p.pos(e.val), step, "scan of %q: want a list of values or {log: [start, stop, n]} or {linear: [start, stop, n]}, got %s", d.Param, describeNode(e.val))
			continue
		}
		out = append(out, d)
	}
	return out
}

// str reads a string scalar.
func (p *parser) str(v *yaml.Node, step, key string) (string, bool) {
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		p.errs.addf(p.pos(v), step, "%s: want a string, got %s", key, describeNode(v))
		return "", false
	}
	return v.Value, true
}

// int reads an integer scalar.
func (p *parser) int(v *yaml.Node, step, key string) (int64, bool) {
	var x int64
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&x) != nil {
		p.errs.addf(p.pos(v), step, "%s: want an integer, got %s", key, describeNode(v))
		return 0, false
	}
	return x, true
}

// bool reads a bool scalar.
func (p *parser) bool(v *yaml.Node, step, key string) (bool, bool) {
	var x bool
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!bool" || v.Decode(&x) != nil {
		p.errs.addf(p.pos(v), step, "%s: want true or false, got %s", key, describeNode(v))
		return false, false
	}
	return x, true
}

// strList reads a string or a list of strings.
func (p *parser) strList(v *yaml.Node, step, key string) []Ref {
	if isNull(v) {
		return nil
	}
	if v.Kind == yaml.ScalarNode {
		if s, ok := p.str(v, step, key); ok {
			return []Ref{{s, p.pos(v)}}
		}
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errs.addf(p.pos(v), step, "%s: want a name or a list of names, got %s", key, describeNode(v))
		return nil
	}
	var out []Ref
	for _, it := range v.Content {
		it = deref(it)
		if s, ok := p.str(it, step, key); ok {
			out = append(out, Ref{s, p.pos(it)})
		}
	}
	return out
}

// absPath expands a leading ~ and makes p absolute relative to base.
func absPath(p, base string) string {
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator)) {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p)
}
