package fft

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
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

func int64s(v []int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// mixedFrame has a float64 cue "num" of full-mantissa values with NaNs
// (some null, some NaN values), a string cue "cat" of five levels with
// nulls, an int64 cue "small" of a few values, and a boolean target "y"
// that depends on all three, with noise.
func mixedFrame(t testing.TB, n int, seed uint64) *engine.Frame {
	rng := rand.New(rand.NewPCG(seed, 7))
	num := make([]float64, n)
	cat := make([]string, n)
	small := make([]int64, n)
	y := make([]bool, n)
	nanAt := make([]bool, n)
	for i := range n {
		num[i] = rng.NormFloat64() * 3.7
		small[i] = int64(rng.IntN(9)) - 4
		cat[i] = []string{"a", "b", "c", "d", "e"}[rng.IntN(5)]
		z := num[i]/3.7 + 0.4*float64(small[i])/4 + 0.8*rng.NormFloat64()
		switch cat[i] {
		case "a":
			z += 0.6
		case "d":
			z -= 0.5
		}
		if rng.IntN(20) == 0 {
			cat[i] = "" // null
		}
		if rng.IntN(25) == 0 {
			num[i] = math.NaN()
			nanAt[i] = rng.IntN(2) == 0
		}
		y[i] = z > 0.3
	}
	// Half of the missing values of num are nulls, half NaN values.
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for i, v := range num {
		if math.IsNaN(v) && nanAt[i] {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return frame(t, []string{"num", "cat", "small", "y"}, b.NewArray(), strs(cat), int64s(small), bools(y, nil))
}

// apply runs Explain and releases its result when the test ends.
func apply(t testing.TB, m *Model, f *engine.Frame, opts estimators.ApplyOptions) *engine.Frame {
	t.Helper()
	out, err := m.Explain(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(out.Release)
	return out
}

// encodeBytes returns the marshalled model file of m.
func encodeBytes(t testing.TB, m *Model) []byte {
	t.Helper()
	mf, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	defer mf.Release()
	b, err := mf.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip encodes, marshals, unmarshals and decodes a model, and returns
// the decoded model with the file's bytes.
func roundTrip(t testing.TB, m *Model) (*Model, []byte) {
	t.Helper()
	b := encodeBytes(t, m)
	file, err := engine.UnmarshalModelFile(b)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Release()
	dm, err := Learner{}.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	return dm.(*Model), b
}

// sameColumns fails unless two frames hold the same columns, bit for bit.
func sameColumns(t testing.TB, what string, a, b *engine.Frame) {
	t.Helper()
	if !slices.Equal(a.Names(), b.Names()) {
		t.Fatalf("%s: columns %q vs %q", what, a.Names(), b.Names())
	}
	for i, ca := range a.Columns() {
		cb := b.Columns()[i]
		if fa, ok := ca.(*array.Float64); ok {
			fb := cb.(*array.Float64)
			for r, v := range fa.Float64Values() {
				if math.Float64bits(v) != math.Float64bits(fb.Value(r)) {
					t.Fatalf("%s: column %q row %d: %v vs %v", what, a.Names()[i], r, v, fb.Value(r))
				}
			}
			continue
		}
		if !array.Equal(ca, cb) {
			t.Fatalf("%s: column %q differs", what, a.Names()[i])
		}
	}
}

// boolsOf returns the values of a boolean column.
func boolsOf(t testing.TB, c arrow.Array) []bool {
	t.Helper()
	b, ok := c.(*array.Boolean)
	if !ok {
		t.Fatalf("column of type %s, want bool", c.DataType())
	}
	out := make([]bool, b.Len())
	for i := range out {
		out[i] = b.Value(i)
	}
	return out
}

// routedStats recomputes a model's statistics on frame f, whose column
// target holds the outcomes, from its predictions and exit levels: the
// confusion counts and the mean number of levels visited.
func routedStats(t testing.TB, m *Model, f *engine.Frame, target string) (c confusion, mcu float64) {
	t.Helper()
	out := apply(t, m, f, estimators.ApplyOptions{ExitLevel: true, Threads: 3})
	pred := boolsOf(t, out.Column("prediction"))
	y := boolsOf(t, f.Column(target))
	levels := out.Column("exit_level").(*array.Int32).Int32Values()
	visited := 0
	for i, p := range pred {
		c = c.add(outcomes(p, b2i(y[i]), 1-b2i(y[i])))
		visited += int(levels[i])
	}
	return c, float64(visited) / float64(len(pred))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// logStats reads the counts and mcu of a "train" or "test" entry of a log.
func logStats(t testing.TB, entry any) (confusion, float64) {
	t.Helper()
	l, ok := entry.(estimators.Log)
	if !ok {
		t.Fatalf("log entry of type %T", entry)
	}
	return confusion{hi: l["hi"].(int), fa: l["fa"].(int), mi: l["mi"].(int), cr: l["cr"].(int)}, l["mcu"].(float64)
}
