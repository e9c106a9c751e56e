package arrowgo

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
	"github.com/quiver-ml/quiver/export/runtime/internal/arrowtest"
)

// ints is ten integers with nulls, whose validity crosses a byte.
const ints = `[1, null, 3, 4, null, 6, 7, 8, null, 10]`

// arrayCases are arrow-go arrays of every type columnar has, as JSON,
// with nulls, of ten values or more so that slices cross bytes.
var arrayCases = []struct {
	dt   arrow.DataType
	json string
}{
	{arrow.Null, `[null, null, null, null, null, null, null, null, null, null]`},
	{arrow.FixedWidthTypes.Boolean, `[true, null, false, true, true, null, false, false, true, true]`},
	{arrow.PrimitiveTypes.Int8, `[1, null, -3, 4, null, 6, 7, 8, null, -128]`},
	{arrow.PrimitiveTypes.Int16, ints},
	{i32, ints},
	{arrow.PrimitiveTypes.Int64, `[1, null, 3, 4, null, 6, 7, 8, null, -9223372036854775808]`},
	{arrow.PrimitiveTypes.Uint8, `[1, null, 3, 4, null, 6, 7, 8, null, 255]`},
	{arrow.PrimitiveTypes.Uint16, ints},
	{arrow.PrimitiveTypes.Uint32, ints},
	{arrow.PrimitiveTypes.Uint64, `[1, null, 3, 4, null, 6, 7, 8, null, 18446744073709551615]`},
	{arrow.FixedWidthTypes.Float16, `[1.5, null, -3, 4, null, 6.25, 7, 8, null, 10]`},
	{arrow.PrimitiveTypes.Float32, `[1.5, null, -3, 4, null, 6.25, 7, 8, null, 1e30]`},
	{f64, `[1.5, null, -3, 4, null, 6.25, 7, 8, null, 1e300]`},
	{str, `["a", null, "", "ccc", null, "dddd", "é", "f", null, "last"]`},
	{arrow.BinaryTypes.LargeString, `["a", null, "", "ccc", null, "dddd", "é", "f", null, "last"]`},
	{arrow.BinaryTypes.Binary, `["YQ==", null, "", "YWJj", null, "AAE=", "/w==", "Zg==", null, "bGFzdA=="]`},
	{arrow.BinaryTypes.LargeBinary, `["YQ==", null, "", "YWJj", null, "AAE=", "/w==", "Zg==", null, "bGFzdA=="]`},
	{&arrow.FixedSizeBinaryType{ByteWidth: 3}, `["YWJj", null, "AAAA", "YWJj", null, "ZGVm", "AQID", "YWJj", null, "////"]`},
	{arrow.FixedWidthTypes.Date32, `["2020-01-02", null, "1969-12-31", "2000-02-29", null, "2020-01-03", "2020-01-04", "2020-01-05", null, "2100-01-01"]`},
	{arrow.FixedWidthTypes.Date64, `["2020-01-02", null, "1969-12-31", "2000-02-29", null, "2020-01-03", "2020-01-04", "2020-01-05", null, "2100-01-01"]`},
	{arrow.FixedWidthTypes.Time32s, `["10:00:00", null, "00:00:00", "23:59:59", null, "01:02:03", "04:05:06", "07:08:09", null, "12:00:00"]`},
	{arrow.FixedWidthTypes.Time32ms, `["10:00:00.5", null, "00:00:00", "23:59:59.999", null, "01:02:03", "04:05:06", "07:08:09", null, "12:00:00"]`},
	{arrow.FixedWidthTypes.Time64us, `["10:00:00.000001", null, "00:00:00", "23:59:59", null, "01:02:03", "04:05:06", "07:08:09", null, "12:00:00"]`},
	{arrow.FixedWidthTypes.Time64ns, `["10:00:00.000000005", null, "00:00:00", "23:59:59", null, "01:02:03", "04:05:06", "07:08:09", null, "12:00:00"]`},
	{&arrow.TimestampType{Unit: arrow.Second}, `["2020-01-02T03:04:05", null, "1970-01-01T00:00:00", "2000-02-29T12:00:00", null, "2020-01-03T00:00:00", "2020-01-04T00:00:00", "2020-01-05T00:00:00", null, "2100-01-01T00:00:00"]`},
	{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, `["2020-01-02T03:04:05.000006", null, "1970-01-01T00:00:00", "2000-02-29T12:00:00", null, "2020-01-03T00:00:00", "2020-01-04T00:00:00", "2020-01-05T00:00:00", null, "2100-01-01T00:00:00"]`},
	{&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "America/New_York"}, `["2020-01-02T03:04:05.000000007", null, "1970-01-01T00:00:00", "2000-02-29T12:00:00", null, "2020-01-03T00:00:00", "2020-01-04T00:00:00", "2020-01-05T00:00:00", null, "2100-01-01T00:00:00"]`},
	{arrow.FixedWidthTypes.Duration_s, ints},
	{arrow.FixedWidthTypes.Duration_ms, ints},
	{arrow.FixedWidthTypes.Duration_us, ints},
	{arrow.FixedWidthTypes.Duration_ns, ints},
	{&arrow.Decimal128Type{Precision: 10, Scale: 3}, `["1.234", null, "-0.001", "9999999.999", null, "0", "1", "2", null, "-3.5"]`},
	{&arrow.Decimal256Type{Precision: 40, Scale: 3}, `["1.234", null, "-0.001", "999999999999999999999999999999999999.999", null, "0", "1", "2", null, "-3.5"]`},
	{arrow.ListOf(i32), `[[1, 2], null, [], [null, 4, 5], null, [6], [7, 8, 9], [], null, [10]]`},
	{arrow.ListOfField(arrow.Field{Name: "s", Type: str, Metadata: md}), `[["a"], null, [], ["b", "c"], null, ["d"], ["e", "f"], [], null, ["g"]]`},
	{arrow.LargeListOf(str), `[["a", null], null, [], ["b", "c"], null, ["d"], ["e", "f"], [], null, ["g"]]`},
	{arrow.FixedSizeListOf(2, i32), `[[1, 2], null, [null, 3], [4, 5], null, [6, 7], [8, null], [9, 10], null, [11, 12]]`},
	{arrow.FixedSizeListOf(3, str), `[["a", "b", "c"], null, [null, "d", ""], ["e", "f", "g"], null, ["h", "i", "j"], ["k", "l", "m"], ["n", "o", "p"], null, ["q", "r", "s"]]`},
	{arrow.StructOf(
		arrow.Field{Name: "a", Type: i32, Nullable: true},
		arrow.Field{Name: "b", Type: str, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(f64), Nullable: true},
	), `[{"a": 1, "b": "x", "l": [1]}, null, {"a": null, "b": "y", "l": null}, {"a": 4, "b": null, "l": []},
		{"a": 5, "b": "z", "l": [2, 3]}, null, {"a": 7, "b": "w", "l": [4]}, {"a": null, "b": null, "l": null},
		{"a": 9, "b": "v", "l": [5, 6, 7]}, {"a": 10, "b": "u", "l": [8]}]`},
	{arrow.StructOf(
		arrow.Field{Name: "inner", Type: arrow.StructOf(arrow.Field{Name: "x", Type: f64, Nullable: true}), Nullable: true},
		arrow.Field{Name: "v", Type: arrow.FixedSizeListOf(2, f64), Nullable: true},
		arrow.Field{Name: "d", Type: dictTy, Nullable: true},
	), `[{"inner": {"x": 1}, "v": [1, 2], "d": "a"}, null, {"inner": null, "v": null, "d": null},
		{"inner": {"x": null}, "v": [3, null], "d": "b"}, {"inner": {"x": 5}, "v": [5, 6], "d": "a"}, null,
		{"inner": {"x": 7}, "v": [7, 8], "d": "c"}, {"inner": null, "v": [9, 10], "d": "b"},
		{"inner": {"x": 9}, "v": null, "d": "a"}, {"inner": {"x": 10}, "v": [11, 12], "d": null}]`},
	{arrow.MapOf(str, i32), `[[{"key": "a", "value": 1}], null, [], [{"key": "b", "value": null}, {"key": "c", "value": 3}], null,
		[{"key": "d", "value": 4}], [{"key": "e", "value": 5}], [], null, [{"key": "f", "value": 6}, {"key": "g", "value": 7}]]`},
	{mapOf(), `[[{"key": "a", "value": [1]}], null, [], [{"key": "b", "value": []}, {"key": "c", "value": [3, null]}], null,
		[{"key": "d", "value": [4]}], [{"key": "e", "value": [5]}], [], null, [{"key": "f", "value": [6]}]]`},
	{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: str}, `["a", null, "b", "a", null, "c", "c", "b", null, "d"]`},
	{dictTy, `["a", null, "b", "a", null, "c", "c", "b", null, "d"]`},
	{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint32, ValueType: f64}, `[1.5, null, 2, 1.5, null, 3, 3, 2, null, 4]`},
	{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Uint64, ValueType: arrow.PrimitiveTypes.Int64}, ints},
	{arrow.ListOf(dictTy), `[["a", "b"], null, [], ["a", null], null, ["c"], ["b", "b"], [], null, ["d"]]`},
	{arrow.ListOf(arrow.StructOf(arrow.Field{Name: "k", Type: str}, arrow.Field{Name: "n", Type: i32, Nullable: true})),
		`[[{"k": "a", "n": 1}], null, [], [{"k": "b", "n": null}, {"k": "c", "n": 3}], null, [{"k": "d", "n": 4}], [], [], null, [{"k": "e", "n": 5}]]`},
	{arrow.FixedSizeListOf(2, arrow.StructOf(arrow.Field{Name: "x", Type: i32, Nullable: true})),
		`[[{"x": 1}, {"x": 2}], null, [null, {"x": 3}], [{"x": 4}, {"x": null}], null, [{"x": 6}, {"x": 7}], [{"x": 8}, {"x": 9}], [{"x": 10}, {"x": 11}], null, [{"x": 12}, {"x": 13}]]`},
}

