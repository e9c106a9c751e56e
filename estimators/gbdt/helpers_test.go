package gbdt

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	"github.com/quiver-ml/quiver/hyperspace"
)

// floats builds a float64 column; NaN values become nulls when nulls is set.
func floats(v []float64, nulls bool) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, x := range v {
		if nulls && math.IsNaN(x) {
			b.AppendNull()
		} else {
			b.Append(x)
		}
	}
	return b.NewArray()
}

func strs(v []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func frame(t testing.TB, names []string, cols ...arrow.Array) *engine.Frame {
	t.Helper()
	f, err := engine.NewFrame(names, cols)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Release)
	return f
}

// synthetic returns n rows of p features and a binary target that depends
// on interactions of the first few, with label noise.
func synthetic(n, p int, seed uint64) ([][]float64, []float64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([][]float64, p)
	for j := range x {
		x[j] = make([]float64, n)
		for i := range x[j] {
			x[j][i] = rng.NormFloat64()
		}
	}
	y := make([]float64, n)
	for i := range y {
		z := x[0][i] + x[1][i]*x[2][i] - math.Abs(x[3%p][i]) + 0.5
		if rng.Float64() < 1/(1+math.Exp(-2*z)) {
			y[i] = 1
		}
	}
	return x, y
}

func syntheticFrame(t testing.TB, n, p int, seed uint64) *engine.Frame {
	x, y := synthetic(n, p, seed)
	names := []string{}
	cols := []arrow.Array{}
	for j := range x {
		names = append(names, "x"+string(rune('a'+j)))
		cols = append(cols, floats(x[j], false))
	}
	names = append(names, "y")
	cols = append(cols, floats(y, false))
	return frame(t, names, cols...)
}

func fitModel(t testing.TB, f *engine.Frame, spec estimators.Spec, params map[string]any) (*Model, estimators.Log) {
	t.Helper()
	vals, err := Space().Validate(params)
	if err != nil {
		t.Fatal(err)
	}
	m, log, err := fit(context.Background(), f, spec, hyperspace.Values(vals))
	if err != nil {
		t.Fatal(err)
	}
	return m, log
}

func column0(t testing.TB, f *engine.Frame, name string) []float64 {
	t.Helper()
	v, err := engine.Float64s(name, f.Column(name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
