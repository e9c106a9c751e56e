package engine_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
)

// checkedMem returns an allocator that fails the test if anything allocated
// on it is still live when the test ends.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

func float64Array(mem memory.Allocator, vals []float64, valid []bool) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewArray()
}

func stringArray(mem memory.Allocator, vals []string) arrow.Array {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

func int64Array(mem memory.Allocator, vals []int64) arrow.Array {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, nil)
	return b.NewArray()
}

// wantKind fails the test unless err is an *engine.Error of the given kind
// whose message contains every one of the words.
func wantKind(t *testing.T, err error, kind engine.Kind, words ...string) {
	t.Helper()
	var e *engine.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *engine.Error", err, err)
	}
	if e.Kind != kind {
		t.Errorf("error %q has kind %s, want %s", e.Msg, e.Kind, kind)
	}
	for _, w := range words {
		if !strings.Contains(e.Msg, w) {
			t.Errorf("error %q does not mention %q", e.Msg, w)
		}
	}
}

func TestNewFrame(t *testing.T) {
	mem := checkedMem(t)
	x := float64Array(mem, []float64{1, 2, 3}, nil)
	s := stringArray(mem, []string{"a", "b", "c"})
	f, err := engine.NewFrame([]string{"x", "s"}, []arrow.Array{x, s})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.NumRows() != 3 || !slices.Equal(f.Names(), []string{"x", "s"}) || len(f.Columns()) != 2 {
		t.Errorf("frame is %v", f)
	}
	if f.Column("s") != s || f.Column("nope") != nil {
		t.Error("Column does not find columns by name")
	}
	if got := f.String(); !strings.Contains(got, "3 rows") || !strings.Contains(got, `"s"`) {
		t.Errorf("String() = %q", got)
	}
	rec := f.Record()
	defer rec.Release()
	if rec.NumRows() != 3 || rec.NumCols() != 2 || rec.ColumnName(1) != "s" || rec.Column(0) != x {
		t.Errorf("Record() = %v", rec)
	}
	if _, err := f.Require("nope", "target"); err != nil {
		wantKind(t, err, engine.KindColumn, `target column "nope"`, `"x"`, `"s"`)
	} else {
		t.Error("Require found a missing column")
	}

	empty, err := engine.NewFrame(nil, nil)
	if err != nil || empty.NumRows() != 0 {
		t.Errorf("empty frame: %v, %v", empty, err)
	}
}

func TestNewFrameErrors(t *testing.T) {
	mem := checkedMem(t)
	a := float64Array(mem, []float64{1, 2, 3}, nil)
	b := float64Array(mem, []float64{1, 2}, nil)
	defer a.Release()
	defer b.Release()
	tests := []struct {
		name  string
		names []string
		cols  []arrow.Array
		words []string
	}{
		{"more names", []string{"a", "b"}, []arrow.Array{a}, []string{"2 names", "1 columns"}},
		{"fewer names", []string{"a"}, []arrow.Array{a, a}, []string{"1 names", "2 columns"}},
		{"length mismatch", []string{"a", "b"}, []arrow.Array{a, b}, []string{`"b" has 2 rows`, `"a" has 3`}},
		{"duplicate name", []string{"a", "a"}, []arrow.Array{a, a}, []string{`"a" appears more than once`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := engine.NewFrame(tt.names, tt.cols)
			if err == nil {
				t.Fatalf("NewFrame succeeded: %v", f)
			}
			wantKind(t, err, engine.KindValue, tt.words...)
		})
	}
}

func testRecord(mem memory.Allocator, schema *arrow.Schema, x []float64, s []string) arrow.Record {
	xa, sa := float64Array(mem, x, nil), stringArray(mem, s)
	defer xa.Release()
	defer sa.Release()
	return array.NewRecord(schema, []arrow.Array{xa, sa}, int64(len(x)))
}

var xsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func TestFrameFromOneRecordIsZeroCopy(t *testing.T) {
	mem := checkedMem(t)
	rec := testRecord(mem, xsSchema, []float64{1, 2, 3}, []string{"a", "b", "c"})
	f, err := engine.FrameFromRecords(xsSchema, []arrow.Record{rec}, mem)
	rec.Release() // the frame holds its own references
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.NumRows() != 3 || !slices.Equal(f.Names(), []string{"x", "s"}) {
		t.Fatalf("frame is %v", f)
	}
	x := f.Column("x").(*array.Float64)
	vals, err := engine.Float64s("x", x)
	if err != nil {
		t.Fatal(err)
	}
	if unsafe.SliceData(vals) != unsafe.SliceData(x.Float64Values()) {
		t.Error("Float64s copied a float64 column without nulls")
	}
	if !slices.Equal(vals, []float64{1, 2, 3}) {
		t.Errorf("x = %v", vals)
	}
}

func TestFrameFromOneRecordSharesBuffers(t *testing.T) {
	mem := checkedMem(t)
	rec := testRecord(mem, xsSchema, []float64{1, 2, 3}, []string{"a", "b", "c"})
	defer rec.Release()
	f, err := engine.FrameFromRecords(xsSchema, []arrow.Record{rec}, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	for i, name := range f.Names() {
		got, want := f.Column(name).Data().Buffers(), rec.Column(i).Data().Buffers()
		for j := range want {
			if want[j] == nil {
				continue
			}
			if unsafe.SliceData(got[j].Bytes()) != unsafe.SliceData(want[j].Bytes()) {
				t.Errorf("column %q buffer %d was copied", name, j)
			}
		}
	}
}

func TestFrameFromSeveralRecords(t *testing.T) {
	mem := checkedMem(t)
	recs := []arrow.Record{
		testRecord(mem, xsSchema, []float64{1, 2}, []string{"a", "b"}),
		testRecord(mem, xsSchema, nil, nil),
		testRecord(mem, xsSchema, []float64{3}, []string{"c"}),
	}
	f, err := engine.FrameFromRecords(xsSchema, recs, mem)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.NumRows() != 3 {
		t.Fatalf("frame has %d rows, want 3", f.NumRows())
	}
	x, err := engine.Float64s("x", f.Column("x"))
	if err != nil || !slices.Equal(x, []float64{1, 2, 3}) {
		t.Errorf("x = %v, %v", x, err)
	}
	s := f.Column("s").(*array.String)
	if got := []string{s.Value(0), s.Value(1), s.Value(2)}; !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("s = %v", got)
	}
}

func TestFrameFromNoRecords(t *testing.T) {
	mem := checkedMem(t)
	f, err := engine.FrameFromRecords(xsSchema, nil, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if f.NumRows() != 0 || len(f.Columns()) != 2 || f.Column("s").DataType().ID() != arrow.STRING {
		t.Errorf("frame is %v", f)
	}
}

func TestFrameFromRecordsDuplicateNames(t *testing.T) {
	mem := checkedMem(t) // also checks that the columns are given back
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "x", Type: arrow.BinaryTypes.String},
	}, nil)
	for _, n := range []int{1, 2} {
		recs := make([]arrow.Record, n)
		for i := range recs {
			recs[i] = testRecord(mem, schema, []float64{1}, []string{"a"})
		}
		_, err := engine.FrameFromRecords(schema, recs, mem)
		wantKind(t, err, engine.KindValue, `"x"`)
		for _, r := range recs {
			r.Release()
		}
	}
}

// numericArray builds a column of type dt holding 1, null, 3 (true, null,
// false for booleans).
func numericArray(t *testing.T, mem memory.Allocator, dt arrow.DataType) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.AppendValues([]bool{true, false, false}, []bool{true, false, true})
	default:
		if err := b.UnmarshalJSON([]byte("[1, null, 3]")); err != nil {
			t.Fatalf("%s: %v", dt, err)
		}
	}
	return b.NewArray()
}

