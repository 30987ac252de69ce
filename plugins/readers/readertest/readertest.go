// Package readertest holds test helpers shared by the reader plugins'
// tests (plugins/readers/*): checking a reader's Info and running a
// reader to completion. Not for production code.
package readertest

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// CheckInfo checks the Info of reader r: Info.Check passes, Kind is
// plugin.KindReader, Name is name and Version "0.1.0" (failing the test
// at once otherwise), and every parameter has a Doc.
func CheckInfo(t testing.TB, r plugin.Reader, name string) plugin.Info {
	t.Helper()
	info := r.Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	if info.Kind != plugin.KindReader || info.Name != name || info.Version != "0.1.0" {
		t.Fatalf("info %+v", info)
	}
	for _, p := range info.Params {
		if p.Doc == "" {
			t.Errorf("parameter %s has no doc", p.Name)
		}
	}
	return info
}

// Read resolves raw against r's parameter spec, runs r.Read with the
// seed and batch size and returns the concatenation of the emitted
// batches with the error of Read (or of the resolution). Every check is
// called with every emitted batch, in order, before it is appended.
func Read(t testing.TB, r plugin.Reader, raw map[string]any, seed int64, batch int, checks ...func(*jet.Jets)) (*jet.Jets, error) {
	t.Helper()
	p, err := r.Info().Params.Resolve(raw)
	if err != nil {
		return nil, err
	}
	out := &jet.Jets{}
	err = r.Read(context.Background(), plugin.ReadRequest{Params: p, Seed: seed, BatchSize: batch}, func(b *jet.Jets) error {
		for _, c := range checks {
			c(b)
		}
		out.Concat(b)
		return nil
	})
	return out, err
}

// BatchSize returns a check for Read that fails the test when a batch is
// empty or holds more than batch jets (def when batch <= 0, the reader's
// default batch size).
func BatchSize(t testing.TB, batch, def int) func(*jet.Jets) {
	limit := batch
	if limit <= 0 {
		limit = def
	}
	return func(b *jet.Jets) {
		if b.Len() == 0 || b.Len() > limit {
			t.Fatalf("emitted a batch of %d jets (batch size %d)", b.Len(), limit)
		}
	}
}

// Validates is a check for Read that reports (without stopping the test)
// a batch that does not pass jet.Jets.Validate.
func Validates(t testing.TB) func(*jet.Jets) {
	return func(b *jet.Jets) {
		if err := b.Validate(); err != nil {
			t.Errorf("emitted batch does not validate: %v", err)
		}
	}
}

// CheckError fails the test when a read that should fail (returning got
// and err) succeeded, and reports every string of want that err does not
// mention. The error is logged.
func CheckError(t testing.TB, got *jet.Jets, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, %d jets", got.Len())
	}
	t.Log(err)
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// BenchRead benchmarks reading the file at path with r (default
// parameters, batches of 1000 jets), checking that it yields want jets,
// and reports jets/s.
func BenchRead(b *testing.B, r plugin.Reader, path string, want int) {
	p, _ := r.Info().Params.Resolve(map[string]any{"path": path})
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if err := r.Read(context.Background(), plugin.ReadRequest{Params: p, BatchSize: 1000}, func(j *jet.Jets) error {
			n += j.Len()
			return nil
		}); err != nil || n != want {
			b.Fatal(err, n)
		}
	}
	b.ReportMetric(float64(want*b.N)/b.Elapsed().Seconds(), "jets/s")
}

// Gzip returns data gzip-compressed (default level).
func Gzip(data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data) // writes to a bytes.Buffer do not fail
	zw.Close()
	return buf.Bytes()
}

// GzipCopy writes a gzip-compressed copy of the file src to dst.
func GzipCopy(t testing.TB, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, Gzip(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
