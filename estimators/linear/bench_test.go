package linear

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// benchFrame builds n×p standard normal features "x0".. with a regression
// target "y" (linear plus noise), a binary target "c" drawn from the
// logistic model of the same coefficients, and a three-class target "k"
// (y cut at 0.5 and 1.5).
func benchFrame(b testing.TB, n, p int) *engine.Frame {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(p)))
	names := make([]string, 0, p+2)
	cols := make([]arrow.Array, 0, p+2)
	coef := make([]float64, p)
	for j := range coef {
		coef[j] = rng.NormFloat64() / math.Sqrt(float64(p))
	}
	eta := make([]float64, n)
	for j := range p {
		bld := array.NewFloat64Builder(memory.DefaultAllocator)
		bld.Resize(n)
		for i := range n {
			v := rng.NormFloat64()
			bld.UnsafeAppend(v)
			eta[i] += coef[j] * v
		}
		cols = append(cols, bld.NewArray())
		bld.Release()
		names = append(names, fmt.Sprintf("x%d", j))
	}
	yb := array.NewFloat64Builder(memory.DefaultAllocator)
	cb := array.NewInt64Builder(memory.DefaultAllocator)
	kb := array.NewInt64Builder(memory.DefaultAllocator)
	for i := range n {
		y := eta[i] + 0.5 + rng.NormFloat64()
		yb.Append(y)
		var c int64
		if rng.Float64() < 1/(1+math.Exp(-eta[i]-0.5)) {
			c = 1
		}
		cb.Append(c)
		kb.Append(int64(min(2, max(0, math.Floor(y+0.5)))))
	}
	cols = append(cols, yb.NewArray(), cb.NewArray(), kb.NewArray())
	yb.Release()
	cb.Release()
	kb.Release()
	names = append(names, "y", "c", "k")
	f, err := engine.NewFrame(names, cols)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func benchFit(b *testing.B, n, p int, l estimators.Learner, target string, params map[string]any) {
	f := benchFrame(b, n, p)
	defer f.Release()
	feats := f.Names()[:p]
	b.ResetTimer()
	for range b.N {
		_, log, err := l.Fit(context.Background(), f, estimators.Spec{Target: target, Features: feats}, params)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(log["iterations"].(int)), "iters")
	}
}

func BenchmarkRidge200kx50(b *testing.B) {
	benchFit(b, 200_000, 50, Regression{}, "y", map[string]any{"l2": 1.0, "n_threads": 2})
}

func BenchmarkLasso200kx50(b *testing.B) {
	benchFit(b, 200_000, 50, Regression{}, "y", map[string]any{"l1": 1000.0, "n_threads": 2})
}

func BenchmarkLogisticL2_200kx50(b *testing.B) {
	benchFit(b, 200_000, 50, Logistic{}, "c", map[string]any{"l2": 1.0, "n_threads": 2})
}

func BenchmarkLogisticL1_200kx50(b *testing.B) {
	benchFit(b, 200_000, 50, Logistic{}, "c", map[string]any{"l1": 100.0, "l2": 0.0, "n_threads": 2})
}

func BenchmarkMultinomialL2_200kx50(b *testing.B) {
	benchFit(b, 200_000, 50, Logistic{}, "k", map[string]any{"l2": 1.0, "n_threads": 2})
}

func BenchmarkApply200kx50(b *testing.B) {
	f := benchFrame(b, 200_000, 50)
	defer f.Release()
	m, _ := mustFit(b, Logistic{}, f, estimators.Spec{Target: "k", Features: f.Names()[:50]}, nil)
	b.ResetTimer()
	for range b.N {
		out, err := m.Apply(context.Background(), f, 2)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

// The benchmarks at the scale of the Python comparison (1,000,000 × 100,
// 800 MB of features) run only with QUIVER_BENCH_LARGE=1.
func largeBench(b *testing.B) {
	if os.Getenv("QUIVER_BENCH_LARGE") == "" {
		b.Skip("set QUIVER_BENCH_LARGE=1 to run the 1M×100 benchmarks")
	}
}

func BenchmarkRidge1Mx100(b *testing.B) {
	largeBench(b)
	benchFit(b, 1_000_000, 100, Regression{}, "y", map[string]any{"l2": 1.0, "n_threads": 2})
}

func BenchmarkLogisticL2_1Mx100(b *testing.B) {
	largeBench(b)
	benchFit(b, 1_000_000, 100, Logistic{}, "c", map[string]any{"l2": 1.0, "n_threads": 2})
}
