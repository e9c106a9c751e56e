package runtime_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime"
	"github.com/quiver-ml/quiver/export/runtime/arrowgo"
	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/toy"
)

// column is a test column: its Arrow type and values (nil for null).
type column struct {
	name string
	typ  arrow.DataType
	vals []any
}

// record builds a record from columns with arrow-go, appending each value
// with the builder of the column's type, and views it as the runtime's.
func record(t testing.TB, cols ...column) *columnar.Record {
	t.Helper()
	return fromArrow(t, arrowRecord(t, cols...))
}

// fromArrow views an arrow-go record as the runtime's.
func fromArrow(t testing.TB, rec arrow.Record) *columnar.Record {
	t.Helper()
	c, err := arrowgo.FromRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// predict is s.PredictRecord with the output as an arrow-go record, to
// check with arrow-go's accessors.
func predict(t testing.TB, s *runtime.Scorer, rec *columnar.Record) (arrow.Record, error) {
	t.Helper()
	out, err := s.PredictRecord(rec)
	if err != nil {
		return nil, err
	}
	a, err := arrowgo.ToRecord(out, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	return a, nil
}

// arrowRecord builds an arrow-go record from columns.
func arrowRecord(t testing.TB, cols ...column) arrow.Record {
	t.Helper()
	mem := memory.DefaultAllocator
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	n := 0
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
		bld := array.NewBuilder(mem, c.typ)
		for _, v := range c.vals {
			appendValue(t, bld, v)
		}
		arrs[i] = bld.NewArray()
		bld.Release()
		n = len(c.vals)
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec
}

// appendValue appends v to bld: nil as a null, an int to any number
// builder.
func appendValue(t testing.TB, bld array.Builder, v any) {
	t.Helper()
	if v == nil {
		bld.AppendNull()
		return
	}
	if i, ok := v.(int); ok {
		switch bld.(type) {
		case *array.Float64Builder:
			v = float64(i)
		case *array.Float32Builder:
			v = float32(i)
		}
	}
	switch b := bld.(type) {
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.Float32Builder:
		b.Append(v.(float32))
	case *array.Int64Builder:
		b.Append(int64(v.(int)))
	case *array.Int32Builder:
		b.Append(int32(v.(int)))
	case *array.Uint8Builder:
		b.Append(uint8(v.(int)))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.LargeStringBuilder:
		b.Append(v.(string))
	case *array.BinaryDictionaryBuilder:
		if err := b.AppendString(v.(string)); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("no test builder for %s", bld.Type())
	}
}

var (
	f64  = arrow.PrimitiveTypes.Float64
	i64  = arrow.PrimitiveTypes.Int64
	utf8 = arrow.BinaryTypes.String
	bln  = arrow.FixedWidthTypes.Boolean
	dict = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
)

func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestBatchFromRecord(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name      string
		cols      []column
		x, flag   []float64
		color     []int32
		wantError string
	}{
		{
			name: "plain types",
			cols: []column{
				{"x", f64, []any{1.5, nil, 3.0}},
				{"flag", bln, []any{true, false, nil}},
				{"color", utf8, []any{"red", nil, "purple"}},
			},
			x: []float64{1.5, nan, 3}, flag: []float64{1, 0, nan}, color: []int32{0, runtime.Missing, runtime.Unseen},
		},
		{
			name: "ints, 0/1 flag, dictionary, extra column",
			cols: []column{
				{"id", utf8, []any{"a", "b"}},
				{"color", dict, []any{"blue", nil}},
				{"flag", i64, []any{1, 0}},
				{"x", arrow.PrimitiveTypes.Int32, []any{7, nil}},
			},
			x: []float64{7, nan}, flag: []float64{1, 0}, color: []int32{2, runtime.Missing},
		},
		{
			name: "large utf8 and float32",
			cols: []column{
				{"x", arrow.PrimitiveTypes.Float32, []any{float32(0.5)}},
				{"flag", arrow.PrimitiveTypes.Uint8, []any{0}},
				{"color", arrow.BinaryTypes.LargeString, []any{"green"}},
			},
			x: []float64{0.5}, flag: []float64{0}, color: []int32{1},
		},
		{
			name: "missing column",
			cols: []column{
				{"x", f64, []any{1.0}},
				{"flag", bln, []any{true}},
			},
			wantError: `column "color" is missing`,
		},
		{
			name: "text for a number",
			cols: []column{
				{"x", utf8, []any{"1"}},
				{"flag", bln, []any{true}},
				{"color", utf8, []any{"red"}},
			},
			wantError: `column "x" has type utf8; the model reads it as a number`,
		},
		{
			name: "flag of 2",
			cols: []column{
				{"x", f64, []any{1.0}},
				{"flag", i64, []any{2}},
				{"color", utf8, []any{"red"}},
			},
			wantError: `column "flag" row 0: 2 is not a boolean`,
		},
		{
			name: "float category",
			cols: []column{
				{"x", f64, []any{1.0}},
				{"flag", bln, []any{true}},
				{"color", f64, []any{1.0}},
			},
			wantError: `column "color" has type float64; the model reads it as a category`,
		},
	}
	s := toy.Scorer()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := record(t, c.cols...)
			b, err := s.BatchFromRecord(rec)
			if c.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantError) {
					t.Fatalf("error %v, want one containing %q", err, c.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloats(b.Floats[0], c.x) || !sameFloats(b.Floats[1], c.flag) {
				t.Errorf("floats %v %v, want %v %v", b.Floats[0], b.Floats[1], c.x, c.flag)
			}
			for i := range c.color {
				if b.Codes[2][i] != c.color[i] {
					t.Errorf("codes %v, want %v", b.Codes[2], c.color)
					break
				}
			}
		})
	}
}