// fromJSON is an arrow-go array of dt from JSON.
func fromJSON(t testing.TB, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	arr, _, err := array.FromJSON(memory.DefaultAllocator, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("%s from %s: %v", dt, js, err)
	}
	return arr
}

// slices are views of arr to convert: whole, sliced at odd and even
// offsets, empty at an offset, and a new empty array.
func slices(t testing.TB, arr arrow.Array) map[string]arrow.Array {
	n := int64(arr.Len())
	empty := fromJSON(t, arr.DataType(), `[]`)
	arr.Retain()
	return map[string]arrow.Array{
		"whole":       arr,
		"[1:9]":       array.NewSlice(arr, 1, n-1),
		"[3:10]":      array.NewSlice(arr, 3, n),
		"[5:6]":       array.NewSlice(arr, 5, 6),
		"[4:4]":       array.NewSlice(arr, 4, 4),
		"new, empty":  empty,
		"[3:9][1:5]":  twice(arr, 3, n-1, 1, 5),
		"[2:10][0:0]": twice(arr, 2, n, 0, 0),
	}
}

// twice is arr[i:j][k:l].
func twice(arr arrow.Array, i, j, k, l int64) arrow.Array {
	s := array.NewSlice(arr, i, j)
	defer s.Release()
	return array.NewSlice(s, k, l)
}

