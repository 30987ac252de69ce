package parallel

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestForEach(t *testing.T) {
	for _, tc := range []struct{ n, workers int }{{0, 0}, {1, 4}, {7, 1}, {1000, 3}, {1000, 0}} {
		t.Run(fmt.Sprintf("n=%d,workers=%d", tc.n, tc.workers), func(t *testing.T) {
			out := make([]int, tc.n)
			var states atomic.Int64
			err := ForEach(context.Background(), tc.n, tc.workers, func() *int { states.Add(1); return new(int) }, func(i int, s *int) {
				*s++
				out[i] = i * i
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range out {
				if v != i*i {
					t.Fatalf("slot %d = %d", i, v)
				}
			}
			if max := int64(max(tc.workers, 1)); tc.workers > 0 && states.Load() > max {
				t.Errorf("%d states for %d workers", states.Load(), tc.workers)
			}
		})
	}
}

func TestForEachCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var done atomic.Int64
	err := ForEach(ctx, 1000, 2, func() struct{} { return struct{}{} }, func(i int, _ struct{}) {
		if done.Add(1) == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || done.Load() >= 1000 {
		t.Fatalf("err %v after %d of 1000", err, done.Load())
	}
}

// Each goroutine gets its own scratch buffer; results land in their slot.
func ExampleForEach() {
	squares := make([]int, 5)
	_ = ForEach(context.Background(), len(squares), 2, func() []int { return make([]int, 1) }, func(i int, scratch []int) {
		scratch[0] = i * i
		squares[i] = scratch[0]
	})
	fmt.Println(squares)
	// Output: [0 1 4 9 16]
}
