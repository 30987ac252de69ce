// Package parallel runs independent, index-addressed work on a pool of
// goroutines, each with its own scratch state.
package parallel

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// ForEach calls do(i, state) for every i in [0, n) on up to workers
// goroutines (<= 0: GOMAXPROCS), each goroutine with its own state from
// newState (scratch space). Indices are handed out in increasing order;
// once ctx is cancelled no new index is started, and ctx.Err() is returned
// after every goroutine has finished. Results written by do to slot i of a
// shared slice do not depend on the number of workers.
func ForEach[S any](ctx context.Context, n, workers int, newState func() S, do func(i int, state S)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			state := newState()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				do(i, state)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}
