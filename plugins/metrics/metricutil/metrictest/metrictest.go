// Package metrictest holds test helpers shared by the metric plugins'
// tests (plugins/metrics/*): preparing a plugin's Space from raw
// parameters and reading single distances, failing the test on any error.
// Not for production code.
package metrictest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// Prepare resolves params against spec, prepares m over jets and returns
// the space as the plugin's concrete type S, failing the test on error.
func Prepare[S plugin.Space](t testing.TB, m plugin.Metric, spec plugin.Spec, jets *jet.Jets, params map[string]any) S {
	t.Helper()
	p, err := spec.Resolve(params)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: p, Jets: jets})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := sp.(S)
	if !ok {
		t.Fatalf("Prepare returned a %T", sp)
	}
	return s
}

// Pair returns d(i, j) through one call of s.Pairs, failing the test on
// error.
func Pair(t testing.TB, s plugin.Space, i, j int) float64 {
	t.Helper()
	out := make([]float64, 1)
	if err := s.Pairs(context.Background(), []int32{int32(i)}, []int32{int32(j)}, out); err != nil {
		t.Fatal(err)
	}
	return out[0]
}

// CheckHostParams checks that m.Prepare accepts the host's metric
// parameters passed along with the plugin's own (own may be nil): they
// are ignored, not rejected (see metricutil.OwnParams).
func CheckHostParams(t testing.TB, m plugin.Metric, own plugin.Params) {
	t.Helper()
	js := &jet.Jets{}
	js.Append([]float64{10, 20}, []float64{0, 0.1}, []float64{0, 0}, []int32{211, 211}, jet.Quark, 1)
	params := plugin.Params{"matrix": "auto", "matrix_max_mb": int64(512), "pair_sample": int64(10)}
	for k, v := range own {
		params[k] = v
	}
	if _, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: params, Jets: js}); err != nil {
		t.Fatal(err)
	}
}

// PrepareCase is one expected failure of Prepare: the jets and raw
// parameters given, and a string the error must contain.
type PrepareCase struct {
	Name   string
	Jets   *jet.Jets
	Params map[string]any
	Want   string
}

// CheckPrepareErrors checks that m.Prepare fails for every case with an
// error containing its Want.
func CheckPrepareErrors(t testing.TB, m plugin.Metric, cases []PrepareCase) {
	t.Helper()
	for _, tc := range cases {
		_, err := m.Prepare(context.Background(), plugin.MetricRequest{Params: plugin.Params(tc.Params), Jets: tc.Jets})
		if err == nil || !strings.Contains(err.Error(), tc.Want) {
			t.Errorf("%s: err = %v, want %q", tc.Name, err, tc.Want)
		}
	}
}

// CheckSpaceArgs checks that a space of at least one jet rejects a row
// range beyond Len, an output of the wrong length and pair indices
// beyond Len or negative, and that Block returns context.Canceled for a
// cancelled context.
func CheckSpaceArgs(t testing.TB, s plugin.Space) {
	t.Helper()
	n := s.Len()
	ctx := context.Background()
	if err := s.Block(ctx, plugin.Range{Lo: 0, Hi: n + 1}, plugin.Range{Lo: 0, Hi: 1}, make([]float64, n+1)); err == nil {
		t.Error("row range beyond Len accepted")
	}
	if err := s.Block(ctx, plugin.Range{Lo: 0, Hi: 1}, plugin.Range{Lo: 0, Hi: 1}, make([]float64, 2)); err == nil {
		t.Error("wrong output length accepted")
	}
	if err := s.Pairs(ctx, []int32{0}, []int32{int32(n)}, make([]float64, 1)); err == nil {
		t.Error("pair index beyond Len accepted")
	}
	if err := s.Pairs(ctx, []int32{0}, []int32{-1}, make([]float64, 1)); err == nil {
		t.Error("negative pair index accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Block(cctx, plugin.Range{Lo: 0, Hi: 1}, plugin.Range{Lo: 0, Hi: 1}, make([]float64, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
}

// CheckInfo checks that m's Info passes Info.Check (failing the test at
// once otherwise) and that every parameter has a Doc, and returns the
// Info for the plugin's own checks (capabilities, version).
func CheckInfo(t testing.TB, m plugin.Metric) plugin.Info {
	t.Helper()
	info := m.Info()
	if err := info.Check(); err != nil {
		t.Fatal(err)
	}
	for _, p := range info.Params {
		if p.Doc == "" {
			t.Errorf("parameter %s has no doc", p.Name)
		}
	}
	return info
}
