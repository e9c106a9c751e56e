package preprocess

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
)

// fileCase is a fitted configuration whose model file the tests write,
// read, corrupt and fuzz.
type fileCase struct {
	name     string
	l        estimators.Learner
	features []string
	params   map[string]any
	// target, if set, names a target column that fit adds to the frame:
	// "y" (0/1 numbers), "yn" (numbers) or "ys" (two strings).
	target string
}

// mixedFrame has every kind of column with missing values.
func mixedFrame(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"x", f64(1, math.NaN(), 3, 3, na, 10, -4)},
		col{"k", i64(5, 2, 2, 5, 7, 1, 1)},
		col{"s", strs("b", nullStr, "a", "b", "a", nullStr, "c")},
		col{"d", dict("lo", "hi", nullStr, "hi", "lo", "lo", "mid")},
		col{"b", boolsOf("t", "f", "", "t", "f", "", "t")},
	)
}

// mixedTest has unseen levels, missing values and values out of the
// training range.
func mixedTest(t testing.TB) *engine.Frame {
	return frameOf(t,
		col{"x", f64(-100, math.NaN(), 3, na, 0.5)},
		col{"k", i64(0, 1, 2, 3, 100)},
		col{"s", strs("zz", nullStr, "a", "b", "c")},
		col{"d", dict("mid", "new", nullStr, "hi", "lo")},
		col{"b", boolsOf("", "f", "t", "t", "f")},
	)
}

var fileCases = []fileCase{
	{"standard", StandardScaler{}, nil, nil, ""},
	{"standard bool, no mean", StandardScaler{}, []string{"b", "x"}, map[string]any{"with_mean": false, "n_threads": 2}, ""},
	{"standard no std", StandardScaler{}, nil, map[string]any{"with_std": false}, ""},
	{"min max clip", MinMaxScaler{}, nil, map[string]any{"feature_range_low": -2.5, "feature_range_high": 3, "clip": true}, ""},
	{"imputer mean", Imputer{}, nil, map[string]any{"add_indicator": true}, ""},
	{"imputer median", Imputer{}, []string{"k", "x"}, map[string]any{"strategy": "median"}, ""},
	{"imputer most frequent", Imputer{}, nil, map[string]any{"strategy": "most_frequent", "add_indicator": true}, ""},
	{"imputer constant", Imputer{}, nil, map[string]any{"strategy": "constant", "fill_value": 1, "fill_text": "?", "add_indicator": true}, ""},
	{"one hot", OneHot{}, nil, nil, ""},
	{"one hot capped", OneHot{}, []string{"d", "s"}, map[string]any{"max_categories": 2, "handle_unknown": "ignore"}, ""},
	{"one hot strict", OneHot{}, []string{"b"}, map[string]any{"handle_unknown": "error"}, ""},
	{"ordinal", OrdinalEncoder{}, nil, nil, ""},
	{"ordinal encoded", OrdinalEncoder{}, nil, map[string]any{"handle_unknown": "use_encoded_value", "unknown_value": -7.5}, ""},
	{"ordinal strict", OrdinalEncoder{}, []string{"s"}, map[string]any{"handle_unknown": "error"}, ""},
	{"target encoder", TargetEncoder{}, nil, map[string]any{"smooth": 3}, "y"},
	{"target encoder numbers", TargetEncoder{}, []string{"d", "s"}, map[string]any{"smooth": 0, "n_folds": 3, "seed": 7}, "yn"},
	{"target encoder strings", TargetEncoder{}, []string{"b"}, nil, "ys"},
	{"regex", RegexFeatures{}, nil, map[string]any{"patterns": `{"a": "a", "hi": "^h"}`}, ""},
	{"regex kept", RegexFeatures{}, []string{"d"}, map[string]any{"patterns": `{"o": "(?i)O"}`, "keep_input": true}, ""},
	{"hashed", HashedTokens{}, nil, map[string]any{"n_features": 4}, ""},
	{"hashed kept", HashedTokens{}, []string{"s"}, map[string]any{"n_features": 3, "lowercase": false, "token_pattern": `(\w)`, "keep_input": true}, ""},
	{"log1p", LogTransform{}, []string{"k"}, nil, ""},
	{"log", LogTransform{}, nil, map[string]any{"function": "log", "offset": 5}, ""},
	{"clip", Clip{}, nil, nil, ""},
	{"clip quantiles", Clip{}, []string{"x"}, map[string]any{"quantile_low": 0.2, "quantile_high": 0.7}, ""},
	{"clip values", Clip{}, nil, map[string]any{"bounds": "value", "high": 2.5}, ""},
	{"bucketize", Bucketize{}, nil, nil, ""},
	{"bucketize uniform", Bucketize{}, []string{"x", "b"}, map[string]any{"n_buckets": 3, "strategy": "uniform"}, ""},
	{"select", SelectColumns{}, nil, map[string]any{"columns": `["x", "s"]`}, ""},
	{"select with the target", SelectColumns{}, nil, map[string]any{"columns": `["y", "d"]`}, "y"},
	{"drop", DropColumns{}, nil, map[string]any{"columns": `["d"]`}, "yn"},
	{"rename", RenameColumns{}, nil, map[string]any{"columns": `{"x": "x2", "s": "name"}`}, ""},
	{"rename swap", RenameColumns{}, nil, map[string]any{"columns": `{"k": "b", "b": "k"}`}, ""},
}