// sameMemory reports whether a and b start at the same byte.
func sameMemory(a, b []byte) bool {
	return len(a) > 0 && len(b) > 0 && unsafe.SliceData(a) == unsafe.SliceData(b)
}

// checkView checks that c is a zero-copy columnar view of arr, following
// columnar's conventions, holding arr's values, down its children and
// dictionary.
func checkView(t *testing.T, path string, arr arrow.Array, c *columnar.Array) {
	t.Helper()
	// Length, null count, type, and every value, null or not.
	arrowtest.Compare(t, path, arr, c)
	if !arrow.TypeEqual(mustDataType(t, c.Type), arr.DataType()) {
		t.Fatalf("%s: type %s for %s", path, c.Type, arr.DataType())
	}
	if len(c.Buffers) != c.Type.ID.NumBuffers() {
		t.Fatalf("%s: %d buffers", path, len(c.Buffers))
	}
	if c.Type.ID != columnar.Null && (c.Nulls == 0) != (c.Buffers[0] == nil) {
		t.Errorf("%s: %d nulls with a validity bitmap of %d bytes", path, c.Nulls, len(c.Buffers[0]))
	}
	for i := 1; i < len(c.Buffers); i++ {
		if c.Buffers[i] == nil {
			t.Errorf("%s: buffer %d is nil", path, i)
		}
	}
	// Zero copy: every buffer is arrow-go's.
	for i, b := range arr.Data().Buffers() {
		if b != nil && i < len(c.Buffers) && len(c.Buffers[i]) > 0 && b.Len() > 0 && !sameMemory(c.Buffers[i], b.Bytes()) {
			t.Errorf("%s: buffer %d is a copy", path, i)
		}
	}
	valid := func(i int) bool { return !arr.IsNull(i) }
	switch a := arr.(type) {
	case *array.Struct:
		if len(c.Children) != a.NumField() {
			t.Fatalf("%s: %d children", path, len(c.Children))
		}
		for k := range a.NumField() {
			// a.Field(k) is sliced with a, as columnar's child must be.
			checkView(t, path+"."+a.DataType().(*arrow.StructType).Field(k).Name, a.Field(k), c.Children[k])
		}
	case array.ListLike:
		for i := range arr.Len() {
			if !valid(i) {
				continue
			}
			lo, hi := a.ValueOffsets(i)
			clo, chi := c.ListRange(i)
			if int64(clo) != lo || int64(chi) != hi {
				t.Fatalf("%s: list %d holds %d to %d, want %d to %d", path, i, clo, chi, lo, hi)
			}
		}
		checkView(t, path+"[]", a.ListValues(), c.Children[0])
	case *array.Dictionary:
		for i := range arr.Len() {
			if valid(i) && c.Index(i) != a.GetValueIndex(i) {
				t.Fatalf("%s: index %d is %d, want %d", path, i, c.Index(i), a.GetValueIndex(i))
			}
		}
		checkView(t, path+".dictionary", a.Dictionary(), c.Dict)
	}
}

