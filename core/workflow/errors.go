package workflow

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Pos is a position in a workflow file: File as given to Parse or Load,
// 1-based Line and Col. An error that does not come from the file (an
// override given on the command line) has Line 0 and names its source in
// File, for example "--set knn.k=3".
type Pos struct {
	File      string
	Line, Col int
}

// String formats the position as file:line:col, file:line or file,
// depending on what is known.
func (p Pos) String() string {
	switch {
	case p.Line <= 0:
		return p.File
	case p.Col <= 0:
		return p.File + ":" + strconv.Itoa(p.Line)
	}
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Error is one problem found in a workflow, with its position and, when it
// concerns a step, the step's name (as written in the file).
type Error struct {
	Pos  Pos
	Step string // "" for a top-level problem
	Msg  string
	// Err is the underlying error when there is one (for example a
	// *plugin.UnknownPluginError or a *plugin.ParamError); Msg is then its
	// message, possibly with a prefix.
	Err error
}

// Error formats the problem as "file:line:col: step "x": message".
func (e *Error) Error() string {
	var b strings.Builder
	if s := e.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if e.Step != "" {
		fmt.Fprintf(&b, "step %q: ", e.Step)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error, if any.
func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem found in a workflow, in file order (problems
// of command-line overrides last, in the order given).
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the problems, so errors.As finds, for example, a
// *plugin.UnknownPluginError among them.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// collector accumulates problems.
type collector struct {
	list ErrorList
	seen map[string]bool
	// order ranks problems without a line (overrides) by their source.
	order map[string]int
}

func (c *collector) add(pos Pos, step string, err error) {
	c.push(&Error{Pos: pos, Step: step, Msg: err.Error(), Err: err})
}

func (c *collector) addf(pos Pos, step, format string, args ...any) {
	c.push(&Error{Pos: pos, Step: step, Msg: fmt.Sprintf(format, args...)})
}

func (c *collector) push(e *Error) {
	key := e.Error()
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if c.seen[key] { // the same problem reached twice (e.g. through several scan points)
		return
	}
	c.seen[key] = true
	c.list = append(c.list, e)
}

func (c *collector) ok() bool { return len(c.list) == 0 }

// err returns the sorted list, or nil when there is no problem.
func (c *collector) err() error {
	if len(c.list) == 0 {
		return nil
	}
	out := make(ErrorList, len(c.list))
	copy(out, c.list)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if (a.Line > 0) != (b.Line > 0) {
			return a.Line > 0 // file positions first
		}
		if a.Line == 0 {
			return c.order[a.File] < c.order[b.File] // overrides in the order given
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}