// targetColumn builds the target column name of n rows for a fileCase.
func targetColumn(name string, n int) arrow.Array {
	y := make([]float64, n)
	s := make([]string, n)
	for i := range y {
		y[i] = float64(i % 3 % 2)
		s[i] = []string{"no", "yes"}[i%3%2]
		if name == "yn" {
			y[i] = float64(i*i%5) - 1.5
		}
	}
	if name == "ys" {
		return strs(s...)
	}
	return f64(y...)
}

func (c fileCase) fit(t testing.TB, f *engine.Frame) estimators.Model {
	if c.target != "" {
		f = withColumn(t, f, c.target, targetColumn(c.target, f.NumRows()))
		defer f.Release()
	}
	m, _ := mustFit(t, c.l, f, estimators.Spec{Target: c.target, Features: c.features}, c.params)
	return m
}

func encodeBytes(t testing.TB, m estimators.Model) []byte {
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

// sameOutputs applies both models to f and compares their results (or
// errors) column by column.
func sameOutputs(t *testing.T, a, b estimators.Model, f *engine.Frame) {
	t.Helper()
	outA, errA := a.Apply(context.Background(), f, 1)
	outB, errB := b.Apply(context.Background(), f, 4)
	if (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) {
		t.Fatalf("apply errors differ: %v and %v", errA, errB)
	}
	if errA != nil {
		return
	}
	defer outA.Release()
	defer outB.Release()
	if !slices.Equal(outA.Names(), outB.Names()) {
		t.Fatalf("outputs %q and %q", outA.Names(), outB.Names())
	}
	for i, c := range outA.Columns() {
		d := outB.Columns()[i]
		if !arrow.TypeEqual(c.DataType(), d.DataType()) || c.String() != d.String() {
			t.Errorf("output %q: %s %v and %s %v", outA.Names()[i], c.DataType(), c, d.DataType(), d)
		}
	}
}

// Every model survives its file: the same inputs, outputs, hyperparameters,
// summary and results, and the same bytes when written again.
func TestModelFileRoundTrip(t *testing.T) {
	f := mixedFrame(t)
	defer f.Release()
	test := mixedTest(t)
	defer test.Release()
	for _, c := range fileCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.fit(t, f)
			b := encodeBytes(t, m)
			file, err := engine.UnmarshalModelFile(b)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Release()
			back, err := estimators.Decode(file)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := back.(estimators.Transformer); !ok {
				t.Fatalf("%T is not a Transformer", back)
			}
			if !reflect.DeepEqual(m.Inputs(), back.Inputs()) || !reflect.DeepEqual(m.Outputs(), back.Outputs()) {
				t.Errorf("inputs %v -> %v, outputs %v -> %v", m.Inputs(), back.Inputs(), m.Outputs(), back.Outputs())
			}
			sp := c.l.Space()
			if !reflect.DeepEqual(sp.ModelParams(m.Params()), sp.ModelParams(back.Params())) {
				t.Errorf("params %v -> %v", m.Params(), back.Params())
			}
			s1, _ := json.Marshal(m.Summary())
			s2, _ := json.Marshal(back.Summary())
			if !bytes.Equal(s1, s2) {
				t.Errorf("summary %s -> %s", s1, s2)
			}
			if !slices.Equal(m.(estimators.Transformer).Replaces(), back.(estimators.Transformer).Replaces()) {
				t.Errorf("replaces differ")
			}
			sameOutputs(t, m, back, test)
			sameOutputs(t, m, back, f)
			if again := encodeBytes(t, back); !bytes.Equal(b, again) {
				t.Errorf("the file changes when written again")
			}
		})
	}
}

