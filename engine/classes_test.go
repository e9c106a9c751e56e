package engine_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/engine"
)

func buildArray(t *testing.T, b array.Builder) arrow.Array {
	t.Helper()
	defer b.Release()
	return b.NewArray()
}

func TestEncodeClasses(t *testing.T) {
	mem := memory.DefaultAllocator
	i8 := array.NewInt8Builder(mem)
	i8.AppendValues([]int8{3, -1, 3, 0, -1}, nil)
	u64 := array.NewUint64Builder(mem)
	u64.AppendValues([]uint64{10, 2, 10}, nil)
	i64 := array.NewInt64Builder(mem)
	i64.AppendValues([]int64{1 << 40, -5, 7, 1 << 40}, nil) // sparse: map path
	f64 := array.NewFloat64Builder(mem)
	f64.AppendValues([]float64{2, 0, 1, math.Copysign(0, -1), 1e21}, nil)
	f32 := array.NewFloat32Builder(mem)
	f32.AppendValues([]float32{1, 2, 1}, nil)
	bl := array.NewBooleanBuilder(mem)
	bl.AppendValues([]bool{true, false, true}, nil)
	bt := array.NewBooleanBuilder(mem)
	bt.AppendValues([]bool{true, true}, nil)
	st := array.NewStringBuilder(mem)
	st.AppendValues([]string{"pear", "Apple", "apple", "pear", "é"}, nil)
	ls := array.NewLargeStringBuilder(mem)
	ls.AppendValues([]string{"b", "a"}, nil)
	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}).(*array.BinaryDictionaryBuilder)
	for _, s := range []string{"z", "y", "z", "x"} {
		if err := db.AppendString(s); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		arr    arrow.Array
		kind   engine.ClassKind
		labels []string
		codes  []int32
		typ    string
	}{
		{"int8", buildArray(t, i8), engine.ClassInt, []string{"-1", "0", "3"}, []int32{2, 0, 2, 1, 0}, "int64"},
		{"uint64", buildArray(t, u64), engine.ClassInt, []string{"2", "10"}, []int32{1, 0, 1}, "int64"},
		{"sparse int64", buildArray(t, i64), engine.ClassInt, []string{"-5", "7", "1099511627776"}, []int32{2, 0, 1, 2}, "int64"},
		{"float64", buildArray(t, f64), engine.ClassFloat, []string{"0", "1", "2", "1e+21"}, []int32{2, 0, 1, 0, 3}, "float64"},
		{"float32", buildArray(t, f32), engine.ClassFloat, []string{"1", "2"}, []int32{0, 1, 0}, "float64"},
		{"bool", buildArray(t, bl), engine.ClassBool, []string{"false", "true"}, []int32{1, 0, 1}, "bool"},
		{"bool one class", buildArray(t, bt), engine.ClassBool, []string{"true"}, []int32{0, 0}, "bool"},
		{"utf8", buildArray(t, st), engine.ClassString, []string{"Apple", "apple", "pear", "é"}, []int32{2, 0, 1, 2, 3}, "utf8"},
		{"large_utf8", buildArray(t, ls), engine.ClassString, []string{"a", "b"}, []int32{1, 0}, "utf8"},
		{"dictionary", buildArray(t, db), engine.ClassString, []string{"x", "y", "z"}, []int32{2, 1, 2, 0}, "utf8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer c.arr.Release()
			cl, codes, err := engine.EncodeClasses("target", c.arr)
			if err != nil {
				t.Fatal(err)
			}
			if cl.Kind() != c.kind || !slices.Equal(cl.Labels(), c.labels) || !slices.Equal(codes, c.codes) {
				t.Errorf("got %s %q %v, want %s %q %v", cl.Kind(), cl.Labels(), codes, c.kind, c.labels, c.codes)
			}
			if cl.Len() != len(c.labels) || cl.Label(0) != c.labels[0] {
				t.Errorf("Len %d Label(0) %q", cl.Len(), cl.Label(0))
			}
			names := cl.ProbabilityNames()
			for k, l := range c.labels {
				if names[k] != "probability_"+l {
					t.Errorf("probability name %q for label %q", names[k], l)
				}
			}
			// The prediction column holds the labels, typed by kind.
			col := cl.Column(codes, memory.DefaultAllocator)
			defer col.Release()
			if col.DataType().String() != c.typ || cl.DataType().String() != c.typ {
				t.Errorf("prediction type %s / %s, want %s", col.DataType(), cl.DataType(), c.typ)
			}
			if col.Len() != len(codes) || col.NullN() != 0 {
				t.Errorf("prediction has %d rows, %d nulls", col.Len(), col.NullN())
			}
			for i, k := range codes {
				if got := col.ValueStr(i); got != c.labels[k] && !(c.kind == engine.ClassFloat && sameFloat(got, c.labels[k])) {
					t.Errorf("row %d: prediction %q, want %q", i, got, c.labels[k])
				}
			}
			// JSON round trip.
			b, err := json.Marshal(cl)
			if err != nil {
				t.Fatal(err)
			}
			var back engine.Classes
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if back.Kind() != cl.Kind() || !slices.Equal(back.Labels(), cl.Labels()) {
				t.Errorf("round trip %s gives %s %q", b, back.Kind(), back.Labels())
			}
			col2 := back.Column(codes, memory.DefaultAllocator)
			defer col2.Release()
			if !array.Equal(col, col2) {
				t.Error("the decoded classes build a different prediction column")
			}
		})
	}
}

