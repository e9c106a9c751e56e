package export_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
	"github.com/quiver-ml/quiver/estimators"
	_ "github.com/quiver-ml/quiver/estimators/preprocess"
	"github.com/quiver-ml/quiver/pipeline"
)

// prepData says what prepRecord puts in its columns.
type prepData struct {
	n    int
	seed uint64
	// unseen adds levels training never saw to color and size.
	unseen bool
	// sizeNulls puts missing values in size.
	sizeNulls bool
	// negative puts values below -1 in b, outside log1p's domain.
	negative bool
}

// prepRecord is rows for the feature steps: numbers with nulls and NaN
// (float64 a, float32 b, int64 k, a column cst that is constant but for
// nulls), a string column color and a dictionary column size whose levels
// are skewed (for infrequent levels), a bool flag with nulls, and targets:
// y (float64) and yb (two strings).
func prepRecord(d prepData) arrow.Record {
	rng := rand.New(rand.NewPCG(d.seed, 11))
	mem := memory.DefaultAllocator
	a, cst, y := array.NewFloat64Builder(mem), array.NewFloat64Builder(mem), array.NewFloat64Builder(mem)
	b, k := array.NewFloat32Builder(mem), array.NewInt64Builder(mem)
	color, yb := array.NewStringBuilder(mem), array.NewStringBuilder(mem)
	size := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	flag := array.NewBooleanBuilder(mem)
	colors := []string{"red", "green", "blue", "teal"}
	sizes := []string{"S", "S", "S", "S", "S", "S", "S", "S", "S", "S", "M", "M", "M", "M", "M", "L", "L", "L", "XL", "XL", "XXL"}
	for range d.n {
		av := rng.NormFloat64()*3 + 1
		switch r := rng.IntN(25); {
		case r < 2:
			a.AppendNull()
		case r == 2:
			a.Append(math.NaN())
		default:
			a.Append(av)
		}
		bv := float32(math.Exp(rng.NormFloat64()))
		if d.negative && rng.IntN(40) == 0 {
			bv = -1.5
		}
		if rng.IntN(20) == 0 {
			b.AppendNull()
		} else {
			b.Append(bv)
		}
		kv := int64(rng.IntN(21))
		if rng.IntN(16) == 0 {
			k.AppendNull()
		} else {
			k.Append(kv)
		}
		if rng.IntN(10) == 0 {
			cst.AppendNull()
		} else {
			cst.Append(2.5)
		}
		c := rng.IntN(len(colors))
		switch {
		case d.unseen && rng.IntN(9) == 0:
			color.Append("violet")
		case rng.IntN(12) == 0:
			color.AppendNull()
		default:
			color.Append(colors[c])
		}
		s := sizes[rng.IntN(len(sizes))]
		switch {
		case d.unseen && rng.IntN(10) == 0:
			if err := size.AppendString("XS"); err != nil {
				panic(err)
			}
		case d.sizeNulls && rng.IntN(11) == 0:
			size.AppendNull()
		default:
			if err := size.AppendString(s); err != nil {
				panic(err)
			}
		}
		f := rng.IntN(3) == 0
		if rng.IntN(14) == 0 {
			flag.AppendNull()
		} else {
			flag.Append(f)
		}
		z := av + 0.5*float64(bv) - float64(c) + 2*float64(b2i(f)) + float64(len(s)) + rng.NormFloat64()
		y.Append(z)
		yb.Append([]string{"no", "yes"}[b2i(z > 1)])
	}
	names := []string{"a", "b", "k", "cst", "color", "size", "flag", "y", "yb"}
	return recordOf(names, []array.Builder{a, b, k, cst, color, size, flag, y, yb}, d.n)
}

