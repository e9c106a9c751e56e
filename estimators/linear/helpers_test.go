package linear

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

var mem = memory.DefaultAllocator

// targetFor names the target column of a problem's frame for learner l: the
// continuous "y" or the class "label".
func targetFor(l estimators.Learner) string {
	if l.Name() == LogisticName {
		return "label"
	}
	return "y"
}

func f64(vals []float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// f64Valid builds a float64 column whose rows with valid[i] false are null.
func f64Valid(vals []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func i64(vals []int64) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

func strs(vals []string) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

func bools(vals []bool) arrow.Array {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

func dict(vals []string) arrow.Array {
	b := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	defer b.Release()
	for _, v := range vals {
		if err := b.AppendString(v); err != nil {
			panic(err)
		}
	}
	return b.NewArray()
}

// column is a named column for frameOf.
type column struct {
	name string
	arr  arrow.Array
}

func frameOf(t testing.TB, cols ...column) *engine.Frame {
	t.Helper()
	names := make([]string, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		names[i], arrs[i] = c.name, c.arr
	}
	f, err := engine.NewFrame(names, arrs)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// problem is a synthetic data set: features X (column-major), a regression
// target y, class labels (codes) and weights w (nil for none).
type problem struct {
	X      [][]float64
	y      []float64
	labels []int64
	w      []float64
}

func (pr problem) names() []string {
	out := make([]string, len(pr.X))
	for j := range out {
		out[j] = fmt.Sprintf("x%d", j)
	}
	return out
}

// frame builds a frame with features x0.., "y", "label" and, if the
// problem has weights, "w".
func (pr problem) frame(t testing.TB) *engine.Frame {
	var cols []column
	for j, x := range pr.X {
		cols = append(cols, column{fmt.Sprintf("x%d", j), f64(x)})
	}
	if pr.y != nil {
		cols = append(cols, column{"y", f64(pr.y)})
	}
	if pr.labels != nil {
		cols = append(cols, column{"label", i64(pr.labels)})
	}
	if pr.w != nil {
		cols = append(cols, column{"w", f64(pr.w)})
	}
	return frameOf(t, cols...)
}

func (pr problem) spec(target string) estimators.Spec {
	s := estimators.Spec{Target: target, Features: pr.names()}
	if pr.w != nil {
		s.Weight = "w"
	}
	return s
}

// makeProblem draws n rows of p correlated features with varied scales and
// offsets, a linear target with noise, k classes from a softmax model, and
// (if weighted) integer weights in 0..3.
func makeProblem(seed uint64, n, p, k int, weighted bool) problem {
	rng := rand.New(rand.NewPCG(seed, 99))
	pr := problem{X: make([][]float64, p), y: make([]float64, n), labels: make([]int64, n)}
	common := make([]float64, n)
	for i := range common {
		common[i] = rng.NormFloat64()
	}
	for j := range p {
		x := make([]float64, n)
		scale, offset := math.Pow(3, float64(j%4)-1), float64(j)-1.5
		for i := range x {
			x[i] = offset + scale*(rng.NormFloat64()+0.5*common[i])
		}
		pr.X[j] = x
	}
	coef := make([][]float64, k)
	for c := range coef {
		coef[c] = make([]float64, p)
		for j := range coef[c] {
			coef[c][j] = 0.5 * rng.NormFloat64() / math.Pow(3, float64(j%4)-1)
		}
	}
	eta := make([]float64, k)
	for i := range n {
		s := 0.5
		for j := range p {
			s += (float64(j%3) - 1) * pr.X[j][i]
		}
		pr.y[i] = s + rng.NormFloat64()
		for c := range k {
			eta[c] = 0
			for j := range p {
				offset := float64(j) - 1.5
				eta[c] += coef[c][j] * (pr.X[j][i] - offset)
			}
		}
		pr.labels[i] = int64(sampleSoftmax(rng, eta))
	}
	// Number the classes that occur 0, 1, ... in order.
	seen := map[int64]bool{}
	for _, l := range pr.labels {
		seen[l] = true
	}
	dense := map[int64]int64{}
	for c := range int64(k) {
		if seen[c] {
			dense[c] = int64(len(dense))
		}
	}
	for i, l := range pr.labels {
		pr.labels[i] = dense[l]
	}
	if weighted {
		pr.w = make([]float64, n)
		for i := range pr.w {
			pr.w[i] = float64(rng.IntN(4))
		}
		pr.w[0] = 1
	}
	return pr
}

func sampleSoftmax(rng *rand.Rand, eta []float64) int {
	top := eta[0]
	for _, v := range eta {
		top = max(top, v)
	}
	s := 0.0
	for _, v := range eta {
		s += math.Exp(v - top)
	}
	u := rng.Float64() * s
	for c, v := range eta {
		u -= math.Exp(v - top)
		if u <= 0 {
			return c
		}
	}
	return len(eta) - 1
}

func mustFit(t testing.TB, l estimators.Learner, f *engine.Frame, spec estimators.Spec, params map[string]any) (*Model, estimators.Log) {
	t.Helper()
	m, log, err := l.Fit(context.Background(), f, spec, params)
	if err != nil {
		t.Fatalf("%s fit: %v", l.Name(), err)
	}
	return m.(*Model), log
}

// weightedStats returns the weighted mean and standard deviation (ddof=0)
// of x.
func weightedStats(x, w []float64) (mean, std float64) {
	sw, s := 0.0, 0.0
	for i, v := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		sw += wi
		s += wi * v
	}
	mean = s / sw
	ss := 0.0
	for i, v := range x {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		ss += wi * (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss / sw)
}

func wt(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// relErr returns |a-b| / max(|b|, floor).
func relErr(a, b, floor float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), floor)
}