func TestFloat64s(t *testing.T) {
	mem := checkedMem(t)
	types := []arrow.DataType{
		arrow.PrimitiveTypes.Float64, arrow.PrimitiveTypes.Float32,
		arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int16, arrow.PrimitiveTypes.Int8,
		arrow.PrimitiveTypes.Uint64, arrow.PrimitiveTypes.Uint32, arrow.PrimitiveTypes.Uint16, arrow.PrimitiveTypes.Uint8,
		arrow.FixedWidthTypes.Boolean,
	}
	for _, dt := range types {
		t.Run(dt.String(), func(t *testing.T) {
			if !engine.IsNumeric(dt) {
				t.Errorf("IsNumeric(%s) is false", dt)
			}
			c := numericArray(t, mem, dt)
			defer c.Release()
			want := []float64{1, math.NaN(), 3}
			if dt.ID() == arrow.BOOL {
				want[2] = 0
			}
			got, err := engine.Float64s("c", c)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0] != want[0] || !math.IsNaN(got[1]) || got[2] != want[2] {
				t.Errorf("Float64s = %v, want %v", got, want)
			}
			if n := engine.CountMissing(c, got); n != 1 {
				t.Errorf("CountMissing = %d, want 1", n)
			}
			// A slice starting at the null keeps the null at the right place.
			sl := array.NewSlice(c, 1, 3)
			defer sl.Release()
			got, err = engine.Float64s("c", sl)
			if err != nil || len(got) != 2 || !math.IsNaN(got[0]) || got[1] != want[2] {
				t.Errorf("Float64s of a slice = %v, %v", got, err)
			}
		})
	}
}

func TestFloat64sEmpty(t *testing.T) {
	mem := checkedMem(t)
	c := float64Array(mem, nil, nil)
	defer c.Release()
	got, err := engine.Float64s("c", c)
	if err != nil || len(got) != 0 {
		t.Errorf("Float64s of an empty column = %v, %v", got, err)
	}
}

func TestFloat64sRejectsStrings(t *testing.T) {
	mem := checkedMem(t)
	for _, vals := range [][]string{{"a", "b"}, {}} {
		c := stringArray(mem, vals)
		if engine.IsNumeric(c.DataType()) {
			t.Error("IsNumeric(utf8) is true")
		}
		_, err := engine.Float64s("city", c)
		wantKind(t, err, engine.KindType, `"city"`, "utf8", "not numeric")
		c.Release()
	}
}

func TestCountMissing(t *testing.T) {
	mem := checkedMem(t)
	nan := math.NaN()
	tests := []struct {
		name  string
		vals  []float64
		valid []bool
		want  int
	}{
		{"none", []float64{1, 2, 3}, nil, 0},
		{"NaN only", []float64{nan, 2, nan}, nil, 2},
		{"nulls only", []float64{1, 2, 3}, []bool{false, true, false}, 2},
		// A NaN under a null counts once.
		{"nulls and NaN", []float64{1, nan, nan, 4}, []bool{true, true, false, false}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := float64Array(mem, tt.vals, tt.valid)
			defer c.Release()
			vals, err := engine.Float64s("c", c)
			if err != nil {
				t.Fatal(err)
			}
			if got := engine.CountMissing(c, vals); got != tt.want {
				t.Errorf("CountMissing = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCheckNumericInputs(t *testing.T) {
	mem := checkedMem(t)
	f, err := engine.NewFrame([]string{"x", "n", "s"}, []arrow.Array{
		float64Array(mem, []float64{1}, nil), int64Array(mem, []int64{1}), stringArray(mem, []string{"a"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	fields := func(names ...string) []engine.Field {
		out := make([]engine.Field, len(names))
		for i, n := range names {
			out[i] = engine.Field{Name: n, Type: "float64"}
		}
		return out
	}
	if err := engine.CheckNumericInputs(f, fields("x", "n")); err != nil {
		t.Errorf("numeric inputs: %v", err)
	}
	if err := engine.CheckNumericInputs(f, nil); err != nil {
		t.Errorf("no inputs: %v", err)
	}
	wantKind(t, engine.CheckNumericInputs(f, fields("x", "age")), engine.KindColumn, `"age"`, `"x"`, `"n"`, `"s"`)
	wantKind(t, engine.CheckNumericInputs(f, fields("x", "s")), engine.KindType, `"s"`, "utf8")
	if got := engine.FieldOf("n", f.Column("n")); got.Name != "n" || got.Type != "int64" {
		t.Errorf("FieldOf = %+v", got)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		err  error
		want engine.Kind
	}{
		{engine.Errorf(engine.KindType, "x"), engine.KindType},
		{errors.Join(errors.New("wrapped"), engine.Errorf(engine.KindColumn, "x")), engine.KindColumn},
		{errors.New("plain"), engine.KindInternal},
	}
	for _, tt := range tests {
		if got := engine.KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}