// sameStepOutputs checks that the scorer's outputs are the step's Apply:
// float64 columns bit for bit, bool columns (the imputer's bool columns and
// indicators, regex_features' matches) as bools, nulls where Apply has
// them. A scorer writes every number as float64, so a column Apply keeps in
// another numeric type (a column step's float32 or int64 input) must hold
// the same value; a missing value is NaN. Other columns (strings) must read
// the same.
func sameStepOutputs(t *testing.T, m estimators.Model, rec, got arrow.Record) {
	t.Helper()
	eachOutput(t, m, rec, got, func(name string, w, g arrow.Array) {
		gf, isFloat := g.(*array.Float64)
		for i := range w.Len() {
			var wv float64
			switch wa := w.(type) {
			case *array.Float64:
				wv = wa.Value(i)
			case *array.Float32:
				wv = float64(wa.Value(i))
			case *array.Int64:
				wv = float64(wa.Value(i))
			case *array.Boolean:
				gb, ok := g.(*array.Boolean)
				if !ok {
					t.Fatalf("%s: the scorer wrote %s, want bool for Apply's bool", name, g.DataType())
				}
				if wa.IsNull(i) != gb.IsNull(i) || (!wa.IsNull(i) && wa.Value(i) != gb.Value(i)) {
					t.Fatalf("%s row %d: %v, want %v", name, i, gb.ValueStr(i), wa.ValueStr(i))
				}
				continue
			default:
				if ws, gs := w.ValueStr(i), g.ValueStr(i); ws != gs {
					t.Fatalf("%s row %d: %q, want %q", name, i, gs, ws)
				}
				continue
			}
			if !isFloat {
				t.Fatalf("%s: the scorer wrote %s, want float64 for Apply's %s", name, g.DataType(), w.DataType())
			}
			if w.IsNull(i) {
				wv = math.NaN()
			}
			if gv := gf.Value(i); math.Float64bits(gv) != math.Float64bits(wv) && !(w.IsNull(i) && gv != gv) {
				t.Fatalf("%s row %d: %v, want %v (bit for bit)", name, i, gv, wv)
			}
		}
	})
}

