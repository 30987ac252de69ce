// Package progress shows the progress of workflow steps: a redrawn bar
// line on a terminal, plain timestamped lines otherwise (CI logs, files).
package progress

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Sink renders progress of concurrently running steps. It is safe for
// concurrent use.
type Sink struct {
	w        io.Writer
	tty      bool
	interval time.Duration // minimum time between plain lines per step
	now      func() time.Time

	mu     sync.Mutex
	active map[string]*state
	drawn  bool // a bar line is on screen (tty)
	last   time.Time
	width  int // terminal columns; 0 = unknown (bar line not truncated)
}

type state struct {
	start       time.Time
	done, total int64
	msg         string
	lastLine    time.Time
}

// New returns a sink writing to w; tty selects the redrawn bar. Plain
// lines for one step are printed at most every interval (0 = 5s).
func New(w io.Writer, tty bool, interval time.Duration) *Sink {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	return &Sink{w: w, tty: tty, interval: interval, now: time.Now, active: map[string]*state{}}
}

// SetWidth sets the terminal width in columns. The bar line is cut to fit
// it: a wrapped line could not be redrawn in place.
func (s *Sink) SetWidth(cols int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.width = cols
}

// Write prints p as permanent lines (for example plugin log output sharing
// the terminal), clearing and then redrawing the bar around them so the two
// never mix on one line. It is safe for concurrent use.
func (s *Sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.printLocked(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// Start announces a step.
func (s *Sink) Start(step, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active[step] = &state{start: s.now(), lastLine: s.now()}
	s.printLocked(fmt.Sprintf("▶ %s: %s", step, what))
}

// Update records progress of a step: done of total units (total <= 0 when
// unknown) with an optional message.
func (s *Sink) Update(step string, done, total int64, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.active[step]
	if !ok {
		return
	}
	st.done, st.total = done, total
	if msg != "" {
		st.msg = msg
	}
	now := s.now()
	if s.tty {
		if now.Sub(s.last) >= 100*time.Millisecond || (total > 0 && done >= total) {
			s.drawLocked()
			s.last = now
		}
		return
	}
	if now.Sub(st.lastLine) >= s.interval {
		st.lastLine = now
		fmt.Fprintf(s.w, "  %s: %s\n", step, describe(st, now))
	}
}

// Func returns a callback for plugin.WithProgress bound to step.
func (s *Sink) Func(step string) func(done, total int64, msg string) {
	return func(done, total int64, msg string) { s.Update(step, done, total, msg) }
}

// Finish ends a step with a one-line outcome (e.g. "done in 3.2s", "cached").
func (s *Sink) Finish(step, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.active, step)
	s.printLocked(fmt.Sprintf("✔ %s: %s", step, outcome))
}

// Fail ends a step with an error.
func (s *Sink) Fail(step string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.active, step)
	s.printLocked(fmt.Sprintf("✘ %s: %v", step, err))
}

// Printf prints a permanent line.
func (s *Sink) Printf(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.printLocked(fmt.Sprintf(format, args...))
}

func (s *Sink) printLocked(line string) {
	if s.tty && s.drawn {
		fmt.Fprint(s.w, "\r\033[K")
		s.drawn = false
	}
	fmt.Fprintln(s.w, line)
	if s.tty && len(s.active) > 0 {
		s.drawLocked()
	}
}

func (s *Sink) drawLocked() {
	names := make([]string, 0, len(s.active))
	for n := range s.active {
		names = append(names, n)
	}
	sort.Strings(names)
	now := s.now()
	parts := make([]string, len(names))
	for i, n := range names {
		st := s.active[n]
		parts[i] = n + " " + bar(st, now)
	}
	line := strings.Join(parts, " │ ")
	if r := []rune(line); s.width > 1 && len(r) > s.width-1 {
		line = string(r[:s.width-2]) + "…"
	}
	fmt.Fprint(s.w, "\r\033[K"+line)
	s.drawn = true
}

func bar(st *state, now time.Time) string {
	el := now.Sub(st.start).Round(100 * time.Millisecond)
	if st.total <= 0 {
		if st.done > 0 {
			return fmt.Sprintf("%d %s %s", st.done, st.msg, el)
		}
		return fmt.Sprintf("%s %s", st.msg, el)
	}
	const width = 20
	f := float64(st.done) / float64(st.total)
	if f > 1 {
		f = 1
	}
	n := int(f * width)
	eta := ""
	if f > 0 && f < 1 {
		eta = " ETA " + time.Duration(float64(now.Sub(st.start))*(1-f)/f).Round(time.Second).String()
	}
	return fmt.Sprintf("[%s%s] %3.0f%% %s%s", strings.Repeat("█", n), strings.Repeat("░", width-n), 100*f, el, eta)
}

func describe(st *state, now time.Time) string {
	el := now.Sub(st.start).Round(100 * time.Millisecond)
	msg := ""
	if st.msg != "" {
		msg = " " + st.msg
	}
	if st.total <= 0 {
		return fmt.Sprintf("%d done after %s%s", st.done, el, msg)
	}
	return fmt.Sprintf("%.0f%% (%d/%d) after %s%s", 100*float64(st.done)/float64(st.total), st.done, st.total, el, msg)
}