func mustDataType(t *testing.T, ct *columnar.Type) arrow.DataType {
	t.Helper()
	dt, err := DataType(ct)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// roundTrip copies c back to arrow-go with a checked allocator and checks
// that it equals want, at offset 0, and that releasing it frees all.
func roundTrip(t *testing.T, c *columnar.Array, want arrow.Array) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	back, err := ToArray(c, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer back.Release()
	sameType(t, back.DataType(), want.DataType())
	if !array.Equal(back, want) {
		t.Fatalf("round trip\n%v\nwant\n%v", back, want)
	}
	if back.Data().Offset() != 0 {
		t.Errorf("copy at offset %d", back.Data().Offset())
	}
	if back.NullN() != want.NullN() || (back.NullN() == 0) != (back.Data().Buffers()[0] == nil) && want.DataType().ID() != arrow.NULL {
		t.Errorf("copy of %d nulls with validity %v, want %d nulls", back.NullN(), back.Data().Buffers()[0], want.NullN())
	}
}

func TestArrayRoundTrip(t *testing.T) {
	for _, tc := range arrayCases {
		t.Run(tc.dt.String(), func(t *testing.T) {
			arr := fromJSON(t, tc.dt, tc.json)
			defer arr.Release()
			for name, s := range slices(t, arr) {
				t.Run(name, func(t *testing.T) {
					defer s.Release()
					c, err := FromArray(s)
					if err != nil {
						t.Fatal(err)
					}
					checkView(t, "array", s, c)
					roundTrip(t, c, s)
					// columnar's own slices of the view copy too.
					if c.Len >= 3 {
						want := array.NewSlice(s, 1, int64(c.Len-1))
						defer want.Release()
						roundTrip(t, c.Slice(1, c.Len-1), want)
					}
				})
			}
		})
	}
}

// TestStructChildren: arrow-go's struct children start where the
// struct's buffers do, and may be longer; columnar's are sliced with the
// struct.
func TestStructChildren(t *testing.T) {
	child := fromJSON(t, i32, `[0, 1, null, 3, 4, 5, 6, 7]`)
	defer child.Release()
	dt := arrow.StructOf(arrow.Field{Name: "x", Type: i32, Nullable: true})
	for _, c := range []struct{ off, n int }{{0, 5}, {2, 4}, {3, 5}, {8, 0}} {
		d := array.NewData(dt, c.n, []*memory.Buffer{nil}, []arrow.ArrayData{child.Data()}, 0, c.off)
		s := array.MakeFromData(d)
		d.Release()
		v, err := FromArray(s)
		if err != nil {
			t.Fatal(err)
		}
		x := v.Children[0]
		if x.Len != c.n || x.Offset != c.off {
			t.Errorf("struct [%d:+%d]: child of %d at %d", c.off, c.n, x.Len, x.Offset)
		}
		checkView(t, "struct", s, v)
		roundTrip(t, v, s)
		s.Release()
	}
}

// TestNestedStructSlice: a slice of a struct of a struct whose inner
// struct has nulls in the slice and its child none, though a bitmap.
func TestNestedStructSlice(t *testing.T) {
	x := fromJSON(t, i32, `[1, 2, 3, 4, 5, null]`)
	defer x.Release()
	innerType := arrow.StructOf(arrow.Field{Name: "x", Type: i32, Nullable: true})
	inner := array.NewData(innerType, 6, []*memory.Buffer{memory.NewBufferBytes([]byte{0b111101})}, []arrow.ArrayData{x.Data()}, 1, 0)
	defer inner.Release()
	outerType := arrow.StructOf(arrow.Field{Name: "inner", Type: innerType, Nullable: true})
	outer := array.NewData(outerType, 3, []*memory.Buffer{nil}, []arrow.ArrayData{inner}, 0, 1)
	arr := array.MakeFromData(outer)
	outer.Release()
	defer arr.Release()
	c, err := FromArray(arr)
	if err != nil {
		t.Fatal(err)
	}
	checkView(t, "outer", arr, c)
	if in := c.Children[0]; in.Nulls != 1 || in.Children[0].Buffers[0] != nil {
		t.Errorf("inner of %d nulls, x with bitmap %v", in.Nulls, in.Children[0].Buffers[0])
	}
	roundTrip(t, c, arr)
}

// TestEmptyWithoutBuffers: arrow-go arrays of no values may lack buffers;
// their views have them, and offsets of one zero.
func TestEmptyWithoutBuffers(t *testing.T) {
	empty := func(dt arrow.DataType, children ...arrow.ArrayData) arrow.Array {
		d := array.NewData(dt, 0, make([]*memory.Buffer, len(dt.Layout().Buffers)), children, 0, 0)
		defer d.Release()
		return array.MakeFromData(d)
	}
	i32s := empty(i32)
	defer i32s.Release()
	strs := empty(str)
	defer strs.Release()
	dd := array.NewDataWithDictionary(dictTy, 0, []*memory.Buffer{nil, nil}, 0, 0, strs.Data().(*array.Data))
	dict := array.MakeFromData(dd)
	dd.Release()
	for _, arr := range []arrow.Array{
		empty(arrow.FixedWidthTypes.Boolean),
		empty(i32),
		empty(f64),
		empty(str),
		empty(arrow.BinaryTypes.LargeBinary),
		empty(arrow.ListOf(i32), i32s.Data()),
		empty(arrow.LargeListOf(i32), i32s.Data()),
		empty(arrow.FixedSizeListOf(3, i32), i32s.Data()),
		empty(arrow.StructOf(arrow.Field{Name: "x", Type: i32}), i32s.Data()),
		dict,
	} {
		t.Run(arr.DataType().String(), func(t *testing.T) {
			defer arr.Release()
			c, err := FromArray(arr)
			if err != nil {
				t.Fatal(err)
			}
			checkView(t, "empty", arr, c)
			switch c.Type.ID {
			case columnar.String, columnar.List:
				if string(c.Buffers[1][c.Offset*4:]) != "\x00\x00\x00\x00" {
					t.Errorf("offsets % x at %d", c.Buffers[1], c.Offset)
				}
			case columnar.LargeBinary, columnar.LargeList:
				if len(c.Buffers[1]) != 8 || c.Offset != 0 {
					t.Errorf("offsets % x at %d", c.Buffers[1], c.Offset)
				}
			case columnar.Int32:
				if v := columnar.Values[int32](c); len(v) != 0 {
					t.Errorf("values %v", v)
				}
			}
			roundTrip(t, c, arr)
		})
	}
}

// TestNoNullsBitmap: an arrow-go array may keep a bitmap when none of its
// values are null, as a slice of one with nulls elsewhere; its view has
// none, and neither has the copy.
func TestNoNullsBitmap(t *testing.T) {
	arr := fromJSON(t, str, `["a", null, "b", "c", "d"]`)
	defer arr.Release()
	s := array.NewSlice(arr, 2, 5)
	defer s.Release()
	if s.Data().Buffers()[0] == nil || s.NullN() != 0 {
		t.Fatal("the test wants a bitmap without nulls")
	}
	c, err := FromArray(s)
	if err != nil {
		t.Fatal(err)
	}
	if c.Buffers[0] != nil || c.Nulls != 0 {
		t.Errorf("view of no nulls with a bitmap, or %d nulls", c.Nulls)
	}
	roundTrip(t, c, s)

	// A slice's null count is unknown until asked; its child data's too.
	st := fromJSON(t, arrow.StructOf(arrow.Field{Name: "x", Type: i32, Nullable: true}), `[{"x": null}, {"x": 1}, {"x": 2}]`)
	defer st.Release()
	d := array.NewSliceData(st.Data(), 1, 3)
	defer d.Release()
	v, err := fromData(d.Children()[0], columnar.Int32Type, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v.Nulls != 1 || v.Buffers[0] == nil {
		t.Errorf("child of unknown nulls: %d nulls", v.Nulls)
	}
}

// TestFromArrayZeroCopy: a view shares the array's memory, down its
// children and dictionary.
func TestFromArrayZeroCopy(t *testing.T) {
	arr := fromJSON(t, arrow.StructOf(
		arrow.Field{Name: "n", Type: f64, Nullable: true},
		arrow.Field{Name: "l", Type: arrow.ListOf(str), Nullable: true},
		arrow.Field{Name: "d", Type: dictTy, Nullable: true},
	), `[{"n": 1, "l": ["a"], "d": "x"}, null, {"n": null, "l": ["b", "c"], "d": "y"}]`)
	defer arr.Release()
	c, err := FromArray(arr)
	if err != nil {
		t.Fatal(err)
	}
	st := arr.(*array.Struct)
	l := st.Field(1).(*array.List)
	for _, p := range []struct {
		name      string
		view, arr []byte
	}{
		{"validity", c.Buffers[0], arr.Data().Buffers()[0].Bytes()},
		{"n values", c.Children[0].Buffers[1], st.Field(0).Data().Buffers()[1].Bytes()},
		{"n validity", c.Children[0].Buffers[0], st.Field(0).Data().Buffers()[0].Bytes()},
		{"l offsets", c.Children[1].Buffers[1], l.Data().Buffers()[1].Bytes()},
		{"l's strings", c.Children[1].Children[0].Buffers[2], l.ListValues().Data().Buffers()[2].Bytes()},
		{"d indices", c.Children[2].Buffers[1], st.Field(2).Data().Buffers()[1].Bytes()},
		{"d values", c.Children[2].Dict.Buffers[2], st.Field(2).(*array.Dictionary).Dictionary().Data().Buffers()[2].Bytes()},
	} {
		if !sameMemory(p.view, p.arr) {
			t.Errorf("%s: a copy", p.name)
		}
	}
	if got := columnar.Values[float64](c.Children[0])[0]; got != 1 {
		t.Errorf("n[0] = %v", got)
	}
	if got := c.Children[1].Children[0].Str(2); got != "c" {
		t.Errorf("l[2][1] = %q", got)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: str, Nullable: true, Metadata: md},
		{Name: "tags", Type: arrow.ListOf(dictTy), Nullable: true},
		{Name: "p", Type: arrow.StructOf(arrow.Field{Name: "x", Type: f64}, arrow.Field{Name: "y", Type: f64}), Nullable: true},
	}, &md)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(`[
		{"id": 1, "name": "a", "tags": ["t", "u"], "p": {"x": 1, "y": 2}},
		{"id": 2, "name": null, "tags": null, "p": null},
		{"id": 3, "name": "c", "tags": [], "p": {"x": 5, "y": 6}},
		{"id": 4, "name": "d", "tags": ["u"], "p": {"x": 7, "y": 8}},
		{"id": 5, "name": "e", "tags": ["v", null], "p": {"x": 9, "y": 10}}
	]`))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	// Columns longer than the record, which arrow-go allows.
	short := array.NewRecord(schema, rec.Columns(), 2)
	defer short.Release()
	for _, r := range []arrow.Record{rec, rec.NewSlice(1, 4), rec.NewSlice(3, 3), short} {
		c, err := FromRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		if c.Len != int(r.NumRows()) || c.Validate() != nil {
			t.Fatalf("record of %d rows (%v)", c.Len, c.Validate())
		}
		for i, col := range c.Cols {
			if col.Type != c.Schema.Fields[i].Type {
				t.Errorf("column %d's type is not its field's", i)
			}
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		back, err := ToRecord(c, mem)
		if err != nil {
			t.Fatal(err)
		}
		want := r.NewSlice(0, r.NumRows())
		if !back.Schema().Equal(schema) || !back.Schema().Metadata().Equal(md) || !array.RecordEqual(back, want) {
			t.Errorf("record\n%v\nwant\n%v", back, want)
		}
		want.Release()
		back.Release()
		mem.AssertSize(t, 0)
	}
}

