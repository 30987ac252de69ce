package metricutil

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/smearflow/smearflow/core/jet"
	"github.com/smearflow/smearflow/core/plugin"
)

// toyDist is a symmetric distance that is cheap to check: |i - j| + i*j/100.
func toyDist(i, j int) float64 { return math.Abs(float64(i-j)) + float64(i*j)/100 }

func TestSymmetricBlock(t *testing.T) {
	const n = 23
	for _, tc := range []struct {
		name       string
		rows, cols plugin.Range
		chunk      int
	}{
		{"diagonal tile", plugin.Range{Lo: 3, Hi: 17}, plugin.Range{Lo: 3, Hi: 17}, 0},
		{"diagonal tile, chunked", plugin.Range{Lo: 3, Hi: 17}, plugin.Range{Lo: 3, Hi: 17}, 4},
		{"straddling", plugin.Range{Lo: 0, Hi: 10}, plugin.Range{Lo: 5, Hi: 23}, 3},
		{"straddling, rows after columns", plugin.Range{Lo: 8, Hi: 23}, plugin.Range{Lo: 0, Hi: 12}, 0},
		{"disjoint", plugin.Range{Lo: 0, Hi: 5}, plugin.Range{Lo: 10, Hi: 20}, 16},
		{"empty rows", plugin.Range{Lo: 4, Hi: 4}, plugin.Range{Lo: 0, Hi: 5}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := make([]float64, tc.rows.Len()*tc.cols.Len())
			if err := CheckBlock("toy", n, tc.rows, tc.cols, out); err != nil {
				t.Fatal(err)
			}
			calls := map[[2]int]int{}
			err := SymmetricBlock(context.Background(), tc.rows, tc.cols, out, tc.chunk, func(i, j int) (float64, error) {
				calls[[2]int{min(i, j), max(i, j)}]++
				return toyDist(i, j), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := tc.rows.Lo; i < tc.rows.Hi; i++ {
				for j := tc.cols.Lo; j < tc.cols.Hi; j++ {
					if got, want := out[(i-tc.rows.Lo)*tc.cols.Len()+j-tc.cols.Lo], toyDist(i, j); got != want {
						t.Errorf("d(%d, %d) = %v, want %v", i, j, got, want)
					}
				}
			}
			for p, c := range calls {
				if c != 1 {
					t.Errorf("pair %v evaluated %d times, want once", p, c)
				}
			}
		})
	}
}

func TestSymmetricBlockErrors(t *testing.T) {
	r := plugin.Range{Lo: 0, Hi: 4}
	out := make([]float64, 16)
	bad := errors.New("bad pair")
	err := SymmetricBlock(context.Background(), r, r, out, 0, func(i, j int) (float64, error) {
		if i == 1 && j == 2 {
			return 0, bad
		}
		return 1, nil
	})
	if !errors.Is(err, bad) {
		t.Errorf("dist error: got %v, want %v", err, bad)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = SymmetricBlock(ctx, r, r, out, 0, func(i, j int) (float64, error) { return 1, nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestFillPairs(t *testing.T) {
	i, j := []int32{0, 5, 3, 3}, []int32{1, 2, 3, 7}
	for _, every := range []int{0, 1, 3, 64} {
		out := make([]float64, len(i))
		if err := FillPairs(context.Background(), i, j, out, every, func(a, b int) (float64, error) { return toyDist(a, b), nil }); err != nil {
			t.Fatal(err)
		}
		for k := range i {
			if want := toyDist(int(i[k]), int(j[k])); out[k] != want {
				t.Errorf("every %d: pair %d = %v, want %v", every, k, out[k], want)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := FillPairs(ctx, i, j, make([]float64, 4), 64, func(a, b int) (float64, error) { return 0, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
	bad := errors.New("bad pair")
	if err := FillPairs(context.Background(), i, j, make([]float64, 4), 1, func(a, b int) (float64, error) { return 0, bad }); !errors.Is(err, bad) {
		t.Errorf("dist error: got %v", err)
	}
}

func TestChecks(t *testing.T) {
	good := &jet.Jets{}
	good.Append([]float64{10}, []float64{0}, []float64{0}, nil, jet.Quark, 1)
	empty := &jet.Jets{Offsets: []int{0, 0}, Label: []int8{0}, Weight: []float64{1}}
	r := func(lo, hi int) plugin.Range { return plugin.Range{Lo: lo, Hi: hi} }
	for _, tc := range []struct {
		name string
		err  error
		want string // "" means no error
	}{
		{"block ok", CheckBlock("toy", 5, r(0, 2), r(1, 5), make([]float64, 8)), ""},
		{"block row range", CheckBlock("toy", 5, r(-1, 2), r(1, 5), nil), "toy: row range [-1, 2) is outside [0, 5)"},
		{"block column range", CheckBlock("toy", 5, r(0, 2), r(3, 6), nil), "toy: column range [3, 6) is outside [0, 5)"},
		{"block reversed range", CheckBlock("toy", 5, r(3, 2), r(0, 1), nil), "toy: row range [3, 2) is outside [0, 5)"},
		{"block output", CheckBlock("toy", 5, r(0, 2), r(1, 5), make([]float64, 7)), "toy: output has 7 values for a 2×4 tile"},
		{"pairs ok", CheckPairs("toy", 5, []int32{0, 4}, []int32{4, 0}, make([]float64, 2)), ""},
		{"pairs lengths", CheckPairs("toy", 5, []int32{0}, []int32{1, 2}, make([]float64, 1)), "toy: Pairs got 1 rows, 2 columns and 1 outputs"},
		{"pairs range", CheckPairs("toy", 5, []int32{0, 1}, []int32{1, 5}, make([]float64, 2)), "toy: pair 1 (1, 5) is outside [0, 5)"},
		{"pairs negative", CheckPairs("toy", 5, []int32{-1}, []int32{1}, make([]float64, 1)), "toy: pair 0 (-1, 1) is outside [0, 5)"},
		{"jets ok", CheckJets("toy", good), ""},
		{"no jets", CheckJets("toy", nil), "toy: no jets"},
		{"empty jet", CheckJets("toy", empty), "toy: jet 0: jet has no particles"},
	} {
		if tc.want == "" {
			if tc.err != nil {
				t.Errorf("%s: unexpected error %v", tc.name, tc.err)
			}
		} else if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}

func TestOwnParams(t *testing.T) {
	host := plugin.KindSpecs[plugin.KindMetric].HostParams
	if len(host) == 0 {
		t.Skip("the metric kind declares no host parameters")
	}
	p := plugin.Params{"beta": 1.0, host[0].Name: "x"}
	got := OwnParams(p)
	if _, ok := got[host[0].Name]; ok || len(got) != 1 || got["beta"] != 1.0 {
		t.Errorf("OwnParams(%v) = %v, want only beta", p, got)
	}
}

// ExampleSymmetricBlock fills a 3×3 diagonal tile from a symmetric
// distance; d(1, 0), d(2, 0) and d(2, 1) are mirrored, not evaluated.
func ExampleSymmetricBlock() {
	r := plugin.Range{Lo: 0, Hi: 3}
	out := make([]float64, 9)
	calls := 0
	err := SymmetricBlock(context.Background(), r, r, out, 0, func(i, j int) (float64, error) {
		calls++
		return math.Abs(float64(i - j)), nil
	})
	fmt.Println(out, calls, err)
	// Output: [0 1 2 1 0 1 2 1 0] 6 <nil>
}
