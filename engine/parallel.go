package engine

import (
	"context"
	"runtime"

	"github.com/sourcegraph/conc/pool"
)

// ChunkRows is the number of rows in a chunk. It is a constant so that chunk
// boundaries, and hence the order in which floating-point partial results are
// added, never depend on the number of threads.
const ChunkRows = 16384

// Threads resolves a thread count: n itself if positive, otherwise the number
// of CPUs Go may use.
func Threads(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// NumChunks returns the number of chunks of ChunkRows rows that cover n rows.
func NumChunks(n int) int { return (n + ChunkRows - 1) / ChunkRows }

// ForChunks calls fn for every chunk [lo, hi) of n rows on at most threads
// goroutines (all CPUs when threads <= 0) and waits for them. Calls for
// different chunks may run at once and must not write shared state except
// through their own chunk index. Once ctx is done, chunks not yet started are
// skipped and ctx's error is returned. A panic in fn is raised again in the
// caller, as conc's pool does.
func ForChunks(ctx context.Context, threads, n int, fn func(chunk, lo, hi int)) error {
	return ForTasks(ctx, threads, NumChunks(n), func(c int) {
		fn(c, c*ChunkRows, min(n, (c+1)*ChunkRows))
	})
}

// ForTasks calls fn(i) for every task i in [0, n) on at most threads
// goroutines (all CPUs when threads <= 0) and waits for them, with the
// cancellation and panic rules of ForChunks. With one thread, or one task,
// it runs in the caller's goroutine.
func ForTasks(ctx context.Context, threads, n int, fn func(i int)) error {
	threads = min(Threads(threads), max(n, 1))
	if threads == 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			fn(i)
		}
		return ctx.Err()
	}
	p := pool.New().WithMaxGoroutines(threads)
	for i := range n {
		p.Go(func() {
			if ctx.Err() != nil {
				return
			}
			fn(i)
		})
	}
	p.Wait()
	return ctx.Err()
}

// SumChunks computes, for every chunk of n rows, a vector of m partial sums
// with fn (which adds into acc, zeroed beforehand), and returns their total.
// Partials are added in chunk order, so the result is the same, bit for bit,
// for any number of threads.
func SumChunks(ctx context.Context, threads, n, m int, fn func(lo, hi int, acc []float64)) ([]float64, error) {
	nc := NumChunks(n)
	partial := make([]float64, nc*m)
	err := ForChunks(ctx, threads, n, func(c, lo, hi int) {
		fn(lo, hi, partial[c*m:(c+1)*m])
	})
	if err != nil {
		return nil, err
	}
	total := make([]float64, m)
	for c := range nc {
		Add(total, partial[c*m:(c+1)*m])
	}
	return total, nil
}
