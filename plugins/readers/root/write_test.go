package root

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
	"github.com/smearflow/smearflow/internal/sharedtest"
)

// WriteFile then Read gives back the small sample bit for bit (float64
// branches; the reader keeps the pt order of the sample).
func TestWriteFileRoundTrip(t *testing.T) {
	js := sharedtest.SmallSample(t).Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	path := filepath.Join(t.TempDir(), "jets.root")
	if err := WriteFile(path, "", js); err != nil {
		t.Fatal(err)
	}
	params, err := Spec().Resolve(map[string]any{"path": path, "y_branch": "y", "pid_branch": "pid", "weight_branch": "weight"})
	if err != nil {
		t.Fatal(err)
	}
	got := &jet.Jets{}
	if err := New().Read(context.Background(), plugin.ReadRequest{Params: params}, func(b *jet.Jets) error { got.Concat(b); return nil }); err != nil {
		t.Fatal(err)
	}
	if got.Len() != js.Len() {
		t.Fatalf("%d jets, want %d", got.Len(), js.Len())
	}
	for i := range js.Pt {
		if got.Pt[i] != js.Pt[i] || got.Y[i] != js.Y[i] || got.Phi[i] != js.Phi[i] || got.PID[i] != js.PID[i] {
			t.Fatalf("particle %d differs", i)
		}
	}
	for i := range js.Label {
		if got.Label[i] != js.Label[i] || got.Weight[i] != js.Weight[i] {
			t.Fatalf("jet %d label/weight differ", i)
		}
	}
}
