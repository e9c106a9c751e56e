package gbdt

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
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

// strsValid builds a string column whose rows with valid[i] false are null
// (valid nil means no nulls).
func strsValid(v []string, valid []bool) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, valid)
	return b.NewArray()
}

// dictOf builds a dictionary column of vals over the dictionary order
// (which may hold values that never occur); rows with valid[i] false are
// null.
func dictOf(vals, order []string, valid []bool) arrow.Array {
	dict := strs(order)
	defer dict.Release()
	ib := array.NewInt32Builder(memory.DefaultAllocator)
	defer ib.Release()
	for i, v := range vals {
		if valid != nil && !valid[i] {
			ib.AppendNull()
			continue
		}
		k := slices.Index(order, v)
		if k < 0 {
			panic("dictOf: " + v + " is not in the dictionary")
		}
		ib.Append(int32(k))
	}
	idx := ib.NewArray()
	defer idx.Release()
	return array.NewDictionaryArray(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, idx, dict)
}

func int64s(v []int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

// apply runs Explain and fails the test on error; the result is released
// at cleanup.
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

// sameColumns fails unless two frames hold the same columns, bit for bit
// (NaN payloads included for float columns).
func sameColumns(t testing.TB, what string, a, b *engine.Frame) {
	t.Helper()
	if !slices.Equal(a.Names(), b.Names()) {
		t.Fatalf("%s: columns %q vs %q", what, a.Names(), b.Names())
	}
	for i, ca := range a.Columns() {
		cb := b.Columns()[i]
		fa, okA := ca.(*array.Float64)
		fb, okB := cb.(*array.Float64)
		if okA && okB {
			va, vb := fa.Float64Values(), fb.Float64Values()
			for r := range va {
				if math.Float64bits(va[r]) != math.Float64bits(vb[r]) {
					t.Fatalf("%s: column %q row %d: %v vs %v", what, a.Names()[i], r, va[r], vb[r])
				}
			}
			continue
		}
		if !array.Equal(ca, cb) {
			t.Fatalf("%s: column %q differs", what, a.Names()[i])
		}
	}
}

// stringsOf returns the values of a string column ("" for nulls).
func stringsOf(t testing.TB, c arrow.Array) []string {
	t.Helper()
	s, ok := c.(*array.String)
	if !ok {
		t.Fatalf("column of type %s is not utf8", c.DataType())
	}
	out := make([]string, s.Len())
	for i := range out {
		out[i] = s.Value(i)
	}
	return out
}

// floatsValid builds a float64 column whose rows with valid[i] false are
// null.
func floatsValid(v []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, valid)
	return b.NewArray()
}

// mixed is a synthetic data set with every kind of feature gbdt reads: a
// float with missing values (some NaN, some null), a string category with
// nulls, an integer and a noise float; and targets for every objective.
type mixed struct {
	num      []float64 // NaN where missing
	numValid []bool    // false where the missing value is a null rather than a NaN
	cat      []string
	catValid []bool
	ints     []int64
	noise    []float64
	reg      []float64 // continuous target
	bin      []int64   // 0/1 target
	cls      []string  // "hi", "lo", "mid"
	cnt      []float64 // counts
	w        []float64 // weights in [0.5, 2)
}

var mixedCats = []string{"a", "b", "c", "d", "e", "f"}

func makeMixed(n int, seed uint64) mixed {
	rng := rand.New(rand.NewPCG(seed, 17))
	d := mixed{
		num: make([]float64, n), numValid: make([]bool, n), cat: make([]string, n), catValid: make([]bool, n),
		ints: make([]int64, n), noise: make([]float64, n), reg: make([]float64, n), bin: make([]int64, n),
		cls: make([]string, n), cnt: make([]float64, n), w: make([]float64, n),
	}
	for i := range n {
		d.num[i] = 2 * rng.NormFloat64()
		d.numValid[i] = true
		eff := 2 * math.Sin(d.num[i])
		switch u := rng.Float64(); {
		case u < 0.05:
			d.num[i] = math.NaN()
			eff = 1.5
		case u < 0.1:
			d.num[i] = math.NaN()
			d.numValid[i] = false
			eff = 1.5
		}
		d.cat[i] = mixedCats[rng.IntN(len(mixedCats))]
		d.catValid[i] = rng.Float64() > 0.05
		if d.catValid[i] && (d.cat[i] == "a" || d.cat[i] == "c") {
			eff++
		}
		d.ints[i] = int64(rng.IntN(10))
		d.noise[i] = rng.NormFloat64()
		d.reg[i] = eff + 0.3*float64(d.ints[i]%3) + 0.3*rng.NormFloat64()
		if d.reg[i]+rng.NormFloat64() > 0.5 {
			d.bin[i] = 1
		}
		switch z := d.reg[i] + 0.5*rng.NormFloat64(); {
		case z < -0.5:
			d.cls[i] = "lo"
		case z < 1.2:
			d.cls[i] = "mid"
		default:
			d.cls[i] = "hi"
		}
		lambda := math.Exp(0.4 * d.reg[i])
		k, p := 0, math.Exp(-lambda)
		for s, u := p, rng.Float64(); u > s && k < 100; s += p {
			k++
			p *= lambda / float64(k)
		}
		d.cnt[i] = float64(k)
		d.w[i] = 0.5 + 1.5*rng.Float64()
	}
	return d
}

// frame returns the features num, cat (a dictionary when dict is set),
// ints and noise, then the targets reg, bin, cls, cnt and the weight w.
func (d mixed) frame(t testing.TB, dict bool) *engine.Frame {
	cat := strsValid(d.cat, d.catValid)
	if dict {
		cat.Release()
		cat = dictOf(d.cat, []string{"f", "zz", "d", "b", "a", "c", "e"}, d.catValid)
	}
	return frame(t, []string{"num", "cat", "ints", "noise", "reg", "bin", "cls", "cnt", "w"},
		floatsValid(d.num, d.numValid), cat, int64s(d.ints), floats(d.noise, false),
		floats(d.reg, false), int64s(d.bin), strs(d.cls), floats(d.cnt, false), floats(d.w, false))
}

var mixedFeatures = []string{"num", "cat", "ints", "noise"}

// fitErr fits through the public Learner and returns the error.
func fitErr(f *engine.Frame, spec estimators.Spec, params map[string]any) error {
	_, _, err := Learner{}.Fit(context.Background(), f, spec, params)
	return err
}

// strsLarge builds a large_utf8 column.
func strsLarge(v []string, valid []bool) arrow.Array {
	b := array.NewLargeStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, valid)
	return b.NewArray()
}
