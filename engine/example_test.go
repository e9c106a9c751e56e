package engine_test

import (
	"context"
	"fmt"

	"github.com/quiver-ml/quiver/engine"
)

// ForChunks splits rows into chunks of engine.ChunkRows whatever the number
// of threads; each call writes only to its own rows.
func ExampleForChunks() {
	n := 2*engine.ChunkRows + 10
	squares := make([]float64, n)
	err := engine.ForChunks(context.Background(), 4, n, func(chunk, lo, hi int) {
		for i := lo; i < hi; i++ {
			squares[i] = float64(i) * float64(i)
		}
	})
	fmt.Println(engine.NumChunks(n), "chunks, error:", err)
	fmt.Println(squares[3], squares[n-1] == float64(n-1)*float64(n-1))
	// Output:
	// 3 chunks, error: <nil>
	// 9 true
}

// SumChunks computes several sums in one pass over the rows: here the count,
// the sum and the sum of squares, from which the mean and variance follow.
// The result is the same, bit for bit, on 1 thread or many.
func ExampleSumChunks() {
	x := make([]float64, 100_000)
	for i := range x {
		x[i] = float64(i%10) / 2
	}
	sums, err := engine.SumChunks(context.Background(), 0, len(x), 3, func(lo, hi int, acc []float64) {
		for _, v := range x[lo:hi] {
			acc[0]++
			acc[1] += v
			acc[2] += v * v
		}
	})
	if err != nil {
		panic(err)
	}
	mean := sums[1] / sums[0]
	fmt.Printf("n=%.0f mean=%.2f variance=%.2f\n", sums[0], mean, sums[2]/sums[0]-mean*mean)
	// Output:
	// n=100000 mean=2.25 variance=2.06
}