// withColumn returns a copy of table tab with column name replaced by arr
// (or added).
func withColumn(t testing.TB, tab *engine.Frame, name string, arr arrow.Array) *engine.Frame {
	names := slices.Clone(tab.Names())
	cols := slices.Clone(tab.Columns())
	for _, c := range cols {
		c.Retain()
	}
	if i := slices.Index(names, name); i >= 0 {
		cols[i].Release()
		cols[i] = arr
	} else {
		names, cols = append(names, name), append(cols, arr)
	}
	return frameOf(t, func() []col {
		out := make([]col, len(names))
		for i := range names {
			out[i] = col{names[i], cols[i]}
		}
		return out
	}()...)
}

// Every corruption of a model file is refused with a KindFormat error.
func TestDecodeRefusesCorruptFiles(t *testing.T) {
	f := mixedFrame(t)
	defer f.Release()
	type edit func(t *testing.T, mf *engine.ModelFile)
	setState := func(st string) edit {
		return func(t *testing.T, mf *engine.ModelFile) { mf.State = json.RawMessage(st) }
	}
	setColumn := func(name string, arr func(n int) arrow.Array) edit {
		return func(t *testing.T, mf *engine.ModelFile) {
			tab := mf.Tables[0].Frame
			mf.Tables = []engine.Table{{Name: tableName, Frame: withColumn(t, tab, name, arr(tab.NumRows()))}}
		}
	}
	common := map[string]edit{
		"learner":         func(t *testing.T, mf *engine.ModelFile) { mf.Learner = "gbdt" },
		"unknown param":   func(t *testing.T, mf *engine.ModelFile) { mf.Params = map[string]any{"nope": 1} },
		"state":           func(t *testing.T, mf *engine.ModelFile) { mf.State = json.RawMessage(`[1]`) },
		"negative rows":   func(t *testing.T, mf *engine.ModelFile) { mf.State = json.RawMessage(`{"n_rows": -1}`) },
		"no inputs":       func(t *testing.T, mf *engine.ModelFile) { mf.Inputs = nil },
		"one input less":  func(t *testing.T, mf *engine.ModelFile) { mf.Inputs = mf.Inputs[1:] },
		"renamed input":   func(t *testing.T, mf *engine.ModelFile) { mf.Inputs[0].Name += "?" },
		"input type":      func(t *testing.T, mf *engine.ModelFile) { mf.Inputs[0].Type = "list<item: float64>" },
		"categories":      func(t *testing.T, mf *engine.ModelFile) { mf.Inputs[0].Categories = []string{"b", "a"} },
		"no outputs":      func(t *testing.T, mf *engine.ModelFile) { mf.Outputs = nil },
		"renamed output":  func(t *testing.T, mf *engine.ModelFile) { mf.Outputs[0].Name += "?" },
		"output type":     func(t *testing.T, mf *engine.ModelFile) { mf.Outputs[0].Type = "int64" },
		"no table":        func(t *testing.T, mf *engine.ModelFile) { mf.Tables = nil },
		"nil table":       func(t *testing.T, mf *engine.ModelFile) { mf.Tables = []engine.Table{{Name: tableName}} },
		"renamed table":   func(t *testing.T, mf *engine.ModelFile) { mf.Tables[0].Name = "rows" },
		"unknown kind":    setColumn("kind", func(n int) arrow.Array { return strs(slices.Repeat([]string{"date"}, n)...) }),
		"names as floats": setColumn("name", func(n int) arrow.Array { return f64(make([]float64, n)...) }),
	}
	specific := map[string]map[string]edit{
		StandardScalerName: {
			"zero scale":  setColumn("scale", func(n int) arrow.Array { return f64(0, 1) }),
			"nan mean":    setColumn("mean", func(n int) arrow.Array { return f64(math.NaN(), 1) }),
			"null mean":   setColumn("mean", func(n int) arrow.Array { return f64(na, 1) }),
			"no count":    setColumn("count", func(n int) arrow.Array { return i64(0, 1) }),
			"text kind":   setColumn("kind", func(n int) arrow.Array { return strs("text", "number") }),
			"float count": setColumn("count", func(n int) arrow.Array { return f64(1, 1) }),
		},
		MinMaxScalerName: {
			"inverted range": setColumn("data_min", func(n int) arrow.Array { return f64(100, 100) }),
			"infinite max":   setColumn("data_max", func(n int) arrow.Array { return f64(math.Inf(1), 1) }),
			"range params":   func(t *testing.T, mf *engine.ModelFile) { mf.Params["feature_range_low"] = 5.0 },
		},
		ImputerName: {
			"not the constant": setColumn("fill_number", func(n int) arrow.Array { return f64(2, 2, 0, 0, 0) }),
			"nan fill":         setColumn("fill_number", func(n int) arrow.Array { return f64(math.NaN(), 1, 0, 0, 0) }),
			"missing count":    setColumn("missing", func(n int) arrow.Array { return i64(1, 100, 0, 0, 0) }),
			"text for a number": setColumn("fill_text", func(n int) arrow.Array {
				return strs("?", "?", "?", "?", "?")
			}),
			"bool kind":      setColumn("kind", func(n int) arrow.Array { return strs("bool", "bool", "text", "text", "bool") }),
			"other strategy": func(t *testing.T, mf *engine.ModelFile) { mf.Params["strategy"] = "median" },
		},
		OneHotName: {
			"unsorted levels": setColumn("levels", func(n int) arrow.Array {
				return stringLists([]string{"b", "a", "c"}, []string{"hi", "lo", "mid"}, []string{"false", "true"})
			}),
			"not categories": setColumn("levels", func(n int) arrow.Array {
				return stringLists([]string{"a", "b"}, []string{"hi", "lo", "mid"}, []string{"false", "true"})
			}),
			"bool levels": setColumn("levels", func(n int) arrow.Array {
				return stringLists([]string{"a", "b", "c"}, []string{"hi", "lo", "mid"}, []string{"no", "yes"})
			}),
			"flags": setColumn("infrequent", func(n int) arrow.Array {
				return boolLists([]bool{false}, []bool{false, false, false}, []bool{false, false})
			}),
			"capped":        func(t *testing.T, mf *engine.ModelFile) { mf.Params["max_categories"] = 2.0 },
			"missing flags": setColumn("has_missing", func(n int) arrow.Array { return boolsOf("t", "f", "f") }),
		},
		OrdinalEncoderName: {
			"not categories": setColumn("levels", func(n int) arrow.Array {
				return stringLists([]string{"a"}, []string{"hi", "lo", "mid"}, []string{"false", "true"})
			}),
			"levels as text": setColumn("levels", func(n int) arrow.Array { return strs("a", "b", "c") }),
			"code as value": func(t *testing.T, mf *engine.ModelFile) {
				mf.Params["handle_unknown"], mf.Params["unknown_value"] = unknownValue, 0.0
			},
			"unused value": func(t *testing.T, mf *engine.ModelFile) { mf.Params["unknown_value"] = 3.0 },
		},
		// Inputs s (levels a, b, c), d (hi, lo, mid) and b (false, true),
		// with 2, 1 and 2 missing values.
		TargetEncoderName: {
			"no target":       setState(`{"n_rows": 7}`),
			"target type":     setState(`{"n_rows": 7, "target": {"name": "y", "type": "multiclass", "positive": "", "mean": 0.5}}`),
			"binary mean":     setState(`{"n_rows": 7, "target": {"name": "y", "type": "binary", "positive": "1", "mean": 2}}`),
			"no positive":     setState(`{"n_rows": 7, "target": {"name": "y", "type": "binary", "positive": "", "mean": 0.5}}`),
			"a class":         setState(`{"n_rows": 7, "target": {"name": "y", "type": "continuous", "positive": "1", "mean": 0.5}}`),
			"other row count": setState(`{"n_rows": 8, "target": {"name": "y", "type": "binary", "positive": "1", "mean": 0.5}}`),
			"counts off": setColumn("count", func(n int) arrow.Array {
				return intListsOf([]int64{2, 2, 2}, []int64{2, 3, 1}, []int64{2, 3})
			}),
			"zero count": setColumn("count", func(n int) arrow.Array {
				return intListsOf([]int64{0, 2, 3}, []int64{2, 3, 1}, []int64{2, 3})
			}),
			"sum above count": setColumn("sum", func(n int) arrow.Array {
				return floatListsOf([]float64{5, 0, 0}, []float64{0, 0, 0}, []float64{0, 0})
			}),
			"short sums": setColumn("sum", func(n int) arrow.Array {
				return floatListsOf([]float64{0, 0}, []float64{0, 0, 0}, []float64{0, 0})
			}),
			"sums as ints": setColumn("sum", func(n int) arrow.Array {
				return intListsOf([]int64{0, 0, 0}, []int64{0, 0, 0}, []int64{0, 0})
			}),
			"negative missing": setColumn("missing_count", func(n int) arrow.Array { return i64(-1, 1, 2) }),
			"missing sum":      setColumn("missing_sum", func(n int) arrow.Array { return f64(math.NaN(), 0, 0) }),
			"not categories": setColumn("levels", func(n int) arrow.Array {
				return stringLists([]string{"a", "b"}, []string{"hi", "lo", "mid"}, []string{"false", "true"})
			}),
			"negative smooth": func(t *testing.T, mf *engine.ModelFile) { mf.Params["smooth"] = -1.0 },
		},
		// Inputs s and d; patterns a and hi.
		RegexFeaturesName: {
			"bad pattern":  func(t *testing.T, mf *engine.ModelFile) { mf.Params["patterns"] = `{"a": "[a", "hi": "h"}` },
			"other names":  func(t *testing.T, mf *engine.ModelFile) { mf.Params["patterns"] = `{"b": "a", "hi": "h"}` },
			"not JSON":     func(t *testing.T, mf *engine.ModelFile) { mf.Params["patterns"] = `{` },
			"kept":         func(t *testing.T, mf *engine.ModelFile) { mf.Params["keep_input"] = true },
			"number kind":  setColumn("kind", func(n int) arrow.Array { return strs("number", "number") }),
			"a categories": func(t *testing.T, mf *engine.ModelFile) { mf.Inputs[0].Categories = []string{"a"} },
		},
		// Inputs s and d, 4 buckets each.
		HashedTokensName: {
			"n_features":  func(t *testing.T, mf *engine.ModelFile) { mf.Params["n_features"] = 5.0 },
			"two groups":  func(t *testing.T, mf *engine.ModelFile) { mf.Params["token_pattern"] = `(a)(b)` },
			"bad pattern": func(t *testing.T, mf *engine.ModelFile) { mf.Params["token_pattern"] = `(?u)\w\w+` },
			"bool kind":   setColumn("kind", func(n int) arrow.Array { return strs("bool", "text") }),
		},
		// Inputs x (minimum -4) and k (1); log with offset 5.
		LogTransformName: {
			"minimum out of domain": setColumn("data_min", func(n int) arrow.Array { return f64(-10, 1) }),
			"NaN minimum":           setColumn("data_min", func(n int) arrow.Array { return f64(math.NaN(), 1) }),
			"infinite minimum":      setColumn("data_min", func(n int) arrow.Array { return f64(math.Inf(1), 1) }),
			"smaller offset":        func(t *testing.T, mf *engine.ModelFile) { mf.Params["offset"] = 0.0 },
			"no minimum":            setColumn("data_min", func(n int) arrow.Array { return f64(na, 1) }),
		},
		// Inputs x and k, clipped to their training ranges.
		ClipName: {
			"inverted": setColumn("low", func(n int) arrow.Array { return f64(100, 100) }),
			"infinite": setColumn("high", func(n int) arrow.Array { return f64(math.Inf(1), 10) }),
			"by value": func(t *testing.T, mf *engine.ModelFile) { mf.Params["bounds"] = boundsValue },
			"quantiles": func(t *testing.T, mf *engine.ModelFile) {
				mf.Params["quantile_low"], mf.Params["quantile_high"] = 0.9, 0.1
			},
			"ints":        setColumn("low", func(n int) arrow.Array { return i64(1, 1) }),
			"a text kind": setColumn("kind", func(n int) arrow.Array { return strs("text", "number") }),
		},
		// Inputs x and k, 5 quantile buckets.
		BucketizeName: {
			"unsorted":  setColumn("edges", func(n int) arrow.Array { return floatListsOf([]float64{3, 1, 2}, []float64{1, 2}) }),
			"one edge":  setColumn("edges", func(n int) arrow.Array { return floatListsOf([]float64{1}, []float64{1, 2}) }),
			"too many":  setColumn("edges", func(n int) arrow.Array { return floatListsOf([]float64{0, 1, 2, 3, 4, 5, 6}, []float64{1, 2}) }),
			"NaN edge":  setColumn("edges", func(n int) arrow.Array { return floatListsOf([]float64{0, math.NaN()}, []float64{1, 2}) }),
			"int edges": setColumn("edges", func(n int) arrow.Array { return intListsOf([]int64{0, 1}, []int64{1, 2}) }),
			"fewer":     func(t *testing.T, mf *engine.ModelFile) { mf.Params["n_buckets"] = 2.0 },
		},
		// Keeps x and s, drops k, d and b.
		SelectColumnsName: {
			"roles":          setColumn("role", func(n int) arrow.Array { return strs("keep", "drop", "drop", "drop", "drop") }),
			"unknown role":   setColumn("role", func(n int) arrow.Array { return strs("keep", "keep", "drop", "drop", "lose") }),
			"number kind":    setColumn("kind", func(n int) arrow.Array { return strs("number", "any", "any", "any", "any") }),
			"fewer columns":  func(t *testing.T, mf *engine.ModelFile) { mf.Params["columns"] = `["x"]` },
			"dropped kept":   func(t *testing.T, mf *engine.ModelFile) { mf.Params["columns"] = `["x", "s", "k"]` },
			"renamed":        setColumn("new_name", func(n int) arrow.Array { return strs("z", "", "", "", "") }),
			"repeated":       setColumn("name", func(n int) arrow.Array { return strs("x", "s", "k", "k", "b") }),
			"kept as output": func(t *testing.T, mf *engine.ModelFile) { mf.Outputs = mf.Outputs[:1] },
		},
		// Keeps x, k, s and b, drops d.
		DropColumnsName: {
			"other column": func(t *testing.T, mf *engine.ModelFile) { mf.Params["columns"] = `["k"]` },
			"order":        setColumn("role", func(n int) arrow.Array { return strs("drop", "keep", "keep", "keep", "keep") }),
			"empty name":   setColumn("name", func(n int) arrow.Array { return strs("x", "k", "", "b", "d") }),
		},
		// Renames x to x2 and s to name.
		RenameColumnsName: {
			"new name":    setColumn("new_name", func(n int) arrow.Array { return strs("zz", "name") }),
			"no new name": setColumn("new_name", func(n int) arrow.Array { return strs("", "name") }),
			"fewer":       func(t *testing.T, mf *engine.ModelFile) { mf.Params["columns"] = `{"x": "x2"}` },
			"kept":        setColumn("role", func(n int) arrow.Array { return strs("keep", "rename") }),
		},
	}
	for _, c := range []fileCase{
		{"standard", StandardScaler{}, nil, nil, ""},
		{"min max", MinMaxScaler{}, nil, nil, ""},
		{"imputer", Imputer{}, nil, map[string]any{"strategy": "constant", "fill_value": 1, "add_indicator": true}, ""},
		{"one hot", OneHot{}, nil, nil, ""},
		{"ordinal", OrdinalEncoder{}, nil, nil, ""},
		{"target encoder", TargetEncoder{}, nil, nil, "y"},
		{"regex", RegexFeatures{}, nil, map[string]any{"patterns": `{"a": "a", "hi": "h"}`}, ""},
		{"hashed", HashedTokens{}, nil, map[string]any{"n_features": 4}, ""},
		{"log", LogTransform{}, nil, map[string]any{"function": "log", "offset": 5}, ""},
		{"clip", Clip{}, nil, nil, ""},
		{"bucketize", Bucketize{}, nil, nil, ""},
		{"select", SelectColumns{}, nil, map[string]any{"columns": `["x", "s"]`}, ""},
		{"drop", DropColumns{}, nil, map[string]any{"columns": `["d"]`}, ""},
		{"rename", RenameColumns{}, nil, map[string]any{"columns": `{"x": "x2", "s": "name"}`}, ""},
	} {
		m := c.fit(t, f)
		edits := map[string]edit{}
		for k, v := range common {
			edits[k] = v
		}
		for k, v := range specific[c.l.Name()] {
			edits[k] = v
		}
		for name, e := range edits {
			mf, err := m.Encode()
			if err != nil {
				t.Fatal(err)
			}
			e(t, mf)
			_, err = c.l.Decode(mf)
			if engine.KindOf(err) != engine.KindFormat {
				t.Errorf("%s, %s: got %v (%s), want a %s", c.name, name, err, engine.KindOf(err), engine.KindFormat)
			}
		}
		mf, _ := m.Encode()
		if _, err := c.l.Decode(mf); err != nil {
			t.Errorf("%s: the unedited file: %v", c.name, err)
		}
		if _, err := c.l.Decode(nil); engine.KindOf(err) != engine.KindFormat {
			t.Errorf("%s: a nil file: %v", c.name, err)
		}
	}
}

