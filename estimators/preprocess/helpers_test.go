package preprocess

import (
	"context"
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

var mem = memory.DefaultAllocator

// na marks a null in the builders' inputs.
var na = math.Inf(-1) // never a value the tests use otherwise

// f64 builds a float64 column; values equal to na are null.
func f64(vals ...float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	for _, v := range vals {
		if v == na {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return b.NewArray()
}

func i64(vals ...int64) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// nullStr marks a null string.
const nullStr = "\x00null"

// strs builds a utf8 column; nullStr is null.
func strs(vals ...string) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, v := range vals {
		if v == nullStr {
			b.AppendNull()
		} else {
			b.Append(v)
		}
	}
	return b.NewArray()
}

// dict builds a dictionary<int32, utf8> column whose dictionary also holds
// unused entries; nullStr is null.
func dict(vals ...string) arrow.Array {
	b := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	defer b.Release()
	unused := strs("zz_unused", "aa_unused")
	defer unused.Release()
	if err := b.InsertStringDictValues(unused.(*array.String)); err != nil {
		panic(err)
	}
	for _, v := range vals {
		if v == nullStr {
			b.AppendNull()
		} else if err := b.AppendString(v); err != nil {
			panic(err)
		}
	}
	return b.NewArray()
}

// boolsOf builds a bool column from "t", "f" and "" (null).
func boolsOf(vals ...string) arrow.Array {
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	for _, v := range vals {
		switch v {
		case "t":
			b.Append(true)
		case "f":
			b.Append(false)
		default:
			b.AppendNull()
		}
	}
	return b.NewArray()
}

// col is a named column for frameOf.
type col struct {
	name string
	arr  arrow.Array
}

func frameOf(t testing.TB, cols ...col) *engine.Frame {
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

// mustFit fits l and fails the test on error.
func mustFit(t testing.TB, l estimators.Learner, f *engine.Frame, spec estimators.Spec, params map[string]any) (estimators.Model, estimators.Log) {
	t.Helper()
	m, log, err := l.Fit(context.Background(), f, spec, params)
	if err != nil {
		t.Fatalf("%s fit: %v", l.Name(), err)
	}
	return m, log
}

// mustApply applies m and fails the test on error.
func mustApply(t testing.TB, m estimators.Model, f *engine.Frame) *engine.Frame {
	t.Helper()
	out, err := m.Apply(context.Background(), f, 2)
	if err != nil {
		t.Fatalf("%s apply: %v", m.Learner(), err)
	}
	t.Cleanup(out.Release)
	return out
}

// floatsOf returns a float64 column's values.
func floatsOf(t testing.TB, f *engine.Frame, name string) []float64 {
	t.Helper()
	c, ok := f.Column(name).(*array.Float64)
	if !ok {
		t.Fatalf("column %q is %v, not float64 (columns %q)", name, f.Column(name), f.Names())
	}
	if c.NullN() > 0 {
		t.Fatalf("column %q has nulls", name)
	}
	return c.Float64Values()
}

// stringsOf returns a utf8 column's values, nullStr for nulls.
func stringsOf(t testing.TB, f *engine.Frame, name string) []string {
	t.Helper()
	c, ok := f.Column(name).(*array.String)
	if !ok {
		t.Fatalf("column %q is %v, not utf8", name, f.Column(name))
	}
	out := make([]string, c.Len())
	for i := range out {
		out[i] = c.Value(i)
		if c.IsNull(i) {
			out[i] = nullStr
		}
	}
	return out
}

// boolStrings returns a bool column as "t", "f" and "" (null).
func boolStrings(t testing.TB, f *engine.Frame, name string) []string {
	t.Helper()
	c, ok := f.Column(name).(*array.Boolean)
	if !ok {
		t.Fatalf("column %q is %v, not bool", name, f.Column(name))
	}
	out := make([]string, c.Len())
	for i := range out {
		switch {
		case c.IsNull(i):
		case c.Value(i):
			out[i] = "t"
		default:
			out[i] = "f"
		}
	}
	return out
}

// sameFloats reports whether a and b are equal within tol, NaN matching
// NaN.
func sameFloats(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.IsNaN(a[i]) != math.IsNaN(b[i]) {
			return false
		}
		if !math.IsNaN(a[i]) && math.Abs(a[i]-b[i]) > tol*math.Max(1, math.Abs(b[i])) {
			return false
		}
	}
	return true
}

// wantKind checks that err has kind k.
func wantKind(t *testing.T, what string, err error, k engine.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %s", what, k)
		return
	}
	if got := engine.KindOf(err); got != k {
		t.Errorf("%s: error %q of kind %s, want %s", what, err, got, k)
	}
}

// allLearners are the package's learners.
var allLearners = []estimators.Learner{StandardScaler{}, MinMaxScaler{}, Imputer{}, OneHot{}, OrdinalEncoder{},
	TargetEncoder{}, RegexFeatures{}, HashedTokens{}, LogTransform{}, Clip{}, Bucketize{},
	SelectColumns{}, DropColumns{}, RenameColumns{}}

// fitArgs are a spec and hyperparameters with which each learner can be
// fitted on a frame of a numeric column "x" with missing values, a string
// column "s" and a 0/1 column "y": the steps that need a target, patterns
// or column names get them.
func fitArgs(l estimators.Learner) (estimators.Spec, map[string]any) {
	switch l.Name() {
	case ImputerName:
		return estimators.Spec{}, map[string]any{"strategy": "most_frequent"}
	case TargetEncoderName:
		return estimators.Spec{Target: "y"}, map[string]any{}
	case RegexFeaturesName:
		return estimators.Spec{}, map[string]any{"patterns": `{"vowel": "[aeiou]", "b": "^b"}`}
	case LogTransformName:
		return estimators.Spec{}, map[string]any{"offset": 1e4}
	case SelectColumnsName:
		return estimators.Spec{}, map[string]any{"columns": `["s"]`}
	case DropColumnsName:
		return estimators.Spec{}, map[string]any{"columns": `["x"]`}
	case RenameColumnsName:
		return estimators.Spec{}, map[string]any{"columns": `{"x": "s", "s": "x"}`}
	}
	return estimators.Spec{}, map[string]any{}
}
