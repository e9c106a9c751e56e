package fft

import (
	"os"
	"strconv"
	"testing"

	"github.com/quiver-ml/quiver/estimators"
)

// BenchmarkFit fits a four-level tree on dense float32 data of 28 cues, the
// shape of the scale benchmark in benchmarks/ (rows from QUIVER_BENCH_ROWS,
// default 100,000), with each algorithm.
func BenchmarkFit(b *testing.B) {
	n := 100000
	if s, err := strconv.Atoi(os.Getenv("QUIVER_BENCH_ROWS")); err == nil {
		n = s
	}
	f := syntheticFrame(b, n, 28, 1)
	for _, alg := range []string{algIfan, algDfan} {
		b.Run(alg, func(b *testing.B) {
			params := map[string]any{"algorithm": alg, "max_levels": 4, "n_threads": 2}
			for range b.N {
				fitModel(b, f, estimators.Spec{Target: "y"}, params)
			}
		})
	}
}