// TestPreprocessScorersMatchApply exports each feature step (one scorer per
// step and per option that changes its arithmetic), scores held-out rows
// with missing values, NaN and unseen levels, and checks the outputs
// against Apply; for the options under which Apply refuses rows, the
// scorer must refuse them too.
func TestPreprocessScorersMatchApply(t *testing.T) {
	needGo(t)
	train := prepRecord(prepData{n: 2000, seed: 1, sizeNulls: false})
	defer train.Release()
	trainNA := prepRecord(prepData{n: 2000, seed: 5, sizeNulls: true})
	defer trainNA.Release()
	test := prepRecord(prepData{n: 600, seed: 2, unseen: true, sizeNulls: true})
	defer test.Release()
	known := prepRecord(prepData{n: 600, seed: 3, sizeNulls: true})
	defer known.Release()
	clean := prepRecord(prepData{n: 400, seed: 4})
	defer clean.Release()
	negative := prepRecord(prepData{n: 400, seed: 6, negative: true})
	defer negative.Release()
	data := frameOf(t, train)
	defer data.Release()
	dataNA := frameOf(t, trainNA)
	defer dataNA.Release()

	numeric := []string{"a", "b", "k", "cst", "flag"}
	text := []string{"color", "size", "flag"}
	for _, tc := range []struct {
		name    string
		learner string
		na      bool // fit on the frame where size has nulls
		spec    estimators.Spec
		params  map[string]any
		test    arrow.Record // rows scored and compared; test if nil
		bad     arrow.Record // rows Apply and the scorer must refuse
		badText string       // in the scorer's error
	}{
		{name: "standard", learner: "standard_scaler", spec: estimators.Spec{Features: numeric}},
		{name: "standard_nomean", learner: "standard_scaler", spec: estimators.Spec{Features: numeric}, params: map[string]any{"with_mean": false}},
		{name: "standard_nostd", learner: "standard_scaler", spec: estimators.Spec{Features: numeric}, params: map[string]any{"with_std": false}},
		{name: "minmax", learner: "min_max_scaler", spec: estimators.Spec{Features: numeric}},
		{name: "minmax_clip", learner: "min_max_scaler", spec: estimators.Spec{Features: numeric},
			params: map[string]any{"feature_range_low": -1.0, "feature_range_high": 3.0, "clip": true}},
		{name: "impute_mean", learner: "imputer", spec: estimators.Spec{Features: numeric}, params: map[string]any{"add_indicator": true}},
		{name: "impute_median", learner: "imputer", spec: estimators.Spec{Features: []string{"a", "b", "k"}}, params: map[string]any{"strategy": "median"}},
		// Scorers write categories as codes into known ones: an unseen
		// string cannot be written back, so text columns are imputed on
		// rows of known levels.
		{name: "impute_frequent", learner: "imputer", na: true, spec: estimators.Spec{Features: []string{"a", "k", "color", "size", "flag"}},
			params: map[string]any{"strategy": "most_frequent", "add_indicator": true}, test: known},
		{name: "impute_constant", learner: "imputer", na: true, spec: estimators.Spec{Features: []string{"a", "color", "size", "flag"}},
			params: map[string]any{"strategy": "constant", "fill_value": 1.0, "fill_text": "none", "add_indicator": true}, test: known},
		{name: "onehot", learner: "one_hot", spec: estimators.Spec{Features: text}},
		{name: "onehot_infrequent", learner: "one_hot", na: true, spec: estimators.Spec{Features: text}, params: map[string]any{"max_categories": 3}},
		{name: "onehot_error", learner: "one_hot", spec: estimators.Spec{Features: text}, params: map[string]any{"handle_unknown": "error", "max_categories": 4},
			test: clean, bad: test, badText: "unseen in training"},
		{name: "ordinal", learner: "ordinal_encoder", spec: estimators.Spec{Features: text}},
		{name: "ordinal_value", learner: "ordinal_encoder", spec: estimators.Spec{Features: text}, params: map[string]any{"handle_unknown": "use_encoded_value", "unknown_value": -7.5}},
		{name: "ordinal_error", learner: "ordinal_encoder", na: true, spec: estimators.Spec{Features: text}, params: map[string]any{"handle_unknown": "error"},
			test: known, bad: test, badText: "unseen in training"},
		{name: "target", learner: "target_encoder", na: true, spec: estimators.Spec{Target: "y", Features: text}, params: map[string]any{"smooth": 3.5}},
		{name: "target_binary", learner: "target_encoder", spec: estimators.Spec{Target: "yb", Features: text}},
		{name: "log1p", learner: "log_transform", spec: estimators.Spec{Features: []string{"b", "k", "cst"}},
			bad: negative, badText: "which is negative once the offset 0 is added"},
		{name: "log", learner: "log_transform", spec: estimators.Spec{Features: []string{"b", "k", "cst"}}, params: map[string]any{"function": "log", "offset": 0.25},
			bad: negative, badText: "which is negative or zero once the offset 0.25 is added"},
		{name: "clip_quantile", learner: "clip", spec: estimators.Spec{Features: numeric}, params: map[string]any{"quantile_low": 0.1, "quantile_high": 0.85}},
		{name: "clip_value", learner: "clip", spec: estimators.Spec{Features: numeric}, params: map[string]any{"bounds": "value", "low": -0.5}},
		{name: "bucketize", learner: "bucketize", spec: estimators.Spec{Features: numeric}, params: map[string]any{"n_buckets": 7}},
		{name: "bucketize_uniform", learner: "bucketize", spec: estimators.Spec{Features: numeric}, params: map[string]any{"strategy": "uniform", "n_buckets": 4}},
		{name: "select", learner: "select_columns", params: map[string]any{"columns": `["k", "a", "b", "flag", "y"]`}},
		{name: "drop", learner: "drop_columns", spec: estimators.Spec{Target: "yb"}, params: map[string]any{"columns": `["color", "size", "cst"]`}},
		{name: "rename", learner: "rename_columns", params: map[string]any{"columns": `{"a": "k", "k": "a", "flag": "is_set"}`}},
		// Text steps read the raw strings of a utf8 column (color) and
		// of a dictionary one (size), unseen values and nulls among them.
		{name: "regex", learner: "regex_features", spec: estimators.Spec{Features: []string{"color", "size"}},
			params: map[string]any{"patterns": `{"r": "^r", "e": "e+", "x": "X", "empty": "^$"}`}},
		{name: "hashed", learner: "hashed_tokens", spec: estimators.Spec{Features: []string{"color", "size"}}, params: map[string]any{"n_features": 5}},
		{name: "hashed_group", learner: "hashed_tokens", spec: estimators.Spec{Features: []string{"color"}},
			params: map[string]any{"n_features": 3, "lowercase": false, "token_pattern": `(e)|[a-z]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := data
			if tc.na {
				d = dataNA
			}
			m := fitSpec(t, tc.learner, d, tc.spec, tc.params)
			exe := buildExe(t, m)
			rows := tc.test
			if rows == nil {
				rows = test
			}
			got := scoreWithExe(t, exe, rows)
			defer got.Release()
			sameStepOutputs(t, m, rows, got)
			if tc.bad == nil {
				return
			}
			f := frameOf(t, tc.bad)
			defer f.Release()
			if out, err := m.Apply(context.Background(), f, 2); err == nil {
				out.Release()
				t.Fatal("Apply accepted the rows meant to be refused")
			}
			if msg := scoreRefused(t, exe, tc.bad); !strings.Contains(msg, tc.badText) {
				t.Errorf("the scorer's error %q does not say %q", msg, tc.badText)
			}
		})
	}
}

// TestTextOutputs exports steps that pass a text column on to their
// outputs, and checks that the scorer writes it as Apply does, nulls and
// unseen values included.
func TestTextOutputs(t *testing.T) {
	needGo(t)
	train := prepRecord(prepData{n: 300, seed: 1})
	defer train.Release()
	test := prepRecord(prepData{n: 200, seed: 2, unseen: true})
	defer test.Release()
	data := frameOf(t, train)
	defer data.Release()
	for _, tc := range []struct {
		learner string
		spec    estimators.Spec
		params  map[string]any
	}{
		{"select_columns", estimators.Spec{}, map[string]any{"columns": `["a", "color"]`}},
		{"regex_features", estimators.Spec{Features: []string{"color"}}, map[string]any{"patterns": `{"r": "^r"}`, "keep_input": true}},
	} {
		t.Run(tc.learner, func(t *testing.T) {
			m := fitSpec(t, tc.learner, data, tc.spec, tc.params)
			exe := buildExe(t, m)
			got := scoreWithExe(t, exe, test)
			defer got.Release()
			sameOutputs(t, m, test, got)
		})
	}
}

// TestTextRefusal checks that a text step cannot read category codes
// computed from something other than an input column, which have lost
// unseen values' text, and says so.
func TestTextRefusal(t *testing.T) {
	train := prepRecord(prepData{n: 300, seed: 1})
	defer train.Release()
	data := frameOf(t, train)
	defer data.Release()
	m := fitSpec(t, "hashed_tokens", data, estimators.Spec{Features: []string{"color"}}, nil)
	g := estimators.NewGen(map[string]estimators.Value{"color": {Expr: "inC0[i]", Categorical: true, Categories: []string{"blue", "red"}}})
	err := m.(estimators.Compiler).Compile(g)
	if err == nil || !strings.Contains(err.Error(), "not as its text") || engine.KindOf(err) != engine.KindType {
		t.Errorf("hashed_tokens on category codes: Compile: %v, want a KindType error saying it needs the text", err)
	}
}

// chainStep is a step to fit in a chain: a learner, its spec and its
// hyperparameters.
type chainStep struct {
	learner string
	spec    estimators.Spec
	params  map[string]any
}

// fitChain fits the steps one after another, each on the frame the steps
// before it make of data (as a pipeline passes it on), and returns them
// as a pipeline.
func fitChain(t *testing.T, data *engine.Frame, steps []chainStep) estimators.Model {
	t.Helper()
	var fitted []pipeline.Step
	cur := data
	for i, s := range steps {
		m := fitSpec(t, s.learner, cur, s.spec, s.params)
		fitted = append(fitted, pipeline.Step{Name: fmt.Sprintf("step%d", i), Model: m})
		p, err := pipeline.New(fitted)
		if err != nil {
			t.Fatal(err)
		}
		if i == len(steps)-1 {
			return p
		}
		out, err := p.Apply(context.Background(), data, 2)
		if err != nil {
			t.Fatal(err)
		}
		drop := map[string]bool{}
		for _, r := range p.(estimators.Transformer).Replaces() {
			drop[r] = true
		}
		for _, n := range out.Names() {
			drop[n] = true
		}
		var names []string
		var cols []arrow.Array
		for j, n := range data.Names() {
			if !drop[n] {
				names, cols = append(names, n), append(cols, data.Columns()[j])
			}
		}
		names, cols = append(names, out.Names()...), append(cols, out.Columns()...)
		for _, c := range cols {
			c.Retain()
		}
		out.Release()
		if cur, err = engine.NewFrame(names, cols); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cur.Release)
	}
	return nil
}

// TestPreprocessPipelineScorersMatchApply exports chains of feature steps,
// where each step reads what the steps before it compiled (the imputer's
// categories with its fill value among them, unseen levels passed on as
// unseen, bool columns and indicators as 0/1), and checks the scorers
// against the pipelines' Apply.
func TestPreprocessPipelineScorersMatchApply(t *testing.T) {
	needGo(t)
	train := prepRecord(prepData{n: 2000, seed: 5, sizeNulls: true})
	defer train.Release()
	test := prepRecord(prepData{n: 600, seed: 2, unseen: true, sizeNulls: true})
	defer test.Release()
	data := frameOf(t, train)
	defer data.Release()
	for _, tc := range []struct {
		name  string
		steps []chainStep
	}{
		{"features", []chainStep{
			{"imputer", estimators.Spec{Features: []string{"a", "color", "size", "flag"}},
				map[string]any{"strategy": "constant", "fill_value": 1.0, "fill_text": "none", "add_indicator": true}},
			{"one_hot", estimators.Spec{Features: []string{"color", "size"}}, map[string]any{"max_categories": 4}},
			{"ordinal_encoder", estimators.Spec{Features: []string{"flag"}}, nil},
			{"standard_scaler", estimators.Spec{Features: []string{"a", "a_missing", "flag"}}, nil},
			{"bucketize", estimators.Spec{Features: []string{"k"}}, map[string]any{"n_buckets": 3}},
			{"drop_columns", estimators.Spec{Target: "y"}, map[string]any{"columns": `["yb", "cst"]`}},
			{"rename_columns", estimators.Spec{Target: "y"}, map[string]any{"columns": `{"b": "bee", "color_blue": "blue"}`}},
		}},
		// Text steps before a model; size, which gbdt reads as a
		// category, reaches it as text after the rename and is looked up
		// by name.
		{"text", []chainStep{
			{"hashed_tokens", estimators.Spec{Features: []string{"color"}}, map[string]any{"n_features": 4}},
			{"rename_columns", estimators.Spec{Target: "y"}, map[string]any{"columns": `{"size": "sz"}`}},
			{"gbdt", estimators.Spec{Target: "y", Features: []string{"a", "color_h0", "color_h1", "color_h2", "color_h3", "sz", "k"}},
				map[string]any{"max_iter": 10, "num_leaves": 7}},
		}},
		// The imputer reads color as categories, a text step its filled
		// text after a rename: the scorer reads color's text, codes it
		// for the imputer, and hands the filled text on.
		{"impute then tokenize", []chainStep{
			{"imputer", estimators.Spec{Features: []string{"color", "size"}}, map[string]any{"strategy": "most_frequent"}},
			{"rename_columns", estimators.Spec{Target: "y"}, map[string]any{"columns": `{"color": "colour"}`}},
			{"hashed_tokens", estimators.Spec{Features: []string{"colour"}}, map[string]any{"n_features": 4}},
			{"one_hot", estimators.Spec{Features: []string{"size"}}, nil},
			{"drop_columns", estimators.Spec{Target: "y"}, map[string]any{"columns": `["yb"]`}},
		}},
		{"gbdt", []chainStep{
			{"imputer", estimators.Spec{Features: []string{"a", "color", "size"}},
				map[string]any{"strategy": "most_frequent", "add_indicator": true}},
			{"target_encoder", estimators.Spec{Target: "y", Features: []string{"color"}}, nil},
			{"one_hot", estimators.Spec{Features: []string{"size", "flag"}}, nil},
			{"log_transform", estimators.Spec{Features: []string{"b"}}, nil},
			{"gbdt", estimators.Spec{Target: "y", Features: []string{"a", "a_missing", "color", "size_S", "size_M", "flag_true", "b", "k"}},
				map[string]any{"max_iter": 15, "num_leaves": 15}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fitChain(t, data, tc.steps)
			for _, exe := range []string{buildExe(t, m), buildGoHarness(t, m)} {
				got := scoreWithExe(t, exe, test)
				sameStepOutputs(t, m, test, got)
				got.Release()
			}
		})
	}
}