func sameFloat(a, b string) bool {
	var x, y float64
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return x == y
}

func TestEncodeClassesErrors(t *testing.T) {
	mem := memory.DefaultAllocator
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{1, math.NaN(), 0, 2}, []bool{true, true, false, true})
	u := array.NewUint64Builder(mem)
	u.AppendValues([]uint64{1, math.MaxUint64}, nil)
	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.PrimitiveTypes.Int64}).(*array.Int64DictionaryBuilder)
	db.Append(3)
	list := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int64)
	list.Append(true)
	cases := []struct {
		name    string
		arr     arrow.Array
		kind    engine.Kind
		mention string
	}{
		{"null and NaN", buildArray(t, fb), engine.KindValue, "2 missing"},
		{"uint64 overflow", buildArray(t, u), engine.KindValue, "18446744073709551615"},
		{"dictionary of ints", buildArray(t, db), engine.KindType, "dictionary"},
		{"list", buildArray(t, list), engine.KindType, "list"},
	}
	for _, c := range cases {
		_, _, err := engine.EncodeClasses("tgt", c.arr)
		c.arr.Release()
		if engine.KindOf(err) != c.kind || !strings.Contains(err.Error(), c.mention) || !strings.Contains(err.Error(), `"tgt"`) {
			t.Errorf("%s: got %v (%s)", c.name, err, engine.KindOf(err))
		}
	}
}

func TestClassesJSONRejects(t *testing.T) {
	for _, s := range []string{
		`{"kind":"int","labels":["1","0"]}`,
		`{"kind":"int","labels":["1","1"]}`,
		`{"kind":"int","labels":["x"]}`,
		`{"kind":"float","labels":["NaN"]}`,
		`{"kind":"float","labels":["2","1.5"]}`,
		`{"kind":"bool","labels":["true","false"]}`,
		`{"kind":"bool","labels":["yes"]}`,
		`{"kind":"string","labels":["b","a"]}`,
		`{"kind":"date","labels":[]}`,
		`[1,2]`,
	} {
		var c engine.Classes
		if err := json.Unmarshal([]byte(s), &c); err == nil {
			t.Errorf("%s: accepted", s)
		}
	}
	c, err := engine.NewClasses(engine.ClassFloat, []string{"-Inf", "0.5", "+Inf"})
	if err != nil || c.Len() != 3 {
		t.Errorf("infinite labels: %v", err)
	}
}

func TestClassesColumnOnAllocator(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, kind := range []engine.ClassKind{engine.ClassInt, engine.ClassFloat, engine.ClassBool, engine.ClassString} {
		labels := map[engine.ClassKind][]string{
			engine.ClassInt: {"-3", "4"}, engine.ClassFloat: {"0.5", "7"},
			engine.ClassBool: {"false", "true"}, engine.ClassString: {"no", "yes"},
		}[kind]
		c, err := engine.NewClasses(kind, labels)
		if err != nil {
			t.Fatal(err)
		}
		codes := make([]int32, 1000)
		for i := range codes {
			codes[i] = int32(i % 3 % 2)
		}
		col := c.Column(codes, mem)
		if col.Len() != 1000 || col.ValueStr(1) != labels[1] && kind != engine.ClassFloat {
			t.Errorf("%s: %d rows, row 1 %q", kind, col.Len(), col.ValueStr(1))
		}
		col.Release()
		empty := c.Column(nil, mem)
		if empty.Len() != 0 {
			t.Errorf("%s: empty column has %d rows", kind, empty.Len())
		}
		empty.Release()
	}
}

func TestEncodeClassesRefusesContinuousTarget(t *testing.T) {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{0, 1, 0.25}, nil)
	arr := b.NewArray()
	defer arr.Release()
	_, _, err := engine.EncodeClasses("y", arr)
	if engine.KindOf(err) != engine.KindValue || !strings.Contains(err.Error(), `"y"`) || !strings.Contains(err.Error(), "0.25") {
		t.Fatalf("got %v, want a ValueError naming the column and the value", err)
	}
}
