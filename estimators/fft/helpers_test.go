package fft

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// floats builds a float64 column; NaN becomes null when nulls is set.
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

func float32s(v []float32) arrow.Array {
	b := array.NewFloat32Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// bools builds a boolean column; valid may be nil.
func bools(v []bool, valid []bool) arrow.Array {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, valid)
	return b.NewArray()
}

// strs builds a string column; "" is null.
func strs(v []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for _, s := range v {
		if s == "" {
			b.AppendNull()
		} else {
			b.Append(s)
		}
	}
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

// syntheticFrame has p float32 features and a boolean target "y" that
// depends on the first three, with noise.
func syntheticFrame(t testing.TB, n, p int, seed uint64) *engine.Frame {
	rng := rand.New(rand.NewPCG(seed, 1))
	cols := make([][]float32, p)
	for j := range cols {
		cols[j] = make([]float32, n)
	}
	y := make([]bool, n)
	for i := range n {
		for j := range p {
			cols[j][i] = float32(rng.NormFloat64())
		}
		z := float64(cols[0][i]) + 0.5*float64(cols[1][i]) - 0.3*float64(cols[2][i]) + 0.8*rng.NormFloat64()
		y[i] = z > 0
	}
	names := make([]string, 0, p+1)
	arrays := make([]arrow.Array, 0, p+1)
	for j := range p {
		names = append(names, "f"+strconv.Itoa(j))
		arrays = append(arrays, float32s(cols[j]))
	}
	return frame(t, append(names, "y"), append(arrays, bools(y, nil))...)
}

func fitModel(t testing.TB, f *engine.Frame, spec estimators.Spec, params map[string]any) (*Model, estimators.Log) {
	t.Helper()
	m, log, err := fitErr(f, spec, params)
	if err != nil {
		t.Fatal(err)
	}
	return m, log
}

func fitErr(f *engine.Frame, spec estimators.Spec, params map[string]any) (*Model, estimators.Log, error) {
	vals, err := Space().Validate(params)
	if err != nil {
		return nil, nil, err
	}
	m, log, err := Learner{}.Fit(context.Background(), f, spec, vals)
	if err != nil {
		return nil, nil, err
	}
	return m.(*Model), log, nil
}
