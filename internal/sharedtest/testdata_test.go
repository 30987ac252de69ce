package sharedtest

import "testing"

func TestSmallSample(t *testing.T) {
	js := SmallSample(t)
	if js.Len() != 500 {
		t.Fatalf("got %d jets, want 500", js.Len())
	}
	q, g := js.CountLabels()
	if q != 247 || g != 253 {
		t.Fatalf("got %d quark and %d gluon jets, want 247 and 253", q, g)
	}
	if js.NumParticles() != 21605 {
		t.Fatalf("got %d particles, want 21605", js.NumParticles())
	}
}
