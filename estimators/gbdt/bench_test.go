package gbdt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/quiver-ml/quiver/estimators"
)

// BenchmarkFitDense fits 255-leaf trees on dense synthetic data, the shape
// of the dense benchmark in benchmarks/ (rows from QUIVER_BENCH_ROWS,
// default 100,000).
func BenchmarkFitDense(b *testing.B) {
	n := 100000
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_ROWS")); err == nil {
		n = s
	}
	f := syntheticFrame(b, n, 28, 1)
	params := map[string]any{"objective": "log_loss", "max_iter": 20, "num_leaves": 255, "n_threads": 2}
	b.ResetTimer()
	for range b.N {
		fitModel(b, f, estimators.Spec{Target: "y"}, params)
	}
}

// BenchmarkFitCategorical fits 255-leaf trees on an airline-shaped frame:
// two string features of 250 categories, three small ones and two numeric
// features (rows from QUIVER_BENCH_ROWS, default 100,000).
func BenchmarkFitCategorical(b *testing.B) {
	n := 100000
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_ROWS")); err == nil {
		n = s
	}
	rng := rand.New(rand.NewPCG(7, 8))
	levels := func(k int) []string {
		out := make([]string, k)
		for i := range out {
			out[i] = fmt.Sprintf("c%03d", i)
		}
		return out
	}
	cardinality := []int{250, 250, 20, 12, 7}
	effects := make([][]float64, len(cardinality))
	cols := make([][]string, len(cardinality))
	names := make([][]string, len(cardinality))
	for j, k := range cardinality {
		names[j] = levels(k)
		effects[j] = make([]float64, k)
		for c := range effects[j] {
			effects[j][c] = rng.NormFloat64() * 0.5
		}
		cols[j] = make([]string, n)
	}
	hour, dist, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		z := -1.3
		for j, k := range cardinality {
			c := rng.IntN(k)
			cols[j][i] = names[j][c]
			z += effects[j][c]
		}
		hour[i] = float64(rng.IntN(24))
		dist[i] = rng.ExpFloat64() * 800
		z += 0.05*(hour[i]-12) + 0.0003*dist[i]
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	columns := []string{"origin", "dest", "carrier", "month", "dow", "hour", "distance", "y"}
	arrays := []arrow.Array{strs(cols[0]), strs(cols[1]), strs(cols[2]), strs(cols[3]), strs(cols[4]),
		floats(hour, false), floats(dist, false), floats(y, false)}
	f := frame(b, columns, arrays...)
	params := map[string]any{"objective": "log_loss", "max_iter": 20, "num_leaves": 255, "n_threads": 2}
	b.ResetTimer()
	for range b.N {
		fitModel(b, f, estimators.Spec{Target: "y"}, params)
	}
}

// BenchmarkFitOneHot fits 255-leaf trees on one-hot encoded categories (the
// output of a one-hot step: 103 columns of 0 and 1 for categories of 32,
// 32, 20, 12 and 7 levels) and two numeric features, where bundling
// exclusive features matters (rows from QUIVER_BENCH_ROWS, default
// 100,000).
func BenchmarkFitOneHot(b *testing.B) {
	n := 100000
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_ROWS")); err == nil {
		n = s
	}
	rng := rand.New(rand.NewPCG(9, 10))
	var names []string
	var arrays []arrow.Array
	z := make([]float64, n)
	for j, k := range []int{32, 32, 20, 12, 7} {
		hot := make([][]float64, k)
		for c := range hot {
			hot[c] = make([]float64, n)
		}
		effects := make([]float64, k)
		for c := range effects {
			effects[c] = rng.NormFloat64() * 0.5
		}
		for i := range n {
			c := rng.IntN(k)
			hot[c][i] = 1
			z[i] += effects[c]
		}
		for c := range hot {
			names = append(names, fmt.Sprintf("cat%d_%d", j, c))
			arrays = append(arrays, floats(hot[c], false))
		}
	}
	hour, dist, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		hour[i] = float64(rng.IntN(24))
		dist[i] = rng.ExpFloat64() * 800
		v := z[i] - 1.3 + 0.05*(hour[i]-12) + 0.0003*dist[i]
		if rng.Float64() < 1/(1+math.Exp(-v)) {
			y[i] = 1
		}
	}
	names = append(names, "hour", "distance", "y")
	arrays = append(arrays, floats(hour, false), floats(dist, false), floats(y, false))
	f := frame(b, names, arrays...)
	params := map[string]any{"objective": "log_loss", "max_iter": iters(), "num_leaves": 255, "n_threads": 2}
	b.ResetTimer()
	for range b.N {
		fitModel(b, f, estimators.Spec{Target: "y"}, params)
	}
}

// iters is the number of boosting rounds of the one-hot benchmark:
// QUIVER_BENCH_ITERS, default 20.
func iters() int {
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_ITERS")); err == nil {
		return s
	}
	return 20
}
