package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/quiver-ml/quiver/engine"
)

func TestThreads(t *testing.T) {
	if got := engine.Threads(3); got != 3 {
		t.Errorf("Threads(3) = %d", got)
	}
	for _, n := range []int{0, -1} {
		if got := engine.Threads(n); got != runtime.GOMAXPROCS(0) {
			t.Errorf("Threads(%d) = %d, want GOMAXPROCS %d", n, got, runtime.GOMAXPROCS(0))
		}
	}
}

func TestNumChunks(t *testing.T) {
	c := engine.ChunkRows
	for n, want := range map[int]int{0: 0, 1: 1, c - 1: 1, c: 1, c + 1: 2, 5*c + 3: 6} {
		if got := engine.NumChunks(n); got != want {
			t.Errorf("NumChunks(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestForChunksCoversEveryRowOnce(t *testing.T) {
	c := engine.ChunkRows
	for _, n := range []int{0, 1, c - 1, c, 5*c + 3} {
		for _, threads := range []int{1, 2, 7, 0} {
			t.Run(fmt.Sprintf("n=%d/threads=%d", n, threads), func(t *testing.T) {
				seen := make([]atomic.Int32, n)
				chunks := make([]atomic.Int32, engine.NumChunks(n))
				err := engine.ForChunks(context.Background(), threads, n, func(chunk, lo, hi int) {
					chunks[chunk].Add(1)
					if lo != chunk*c || hi != min(n, lo+c) || lo >= hi {
						t.Errorf("chunk %d is [%d, %d)", chunk, lo, hi)
					}
					for i := lo; i < hi; i++ {
						seen[i].Add(1)
					}
				})
				if err != nil {
					t.Fatal(err)
				}
				for i := range seen {
					if k := seen[i].Load(); k != 1 {
						t.Fatalf("row %d visited %d times", i, k)
					}
				}
				for i := range chunks {
					if k := chunks[i].Load(); k != 1 {
						t.Fatalf("chunk %d visited %d times", i, k)
					}
				}
			})
		}
	}
}

// orderSensitive returns n values of wildly different magnitudes, whose
// floating-point sum depends on the order of the additions.
func orderSensitive(n int) []float64 {
	rng := rand.New(rand.NewPCG(7, 11))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(24)-12))
	}
	return x
}

func TestSumChunksIsDeterministic(t *testing.T) {
	n := 9*engine.ChunkRows + 1234
	x := orderSensitive(n)
	var forward, backward float64
	for i := range x {
		forward += x[i]
		backward += x[n-1-i]
	}
	if forward == backward {
		t.Fatal("test data does not depend on the order of addition")
	}
	// Reference: each chunk summed in row order, chunks added in chunk order.
	want := make([]float64, 2)
	for lo := 0; lo < n; lo += engine.ChunkRows {
		var s, s2 float64
		for _, v := range x[lo:min(n, lo+engine.ChunkRows)] {
			s += v
			s2 += v * v
		}
		want[0] += s
		want[1] += s2
	}
	sum := func(lo, hi int, acc []float64) {
		for _, v := range x[lo:hi] {
			acc[0] += v
			acc[1] += v * v
		}
	}
	for _, threads := range []int{1, 2, 7} {
		for range 3 {
			got, err := engine.SumChunks(context.Background(), threads, n, 2, sum)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want {
				if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
					t.Fatalf("threads=%d: sum %d = %v, want %v bit for bit", threads, j, got[j], want[j])
				}
			}
		}
	}
}

func TestSumChunksEmpty(t *testing.T) {
	got, err := engine.SumChunks(context.Background(), 4, 0, 3, func(lo, hi int, acc []float64) {
		t.Error("fn called for no rows")
	})
	if err != nil || len(got) != 3 || got[0] != 0 || got[1] != 0 || got[2] != 0 {
		t.Errorf("SumChunks of no rows = %v, %v", got, err)
	}
}

func TestForChunksPanicReachesCaller(t *testing.T) {
	for _, threads := range []int{1, 4} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("the panic was swallowed")
				}
				if !strings.Contains(fmt.Sprint(r), "boom in chunk 3") {
					t.Errorf("recovered %v, want the panic of fn", r)
				}
			}()
			_ = engine.ForChunks(context.Background(), threads, 6*engine.ChunkRows, func(c, lo, hi int) {
				if c == 3 {
					panic(fmt.Sprintf("boom in chunk %d", c))
				}
			})
			t.Error("ForChunks returned after a panic")
		})
	}
}

func TestForChunksCancelled(t *testing.T) {
	n := 8 * engine.ChunkRows
	for _, threads := range []int{1, 4} {
		t.Run(fmt.Sprintf("threads=%d/before", threads), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var calls atomic.Int32
			err := engine.ForChunks(ctx, threads, n, func(c, lo, hi int) { calls.Add(1) })
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if calls.Load() != 0 {
				t.Errorf("fn ran %d times after cancellation", calls.Load())
			}
			sums, err := engine.SumChunks(ctx, threads, n, 1, func(lo, hi int, acc []float64) {})
			if sums != nil || !errors.Is(err, context.Canceled) {
				t.Errorf("SumChunks = %v, %v, want nil, context.Canceled", sums, err)
			}
			if engine.KindOf(err) != engine.KindCancelled {
				t.Errorf("KindOf(%v) = %s", err, engine.KindOf(err))
			}
		})
		t.Run(fmt.Sprintf("threads=%d/during", threads), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var calls atomic.Int32
			err := engine.ForChunks(ctx, threads, n, func(c, lo, hi int) {
				calls.Add(1)
				cancel()
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if k := calls.Load(); k == 0 || k > int32(threads) {
				t.Errorf("fn ran %d times; chunks not started before cancellation should be skipped", k)
			}
		})
	}
}

func BenchmarkSumChunks(b *testing.B) {
	n := 1 << 20
	x := orderSensitive(n)
	sum := func(lo, hi int, acc []float64) { acc[0] += engine.Sum(x[lo:hi]) }
	for _, threads := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				if _, err := engine.SumChunks(context.Background(), threads, n, 1, sum); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
