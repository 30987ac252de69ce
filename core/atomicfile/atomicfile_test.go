package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "out.txt")
	if err := WriteBytes(p, []byte("first")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "first" {
		t.Fatalf("failed write changed the file to %q", b)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Fatalf("temporary files left behind: %v", ents)
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "art")
	for _, content := range []string{"a", "b"} {
		if err := Dir(dst, func(tmp string) error {
			return os.WriteFile(filepath.Join(tmp, "x"), []byte(content), 0o644)
		}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dst, "x"))
		if string(b) != content {
			t.Fatalf("got %q want %q", b, content)
		}
	}
	if err := Dir(dst, func(tmp string) error { return errors.New("fail") }); err == nil {
		t.Fatal("want error")
	}
	b, _ := os.ReadFile(filepath.Join(dst, "x"))
	if string(b) != "b" {
		t.Fatalf("failed Dir replaced content: %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Fatalf("leftovers: %v", ents)
	}
}

// A panicking fill leaves no temporary file or folder behind (the engine
// recovers panics of a step and carries on).
func TestPanicLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	mustPanic := func(f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		f()
	}
	mustPanic(func() { Write(filepath.Join(dir, "f"), func(io.Writer) error { panic("boom") }) })
	mustPanic(func() { Dir(filepath.Join(dir, "d"), func(string) error { panic("boom") }) })
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("leftovers: %v", ents)
	}
}

// A leftover of a replacement that crashed half-way does not block the
// next replacement of the same folder.
func TestDirIgnoresOldLeftovers(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "art")
	fill := func(tmp string) error { return os.WriteFile(filepath.Join(tmp, "x"), []byte("new"), 0o644) }
	if err := Dir(dst, fill); err != nil {
		t.Fatal(err)
	}
	stale := dst + fmt.Sprintf(".old-%d", os.Getpid())
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "x"), []byte("stale"), 0o644)
	if err := Dir(dst, fill); err != nil {
		t.Fatalf("replacement blocked by a leftover: %v", err)
	}
}