// TestColumnarArrays copies arrays built with columnar, sliced with
// columnar, as the runtime makes its results.
func TestColumnarArrays(t *testing.T) {
	sb := columnar.NewStringBuilder(5)
	for _, s := range []string{"yes", "", "no"} {
		sb.Append(s)
	}
	sb.AppendNull()
	sb.Append("maybe")
	strs := sb.Array()
	bb := columnar.NewBoolBuilder(10)
	bb.Set(0)
	bb.Set(9)
	bb.SetNull(4)
	bools := bb.Array()
	v := columnar.NewValidity(4)
	v.SetNull(1)
	bm, nulls := v.Bitmap()
	ints := columnar.FromValues(columnar.Int32Type, []int32{1, 2, 3, 4}, bm, nulls)
	pt := &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "x", Type: columnar.Float64Type}, {Name: "s", Type: columnar.StringType, Nullable: true}}}
	pts := &columnar.Array{Type: pt, Len: 5, Children: []*columnar.Array{columnar.Float64s([]float64{1, 2, 3, 4, 5}), strs}}
	fsl := &columnar.Array{Type: &columnar.Type{ID: columnar.FixedSizeList, Size: 2, Fields: []columnar.Field{{Name: "item", Type: columnar.Float64Type}}},
		Len: 3, Buffers: [][]byte{nil}, Children: []*columnar.Array{columnar.Float64s([]float64{1, 2, 3, 4, 5, 6})}}
	for _, c := range []struct {
		name string
		a    *columnar.Array
		dt   arrow.DataType
		want string
	}{
		{"strings", strs, str, `["yes", "", "no", null, "maybe"]`},
		{"strings[1:4]", strs.Slice(1, 4), str, `["", "no", null]`},
		{"strings[4:4]", strs.Slice(4, 4), str, `[]`},
		{"bools[3:10]", bools.Slice(3, 10), arrow.FixedWidthTypes.Boolean, `[false, null, false, false, false, false, true]`},
		{"ints[1:]", ints.Slice(1, 4), i32, `[null, 3, 4]`},
		{"ints[2:]", ints.Slice(2, 4), i32, `[3, 4]`},
		{"struct[3:5]", pts.Slice(3, 5), mustDataType(t, pt), `[{"x": 4, "s": null}, {"x": 5, "s": "maybe"}]`},
		{"fsl[1:3]", fsl.Slice(1, 3), mustDataType(t, fsl.Type), `[[3, 4], [5, 6]]`},
		{"floats", columnar.Float64s(nil), f64, `[]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := fromJSON(t, c.dt, c.want)
			defer want.Release()
			roundTrip(t, c.a, want)
		})
	}
}