func TestPredictRecord(t *testing.T) {
	s := toy.Scorer()
	rec := record(t,
		column{"id", i64, []any{1, 2, 3}},
		column{"x", f64, []any{0.0, nil, -5.0}},
		column{"flag", bln, []any{false, true, false}},
		column{"color", utf8, []any{"red", "blue", "teal"}},
		column{"score", utf8, []any{"old", "old", "old"}},
	)
	out, err := predict(t, s, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	var names []string
	for _, f := range out.Schema().Fields() {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, ","), "id,x,flag,color,score,probability_yes,prediction"; got != want {
		t.Fatalf("columns %s, want %s", got, want)
	}
	score := out.Column(4).(*array.Float64).Float64Values()
	if !sameFloats(score, []float64{0, 4, 5}) {
		t.Errorf("score %v, want [0 4 5]", score)
	}
	pred := out.Column(6).(*array.String)
	for i, want := range []string{"no", "yes", "yes"} {
		if pred.Value(i) != want {
			t.Errorf("prediction %d = %q, want %q", i, pred.Value(i), want)
		}
	}

	// The model's own error, and a panic, come back as errors.
	bad := record(t,
		column{"x", f64, []any{nil}},
		column{"flag", bln, []any{false}},
		column{"color", utf8, []any{nil}},
	)
	var me *runtime.ModelError
	if _, err := s.PredictRecord(bad); err == nil || !errors.As(err, &me) {
		t.Errorf("error %v, want a model error", err)
	}
	p := toy.Scorer()
	p.Score = func(*runtime.Batch, *runtime.Result) error { panic("boom") }
	if _, err := p.PredictRecord(rec); err == nil || !strings.Contains(err.Error(), "model panicked: boom") {
		t.Errorf("error %v, want the panic", err)
	}
}

func TestLabelTypes(t *testing.T) {
	for _, c := range []struct {
		typ, want string
		labels    []string
	}{
		{"int64", "[0 7]", []string{"0", "7"}},
		{"bool", "[false true]", []string{"false", "true"}},
		{"float64", "[0.5 1.5]", []string{"0.5", "1.5"}},
		{"utf8", `["no" "yes"]`, []string{"no", "yes"}},
	} {
		s := toy.Scorer()
		s.Outputs[2].Labels, s.Outputs[2].LabelType = c.labels, c.typ
		rec := record(t,
			column{"x", f64, []any{0.0, 3.0}},
			column{"flag", bln, []any{false, false}},
			column{"color", utf8, []any{"red", "red"}},
		)
		out, err := predict(t, s, rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Column(5).String(); got != c.want || out.Schema().Field(5).Type.String() != c.typ {
			t.Errorf("%s labels %s of type %s, want %s", c.typ, got, out.Schema().Field(5).Type, c.want)
		}
		out.Release()
	}
	s := toy.Scorer()
	s.Outputs[2].LabelType = "int64"
	if _, err := s.BatchFromRecord(record(t)); err == nil || !strings.Contains(err.Error(), `label "no" does not parse as int64`) {
		t.Errorf("error %v for unparsable labels", err)
	}
}

// textScorer reads one Text input, w, and scores nothing.
func textScorer() *runtime.Scorer {
	return &runtime.Scorer{
		Name:    "texter",
		Inputs:  []runtime.Column{{Name: "w", Kind: runtime.Text, Type: "utf8"}},
		Outputs: []runtime.Column{{Name: "n", Kind: runtime.Float, Type: "float64"}},
		Score:   func(*runtime.Batch, *runtime.Result) error { return nil },
	}
}

// TestTextInputs reads a Text input from every column type that holds
// text, and from JSON rows: each row's code indexes its value, a null is
// Missing, and an empty string is a value.
func TestTextInputs(t *testing.T) {
	s := textScorer()
	texts := func(b *runtime.Batch) []any {
		out := make([]any, b.N)
		for i, c := range b.Codes[0] {
			if c >= 0 {
				out[i] = b.Strings[0][c]
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		col  column
		want []any
	}{
		{"utf8", column{"w", utf8, []any{"a b", nil, "", "a b"}}, []any{"a b", nil, "", "a b"}},
		{"large_utf8", column{"w", arrow.BinaryTypes.LargeString, []any{"x", nil}}, []any{"x", nil}},
		{"dictionary", column{"w", dict, []any{"p", "q", nil, "p"}}, []any{"p", "q", nil, "p"}},
		{"int64", column{"w", i64, []any{12, nil}}, []any{"12", nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := record(t, tc.col)
			b, err := s.BatchFromRecord(rec)
			if err != nil {
				t.Fatal(err)
			}
			if got := texts(b); !slices.Equal(got, tc.want) {
				t.Errorf("texts %v, want %v", got, tc.want)
			}
		})
	}
	rec := record(t, column{"w", f64, []any{1.5}})
	if _, err := s.BatchFromRecord(rec); err == nil || !strings.Contains(err.Error(), `column "w" has type float64; the model reads it as a text`) {
		t.Errorf("a float64 column read as text: %v", err)
	}
	b, err := s.BatchFromJSON([]byte(`[{"w": "hi"}, {"w": null}, {"w": ""}, {"w": 7}]`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := texts(b), []any{"hi", nil, "", "7"}; !slices.Equal(got, want) {
		t.Errorf("JSON texts %v, want %v", got, want)
	}
}

// TestVectorInputs reads a Vector input from fixed_size_list columns of
// several element types (whole, and sliced at an offset), a null list or
// element as NaN, and from JSON arrays; and refuses other types, another
// width and malformed JSON, naming the column.
func TestVectorInputs(t *testing.T) {
	s := &runtime.Scorer{
		Name:    "vectors",
		Inputs:  []runtime.Column{{Name: "v", Kind: runtime.Vector, Type: "fixed_size_list<item: float32, nullable>[2]", Width: 2}},
		Outputs: []runtime.Column{{Name: "n", Kind: runtime.Float, Type: "float64"}},
		Score:   func(*runtime.Batch, *runtime.Result) error { return nil },
	}
	nan := math.NaN()
	// fill appends rows to lb, nil as a null list, and returns the column.
	fill := func(lb array.ListLikeBuilder, rows [][]any) arrow.Array {
		defer lb.Release()
		for _, r := range rows {
			if r == nil {
				lb.AppendNull()
				continue
			}
			lb.Append(true)
			for _, v := range r {
				appendValue(t, lb.ValueBuilder(), v)
			}
		}
		return lb.NewArray()
	}
	list := func(elem arrow.DataType, width int32, rows [][]any) arrow.Array {
		return fill(array.NewFixedSizeListBuilder(memory.DefaultAllocator, width, elem), rows)
	}
	// varList builds a list (or large_list) column: a null list has no
	// values, as pyarrow makes them.
	varList := func(large bool, elem arrow.DataType, rows [][]any) arrow.Array {
		if large {
			return fill(array.NewLargeListBuilder(memory.DefaultAllocator, elem), rows)
		}
		return fill(array.NewListBuilder(memory.DefaultAllocator, elem), rows)
	}
	rows := [][]any{{1, 2}, nil, {3, nil}, {-4, 5}}
	full := [][]any{{1, 2}, {3, nil}, {-4, 5}}
	for _, tc := range []struct {
		name   string
		arr    arrow.Array
		lo, hi int64
		want   []float64
	}{
		{"float32", list(arrow.PrimitiveTypes.Float32, 2, rows), 0, 4, []float64{1, 2, nan, nan, 3, nan, -4, 5}},
		{"int64", list(arrow.PrimitiveTypes.Int64, 2, rows), 0, 4, []float64{1, 2, nan, nan, 3, nan, -4, 5}},
		{"float64 sliced", list(arrow.PrimitiveTypes.Float64, 2, rows), 1, 4, []float64{nan, nan, 3, nan, -4, 5}},
		{"list with a null", varList(false, arrow.PrimitiveTypes.Float64, rows), 0, 4, []float64{1, 2, nan, nan, 3, nan, -4, 5}},
		{"list sliced", varList(false, arrow.PrimitiveTypes.Float32, rows), 1, 4, []float64{nan, nan, 3, nan, -4, 5}},
		{"list, rows one after another", varList(false, arrow.PrimitiveTypes.Int32, full), 1, 3, []float64{3, nan, -4, 5}},
		{"large_list", varList(true, arrow.PrimitiveTypes.Float64, full), 0, 3, []float64{1, 2, 3, nan, -4, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			arr := array.NewSlice(tc.arr, tc.lo, tc.hi)
			defer arr.Release()
			tc.arr.Release()
			rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "v", Type: arr.DataType(), Nullable: true}}, nil), []arrow.Array{arr}, int64(arr.Len()))
			b, err := s.BatchFromRecord(fromArrow(t, rec))
			if err != nil {
				t.Fatal(err)
			}
			if !sameFloats(b.Floats[0], tc.want) {
				t.Errorf("values %v, want %v", b.Floats[0], tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, err string
		arr       arrow.Array
	}{
		{"width 3", `column "v" has type fixed_size_list`, list(arrow.PrimitiveTypes.Float64, 3, [][]any{{1, 2, 3}})},
		{"strings", `column "v" has type fixed_size_list`, list(arrow.BinaryTypes.String, 2, [][]any{{"a", "b"}})},
		{"a list too short", `column "v" row 1: a list of 1 numbers; the model reads vectors of 2`,
			varList(false, arrow.PrimitiveTypes.Float64, [][]any{{1, 2}, {3}})},
		{"a list of strings", `column "v" has type list`, varList(false, arrow.BinaryTypes.String, [][]any{{"a", "b"}})},
	} {
		rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "v", Type: tc.arr.DataType(), Nullable: true}}, nil), []arrow.Array{tc.arr}, int64(tc.arr.Len()))
		tc.arr.Release()
		if _, err := s.BatchFromRecord(fromArrow(t, rec)); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.err)
		}
	}
	rec := record(t, column{"v", f64, []any{1.5}})
	if _, err := s.BatchFromRecord(rec); err == nil || !strings.Contains(err.Error(), `column "v" has type float64; the model reads it as a vector of 2 numbers`) {
		t.Errorf("a float64 column read as a vector: %v", err)
	}

	b, err := s.BatchFromJSON([]byte(`[{"v": [1, 2.5]}, {"v": null}, {"v": [null, -3]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1, 2.5, nan, nan, nan, -3}; !sameFloats(b.Floats[0], want) {
		t.Errorf("JSON values %v, want %v", b.Floats[0], want)
	}
	for _, bad := range []struct{ body, err string }{
		{`[{"v": [1]}]`, `row 0: column "v": want an array of 2 numbers, got 1`},
		{`[{"v": 1}]`, `row 0: column "v": want an array of 2 numbers, got a number`},
		{`[{"v": ["a", 1]}]`, `row 0: column "v": want an array of 2 numbers or nulls`},
	} {
		if _, err := s.BatchFromJSON([]byte(bad.body)); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("%s: %v, want %q", bad.body, err, bad.err)
		}
	}
}

// TestTextOutputs passes a Text input on as a Text output: the Arrow
// column holds the values and nulls, the JSON escapes what JSON must, and
// a code out of range is an error.
func TestTextOutputs(t *testing.T) {
	s := &runtime.Scorer{
		Name:    "echo",
		Inputs:  []runtime.Column{{Name: "w", Kind: runtime.Text, Type: "utf8"}},
		Outputs: []runtime.Column{{Name: "w2", Kind: runtime.Text, Type: "utf8"}},
		Score: func(in *runtime.Batch, out *runtime.Result) error {
			out.Strings[0] = in.Strings[0]
			copy(out.Codes[0], in.Codes[0])
			return nil
		},
	}
	rec := record(t, column{"w", utf8, []any{"a\"b", nil, "tab\there", "bad\xffbyte"}})
	got, err := predict(t, s, rec)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	col := got.Column(1).(*array.String)
	if col.Value(0) != "a\"b" || !col.IsNull(1) || col.Value(2) != "tab\there" {
		t.Errorf("Arrow output %v", col)
	}
	b, err := s.BatchFromRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ScoreBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.AppendJSON(nil, res)
	if want := `[{"w2":"a\"b"},{"w2":null},{"w2":"tab\u0009here"},{"w2":"bad` + "\ufffd" + `byte"}]`; err != nil || string(out) != want {
		t.Errorf("JSON %s (%v), want %s", out, err, want)
	}
	res.Codes[0][0] = 9
	if _, err := s.AppendJSON(nil, res); err == nil || !strings.Contains(err.Error(), `output "w2" row 0: text code 9 out of range`) {
		t.Errorf("a code out of range: %v", err)
	}
}

// TestDictionaryIndexTypes reads a Text input from dictionary columns of
// every integer index type, through the fast paths and Array.Index alike.
func TestDictionaryIndexTypes(t *testing.T) {
	s := textScorer()
	dict := columnar.NewStringBuilder(3)
	for _, v := range []string{"a", "b", "c"} {
		dict.Append(v)
	}
	v := columnar.NewValidity(4)
	v.SetNull(1)
	bm, nulls := v.Bitmap()
	for _, c := range []struct {
		index *columnar.Type
		buf   []byte
	}{
		{columnar.Int8Type, columnar.AsBytes([]int8{2, 9, 0, 1})},
		{columnar.Int16Type, columnar.AsBytes([]int16{2, 9, 0, 1})},
		{columnar.Int32Type, columnar.AsBytes([]int32{2, 9, 0, 1})},
		{columnar.Int64Type, columnar.AsBytes([]int64{2, 9, 0, 1})},
		{columnar.Uint8Type, columnar.AsBytes([]uint8{2, 9, 0, 1})},
		{columnar.Uint16Type, columnar.AsBytes([]uint16{2, 9, 0, 1})},
		{columnar.Uint32Type, columnar.AsBytes([]uint32{2, 9, 0, 1})},
		{columnar.Uint64Type, columnar.AsBytes([]uint64{2, 9, 0, 1})},
	} {
		typ := &columnar.Type{ID: columnar.Dictionary, Index: c.index, Value: columnar.StringType}
		arr := &columnar.Array{Type: typ, Len: 4, Nulls: nulls, Buffers: [][]byte{bm, c.buf}, Dict: dict.Array()}
		schema := &columnar.Schema{Fields: []columnar.Field{{Name: "w", Type: typ, Nullable: true}}}
		b, err := s.BatchFromRecord(&columnar.Record{Schema: schema, Len: 4, Cols: []*columnar.Array{arr}})
		if err != nil {
			t.Fatalf("%s: %v", c.index, err)
		}
		if got := b.Codes[0]; !slices.Equal(got, []int32{2, runtime.Missing, 0, 1}) || !slices.Equal(b.Strings[0], []string{"a", "b", "c"}) {
			t.Errorf("%s: codes %v of %v", c.index, got, b.Strings[0])
		}
		// Index 9 of 3 values, in a valid row.
		bad := *arr
		bad.Nulls, bad.Buffers = 0, [][]byte{nil, c.buf}
		if _, err := s.BatchFromRecord(&columnar.Record{Schema: schema, Len: 4, Cols: []*columnar.Array{&bad}}); err == nil || !strings.Contains(err.Error(), "index 9") {
			t.Errorf("%s: index out of range: %v", c.index, err)
		}
	}
}
