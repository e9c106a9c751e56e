package gbdt

import (
	"os"
	"strconv"
	"testing"

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