func stringLists(vals ...[]string) arrow.Array {
	w := &tableWriter{}
	w.stringLists("l", vals)
	return w.cols[0]
}

func floatListsOf(vals ...[]float64) arrow.Array {
	w := &tableWriter{}
	w.floatLists("l", vals)
	return w.cols[0]
}

func intListsOf(vals ...[]int64) arrow.Array {
	w := &tableWriter{}
	w.intLists("l", vals)
	return w.cols[0]
}

func boolLists(vals ...[]bool) arrow.Array {
	w := &tableWriter{}
	w.boolLists("l", vals)
	return w.cols[0]
}

// FuzzDecode feeds corrupt model files to every decoder, which must return
// an error of kind KindFormat or a model that can be applied, summarised
// and encoded again, and never panic.
func FuzzDecode(f *testing.F) {
	train := mixedFrame(f)
	defer train.Release()
	for _, c := range fileCases {
		f.Add(encodeBytes(f, c.fit(f, train)))
	}
	f.Fuzz(decodeAny)
}

// decodeAny decodes model file bytes with every learner and, when they
// make a model, applies, summarises and encodes it.
func decodeAny(t *testing.T, data []byte) {
	file, err := engine.UnmarshalModelFile(data)
	if err != nil {
		return
	}
	defer file.Release()
	for _, l := range allLearners {
		m, err := l.Decode(file)
		if err != nil {
			if engine.KindOf(err) != engine.KindFormat {
				t.Fatalf("%s: decode error of kind %s: %v", l.Name(), engine.KindOf(err), err)
			}
			continue
		}
		var cols []col
		for _, in := range m.Inputs() {
			switch {
			case in.Type == "bool":
				cols = append(cols, col{in.Name, boolsOf("t", "", "f")})
			case numericTypes[in.Type]:
				cols = append(cols, col{in.Name, f64(1, math.NaN(), -2)})
			default:
				known := "?"
				if len(in.Categories) > 0 {
					known = in.Categories[0]
				}
				cols = append(cols, col{in.Name, strs(known, "unseen", nullStr)})
			}
		}
		in := frameOf(t, cols...)
		if out, err := m.Apply(context.Background(), in, 2); err == nil {
			if got := fieldNames(m.Outputs()); !slices.Equal(out.Names(), got) {
				t.Errorf("%s: apply gives %q, outputs are %q", l.Name(), out.Names(), got)
			}
			out.Release()
		}
		in.Release()
		if _, err := json.Marshal(m.Summary()); err != nil {
			t.Errorf("%s: summary: %v", l.Name(), err)
		}
		mf, err := m.Encode()
		if err != nil {
			t.Fatalf("%s: encode: %v", l.Name(), err)
		}
		if _, err := mf.Marshal(); err != nil {
			t.Errorf("%s: marshal: %v", l.Name(), err)
		}
		mf.Release()
	}
}
