package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/smearflow/smearflow/internal/sharedtest"
)

// docs/plugins is generated from the plugins' specs; it must be current.
// Regenerate with: go run ./cmd/runner plugins docs docs/plugins
func TestPluginDocsCurrent(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "plugins", "docs", dir); code != 0 {
		t.Fatalf("plugins docs: %s", stderr)
	}
	committed := filepath.Join(sharedtest.Root(), "docs", "plugins")
	gen, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	have, _ := filepath.Glob(filepath.Join(committed, "*.md"))
	if len(gen) != len(have) {
		t.Fatalf("docs/plugins has %d pages, the plugins give %d: run `go run ./cmd/runner plugins docs docs/plugins`", len(have), len(gen))
	}
	for _, g := range gen {
		want, _ := os.ReadFile(g)
		got, err := os.ReadFile(filepath.Join(committed, filepath.Base(g)))
		if err != nil || string(got) != string(want) {
			t.Errorf("docs/plugins/%s is stale: run `go run ./cmd/runner plugins docs docs/plugins`", filepath.Base(g))
		}
	}
}
