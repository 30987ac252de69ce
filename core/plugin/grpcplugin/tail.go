package grpcplugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// tailWriter keeps the last lines written to it (a plugin's stderr), for
// crash reports. hclog JSON lines are rendered as "[LEVEL] message k=v".
// The first "panic:" or "fatal error:" line is kept even when it scrolled
// out of the tail, since it says why the process died.
type tailWriter struct {
	mu      sync.Mutex
	max     int
	lines   []string
	partial []byte
	cause   string // first panic/fatal line seen
	dropped bool   // cause scrolled out of lines
}

const maxLineBytes = 4096

func newTailWriter(maxLines int) *tailWriter { return &tailWriter{max: maxLines} }

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			break
		}
		t.add(string(t.partial[:i]))
		t.partial = t.partial[i+1:]
	}
	if len(t.partial) > maxLineBytes {
		t.add(string(t.partial))
		t.partial = t.partial[:0]
	}
	return len(p), nil
}

func (t *tailWriter) add(line string) {
	line = strings.TrimRight(line, "\r")
	if len(line) > maxLineBytes {
		line = line[:maxLineBytes] + " ..."
	}
	line = renderLogLine(line)
	if t.cause == "" && (strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ")) {
		t.cause = line
	}
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		if t.lines[0] == t.cause {
			t.dropped = true
		}
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// String returns the kept lines, oldest first.
func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	if t.dropped {
		b.WriteString(t.cause + "\n...\n")
	}
	for _, l := range t.lines {
		b.WriteString(l + "\n")
	}
	if len(t.partial) > 0 {
		b.WriteString(renderLogLine(string(t.partial)) + "\n")
	}
	return b.String()
}

// renderLogLine turns an hclog JSON line into "[LEVEL] message k=v ...";
// other lines are returned unchanged.
func renderLogLine(line string) string {
	if !strings.HasPrefix(line, "{") {
		return line
	}
	var m map[string]any
	if json.Unmarshal([]byte(line), &m) != nil {
		return line
	}
	msg, ok := m["@message"].(string)
	if !ok {
		return line
	}
	level, _ := m["@level"].(string)
	out := fmt.Sprintf("[%s] %s", strings.ToUpper(level), msg)
	keys := make([]string, 0, len(m))
	for k := range m {
		if !strings.HasPrefix(k, "@") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out += fmt.Sprintf(" %s=%v", k, m[k])
	}
	return out
}
