package mlp

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

func bools(v []bool) arrow.Array {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func strs(v []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func int64s(v []int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// fixedList builds a fixed_size_list<float64>[width] column of the rows;
// a nil row is null.
func fixedList(rows [][]float64, width int) arrow.Array {
	b := array.NewFixedSizeListBuilder(memory.DefaultAllocator, int32(width), arrow.PrimitiveTypes.Float64)
	defer b.Release()
	vb := b.ValueBuilder().(*array.Float64Builder)
	for _, r := range rows {
		if r == nil {
			b.AppendNull()
			continue
		}
		b.Append(true)
		vb.AppendValues(r, nil)
	}
	return b.NewArray()
}

// varList builds a list<float64> column (rows may differ in length).
func varList(rows [][]float64) arrow.Array {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.PrimitiveTypes.Float64)
	defer b.Release()
	vb := b.ValueBuilder().(*array.Float64Builder)
	for _, r := range rows {
		b.Append(true)
		vb.AppendValues(r, nil)
	}
	return b.NewArray()
}

// dict builds a dictionary<int32, utf8> column.
func dict(v []string) arrow.Array {
	b := array.NewDictionaryBuilder(memory.DefaultAllocator,
		&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String})
	defer b.Release()
	sb := b.(*array.BinaryDictionaryBuilder)
	for _, s := range v {
		if err := sb.AppendString(s); err != nil {
			panic(err)
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

// data is a synthetic data set: four features on different scales and a
// target of each kind, all depending on the features non-linearly.
type data struct {
	x   [4][]float64
	reg []float64 // continuous
	bin []bool
	cls []string // "ant", "bee", "cat"
}

func makeData(n int, seed uint64) data {
	rng := rand.New(rand.NewPCG(seed, 3))
	var d data
	for j := range d.x {
		d.x[j] = make([]float64, n)
	}
	d.reg, d.bin, d.cls = make([]float64, n), make([]bool, n), make([]string, n)
	for i := range n {
		a, b, c, e := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
		d.x[0][i], d.x[1][i], d.x[2][i], d.x[3][i] = 10+3*a, 0.01*b, c, 1000*e
		z := a + b*c - 0.5*math.Abs(e)
		d.reg[i] = 5 + 2*z + 0.3*rng.NormFloat64()
		d.bin[i] = z+0.5*rng.NormFloat64() > -0.3
		switch s := z + 0.5*rng.NormFloat64(); {
		case s < -0.8:
			d.cls[i] = "ant"
		case s < 0.5:
			d.cls[i] = "bee"
		default:
			d.cls[i] = "cat"
		}
	}
	return d
}

var features = []string{"x0", "x1", "x2", "x3"}

// frame returns the features x0..x3 (float64) and the targets reg, bin and
// cls.
func (d data) frame(t testing.TB) *engine.Frame {
	return frame(t, []string{"x0", "x1", "x2", "x3", "reg", "bin", "cls"},
		floats(d.x[0], false), floats(d.x[1], false), floats(d.x[2], false), floats(d.x[3], false),
		floats(d.reg, false), bools(d.bin), strs(d.cls))
}

// fitErr validates params and fits through the public Learner.
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

func fitModel(t testing.TB, f *engine.Frame, spec estimators.Spec, params map[string]any) (*Model, estimators.Log) {
	t.Helper()
	m, log, err := fitErr(f, spec, params)
	if err != nil {
		t.Fatal(err)
	}
	return m, log
}

// withDefaults adds small, quick settings to params unless they are given.
func withDefaults(params map[string]any) map[string]any {
	out := map[string]any{"hidden_layers": "[8, 8]", "max_iter": 5, "batch_size": 64, "n_threads": 2}
	for k, v := range params {
		out[k] = v
	}
	return out
}

// sameParams fails unless two models hold the same weights bit for bit.
func sameParams(t testing.TB, what string, a, b *Model) {
	t.Helper()
	if !slices.Equal(a.nt.sizes, b.nt.sizes) {
		t.Fatalf("%s: sizes %v vs %v", what, a.nt.sizes, b.nt.sizes)
	}
	for i, v := range a.nt.params {
		if math.Float32bits(v) != math.Float32bits(b.nt.params[i]) {
			t.Fatalf("%s: parameter %d of %d: %v vs %v", what, i, len(a.nt.params), v, b.nt.params[i])
		}
	}
}

// predict runs Apply and releases the result when the test ends.
func predict(t testing.TB, m *Model, f *engine.Frame, threads int) *engine.Frame {
	t.Helper()
	out, err := m.Apply(context.Background(), f, threads)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(out.Release)
	return out
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

// values returns a float64 column's values.
func values(t testing.TB, f *engine.Frame, name string) []float64 {
	t.Helper()
	v, err := engine.Float64s(name, f.Column(name))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// accuracy is the share of rows whose string prediction equals want.
func accuracy(t testing.TB, out *engine.Frame, want []string) float64 {
	t.Helper()
	pred, ok := out.Column("prediction").(*array.String)
	if !ok {
		t.Fatalf("prediction of type %s", out.Column("prediction").DataType())
	}
	hit := 0
	for i, w := range want {
		if pred.Value(i) == w {
			hit++
		}
	}
	return float64(hit) / float64(len(want))
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

// roundTrip encodes, marshals, unmarshals and decodes a model.
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

// names returns "prefix0", "prefix1", ...
func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}
