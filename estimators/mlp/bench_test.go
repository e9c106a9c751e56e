package mlp

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// BenchmarkEpoch trains one epoch of a [64, 64] ReLU network with Adam on
// 28 float32 features, batch 256 (rows from QUIVER_BENCH_ROWS, default
// 100,000), the shape of the benchmark in benchmarks/.
func BenchmarkEpoch(b *testing.B) {
	threads := 2
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_THREADS")); err == nil {
		threads = s
	}
	n := 100000
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_ROWS")); err == nil {
		n = s
	}
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 0, 29)
	cols := make([]arrow.Array, 0, 29)
	y := make([]bool, n)
	x := make([][]float32, 28)
	for j := range x {
		x[j] = make([]float32, n)
		for i := range x[j] {
			x[j][i] = float32(rng.NormFloat64())
		}
	}
	for i := range y {
		y[i] = x[0][i]+x[1][i]*x[2][i] > 0
	}
	for j := range x {
		bld := array.NewFloat32Builder(memory.DefaultAllocator)
		bld.AppendValues(x[j], nil)
		names, cols = append(names, "x"+strconv.Itoa(j)), append(cols, bld.NewArray())
		bld.Release()
	}
	yb := array.NewBooleanBuilder(memory.DefaultAllocator)
	yb.AppendValues(y, nil)
	names, cols = append(names, "y"), append(cols, yb.NewArray())
	f, err := engine.NewFrame(names, cols)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Release()
	params, err := Space().Validate(map[string]any{"hidden_layers": "[64, 64]", "batch_size": 256, "max_iter": 1,
		"l2": 0.0, "n_threads": threads})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := (Learner{}).Fit(context.Background(), f, estimators.Spec{Target: "y"}, params); err != nil {
			b.Fatal(err)
		}
	}
}
