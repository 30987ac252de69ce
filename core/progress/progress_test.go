package progress

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestPlainLines(t *testing.T) {
	var b bytes.Buffer
	s := New(&b, false, time.Second)
	clock := time.Unix(0, 0)
	s.now = func() time.Time { return clock }
	s.Start("smeared", "ball on 4000 jets")
	s.Update("smeared", 1, 10, "")
	clock = clock.Add(2 * time.Second)
	s.Update("smeared", 5, 10, "tiles")
	s.Finish("smeared", "done in 2s")
	s.Start("fit", "weibull")
	s.Fail("fit", errors.New("too few points"))
	got := b.String()
	for _, want := range []string{"▶ smeared: ball on 4000 jets", "smeared: 50% (5/10) after 2s tiles", "✔ smeared: done in 2s", "✘ fit: too few points"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "10%") {
		t.Errorf("printed a line before the interval passed:\n%s", got)
	}
	if strings.Contains(got, "\033") {
		t.Errorf("escape codes in plain mode")
	}
}

func TestTTYBar(t *testing.T) {
	var b bytes.Buffer
	s := New(&b, true, 0)
	s.Start("distances", "semd")
	s.Update("distances", 10, 10, "")
	if !strings.Contains(b.String(), "100%") || !strings.Contains(b.String(), "\r\033[K") {
		t.Fatalf("no bar drawn: %q", b.String())
	}
}

// The bar line never exceeds the terminal width (a wrapped line cannot be
// redrawn in place), and text written through the sink gets lines of its
// own instead of landing after the bar.
func TestTTYWidthAndWrites(t *testing.T) {
	var b bytes.Buffer
	s := New(&b, true, 0)
	s.SetWidth(40)
	s.Start("knn@k=3", "smearer knn")
	s.Start("knn@k=5", "smearer knn")
	s.Update("knn@k=3", 5, 10, "")
	fmt.Fprintf(s, "plugin: a log line\n")
	out := b.String()
	for _, seg := range strings.Split(out, "\r\033[K") {
		for _, line := range strings.Split(seg, "\n") {
			if n := utf8.RuneCountInString(line); n > 39 {
				t.Errorf("line of %d columns on a 40-column terminal: %q", n, line)
			}
		}
	}
	if !strings.Contains(out, "\r\033[Kplugin: a log line\n") {
		t.Errorf("log line not printed on a cleared line of its own: %q", out)
	}
}
