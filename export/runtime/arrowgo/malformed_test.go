package arrowgo

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// le is vals as little-endian bytes, as the tests' machines lay them out.
func le[T int32 | int64](vals ...T) []byte {
	w := int(unsafe.Sizeof(T(0)))
	var b []byte
	for _, v := range vals {
		for k := range w {
			b = append(b, byte(uint64(int64(v))>>(8*k)))
		}
	}
	return b
}

func TestToArrayMalformed(t *testing.T) {
	i32s := func(n int) *columnar.Array {
		return columnar.FromValues(columnar.Int32Type, make([]int32, n), nil, 0)
	}
	strs := &columnar.Array{Type: columnar.StringType, Len: 2, Buffers: [][]byte{nil, le[int32](0, 1, 3), []byte("abc")}}
	withStrs := func(f func(a *columnar.Array)) *columnar.Array {
		a := *strs
		a.Buffers = append([][]byte(nil), strs.Buffers...)
		f(&a)
		return &a
	}
	listT := &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "item", Type: columnar.Int32Type}}}
	structT := &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "x", Type: columnar.Int32Type}}}
	fslT := &columnar.Type{ID: columnar.FixedSizeList, Size: 2, Fields: []columnar.Field{{Name: "item", Type: columnar.Int32Type}}}
	dictT := &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int8Type, Value: columnar.StringType}
	for _, c := range []struct {
		name string
		a    *columnar.Array
		want string
	}{
		{"nil", nil, "nil columnar array"},
		{"nil type", &columnar.Array{Len: 1}, "nil columnar type"},
		{"bad type", &columnar.Array{Type: &columnar.Type{ID: columnar.List}}, "list<?> has 0 fields, not 1"},
		{"negative length", &columnar.Array{Type: columnar.Int32Type, Len: -1}, "int32 array of length -1 at offset 0"},
		{"negative offset", &columnar.Array{Type: columnar.Int32Type, Len: 1, Offset: -1}, "at offset -1"},
		{"huge offset", &columnar.Array{Type: columnar.Int32Type, Len: 1, Offset: math.MaxInt}, "int32 array of length 1 at offset"},
		{"too many nulls", &columnar.Array{Type: columnar.Int32Type, Len: 1, Nulls: 2}, "int32 array of 1 values with 2 nulls"},
		{"no values", &columnar.Array{Type: columnar.Int32Type, Len: 1, Buffers: [][]byte{nil}}, "int32 array with a values buffer of 0 bytes for 1 values"},
		{"short values", &columnar.Array{Type: columnar.Float64Type, Len: 2, Offset: 1, Buffers: [][]byte{nil, make([]byte, 16)}}, "float64 array with a values buffer of 16 bytes for 3 values"},
		{"huge length", &columnar.Array{Type: columnar.Int64Type, Len: 1 << 56, Buffers: [][]byte{nil, make([]byte, 8)}}, "int64 array with a values buffer of 8 bytes"},
		{"short bools", &columnar.Array{Type: columnar.BoolType, Len: 9, Buffers: [][]byte{nil, {0xff}}}, "bool array with a values buffer of 1 bytes for 9 values"},
		{"short fixed_size_binary", &columnar.Array{Type: &columnar.Type{ID: columnar.FixedSizeBinary, Size: 1 << 20}, Len: 1 << 50, Buffers: [][]byte{nil, make([]byte, 8)}}, "fixed_size_binary[1048576] array with a values buffer of 8 bytes"},
		{"nulls without bitmap", &columnar.Array{Type: columnar.Int32Type, Len: 1, Nulls: 1, Buffers: [][]byte{nil, make([]byte, 4)}}, "int32 array with a validity buffer of 0 bytes for 1 values"},
		{"short bitmap", &columnar.Array{Type: columnar.Int32Type, Len: 9, Nulls: 1, Buffers: [][]byte{{0xfe}, make([]byte, 36)}}, "validity buffer of 1 bytes for 9 values"},
		{"wrong null count", &columnar.Array{Type: columnar.Int32Type, Len: 3, Nulls: 1, Buffers: [][]byte{{0b100}, make([]byte, 12)}}, "int32 array of 1 nulls whose validity bitmap has 2"},
		{"no offsets", withStrs(func(a *columnar.Array) { a.Buffers = a.Buffers[:1] }), "utf8 array with an offsets buffer of 0 bytes for 2 values"},
		{"short offsets", withStrs(func(a *columnar.Array) { a.Offset = 1 }), "utf8 array with an offsets buffer of 12 bytes for 3 values"},
		{"falling offsets", withStrs(func(a *columnar.Array) { a.Buffers[1] = le[int32](0, 2, 1) }), "utf8 array whose offsets fall from 2 to 1 at value 2"},
		{"negative offset", withStrs(func(a *columnar.Array) { a.Buffers[1] = le[int32](-1, 1, 3) }), "utf8 array with offset -1"},
		{"offsets past the data", withStrs(func(a *columnar.Array) { a.Buffers[2] = []byte("ab") }), "utf8 array of values to byte 3 of 2"},
		{"no data", withStrs(func(a *columnar.Array) { a.Buffers = a.Buffers[:2] }), "utf8 array of values to byte 3 of 0"},
		{"large offsets past the data", &columnar.Array{Type: columnar.LargeBinaryType, Len: 1, Buffers: [][]byte{nil, le[int64](0, 1<<40), nil}}, "large_binary array of values to byte 1099511627776 of 0"},
		{"list without child", &columnar.Array{Type: listT, Len: 1, Buffers: [][]byte{nil, le[int32](0, 1)}}, `list<item: int32> array without its child "item"`},
		{"list past its child", &columnar.Array{Type: listT, Len: 1, Buffers: [][]byte{nil, le[int32](0, 3)}, Children: []*columnar.Array{i32s(2)}}, "list<item: int32> array of elements to 3 of 2"},
		{"list of a wrong child", &columnar.Array{Type: listT, Len: 1, Buffers: [][]byte{nil, le[int32](0, 1)}, Children: []*columnar.Array{columnar.Float64s([]float64{1})}}, `field "item": float64 array for a field of int32`},
		{"list of a short child", &columnar.Array{Type: listT, Len: 1, Buffers: [][]byte{nil, le[int32](0, 1)}, Children: []*columnar.Array{{Type: columnar.Int32Type, Len: 1}}}, `field "item": int32 array with a values buffer of 0 bytes for 1 values`},
		{"struct without children", &columnar.Array{Type: structT, Len: 1, Buffers: [][]byte{nil}}, "struct<x: int32> array of 0 children"},
		{"struct of a nil child", &columnar.Array{Type: structT, Len: 1, Buffers: [][]byte{nil}, Children: []*columnar.Array{nil}}, `struct<x: int32> array without its child "x"`},
		{"struct of a short child", &columnar.Array{Type: structT, Len: 3, Buffers: [][]byte{nil}, Children: []*columnar.Array{i32s(2)}}, `field "x": 2 values for a struct of 3`},
		{"struct of a negative child", &columnar.Array{Type: structT, Len: 0, Buffers: [][]byte{nil}, Children: []*columnar.Array{{Type: columnar.Int32Type, Len: -5}}}, `field "x": -5 values for a struct of 0`},
		{"fixed_size_list of a short child", &columnar.Array{Type: fslT, Len: 2, Offset: 1, Buffers: [][]byte{nil}, Children: []*columnar.Array{i32s(5)}}, "fixed_size_list<item: int32>[2] array of 2 values at offset 1 with 5 elements"},
		{"dictionary without values", &columnar.Array{Type: dictT, Len: 1, Buffers: [][]byte{nil, {0}}}, "array without a dictionary"},
		{"dictionary of a wrong type", &columnar.Array{Type: dictT, Len: 1, Buffers: [][]byte{nil, {0}}, Dict: i32s(1)}, "dictionary: int32 array for a field of utf8"},
		{"index out of range", &columnar.Array{Type: dictT, Len: 3, Buffers: [][]byte{nil, {0, 1, 2}}, Dict: strs}, "dictionary index 2 at row 2 out of range for 2 values"},
		{"negative index", &columnar.Array{Type: dictT, Len: 2, Buffers: [][]byte{nil, {1, 0xff}}, Dict: strs}, "dictionary index -1 at row 1 out of range for 2 values"},
		{"malformed dictionary", &columnar.Array{Type: dictT, Len: 1, Buffers: [][]byte{nil, {0}}, Dict: withStrs(func(a *columnar.Array) { a.Buffers[2] = nil })}, "dictionary: utf8 array of values to byte 3 of 0"},
		{"deep", &columnar.Array{Type: &columnar.Type{ID: columnar.Struct, Fields: []columnar.Field{{Name: "a", Type: structT}}}, Len: 1,
			Children: []*columnar.Array{{Type: structT, Len: 1, Children: []*columnar.Array{{Type: columnar.Int32Type, Len: 1, Offset: 2, Buffers: [][]byte{nil, make([]byte, 8)}}}}}},
			`field "a": field "x": int32 array with a values buffer of 8 bytes for 3 values`},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			arr, err := ToArray(c.a, mem)
			if err == nil {
				arr.Release()
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "arrowgo: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one containing %q", err, c.want)
			}
		})
	}
}

// TestToArrayNullIndices: a null's index is not read, whatever it holds.
func TestToArrayNullIndices(t *testing.T) {
	dictT := &columnar.Type{ID: columnar.Dictionary, Index: columnar.Int8Type, Value: columnar.StringType}
	strs := &columnar.Array{Type: columnar.StringType, Len: 2, Buffers: [][]byte{nil, le[int32](0, 1, 3), []byte("abc")}}
	a := &columnar.Array{Type: dictT, Len: 3, Nulls: 1, Buffers: [][]byte{{0b101}, {1, 99, 0}}, Dict: strs}
	arr, err := ToArray(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	if got := arr.String(); got != `{ dictionary: ["a" "bc"]
  indices: [1 (null) 0] }` {
		t.Errorf("copy %s", got)
	}
}

func TestToRecordMalformed(t *testing.T) {
	schema := &columnar.Schema{Fields: []columnar.Field{{Name: "x", Type: columnar.Float64Type}, {Name: "s", Type: columnar.StringType}}}
	x := columnar.Float64s([]float64{1, 2})
	sb := columnar.NewStringBuilder(2)
	sb.Append("a")
	sb.Append("b")
	s := sb.Array()
	for _, c := range []struct {
		name string
		rec  *columnar.Record
		want string
	}{
		{"nil", nil, "nil columnar record or schema"},
		{"nil schema", &columnar.Record{}, "nil columnar record or schema"},
		{"bad schema", &columnar.Record{Schema: &columnar.Schema{Fields: []columnar.Field{{Name: "b"}}}}, `field "b": nil columnar type`},
		{"negative length", &columnar.Record{Schema: schema, Len: -1, Cols: []*columnar.Array{x, s}}, "record of -1 rows"},
		{"missing column", &columnar.Record{Schema: schema, Len: 2, Cols: []*columnar.Array{x}}, "record of 1 columns for 2 fields"},
		{"nil column", &columnar.Record{Schema: schema, Len: 2, Cols: []*columnar.Array{x, nil}}, `column "s" is missing`},
		{"short column", &columnar.Record{Schema: schema, Len: 2, Cols: []*columnar.Array{x, s.Slice(0, 1)}}, `column "s" has 1 values for 2 rows`},
		{"wrong type", &columnar.Record{Schema: schema, Len: 2, Cols: []*columnar.Array{s, x}}, `column "x": utf8 array for a field of float64`},
		{"malformed column", &columnar.Record{Schema: schema, Len: 2, Cols: []*columnar.Array{x, {Type: columnar.StringType, Len: 2}}}, `column "s": utf8 array with an offsets buffer of 0 bytes`},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rec, err := ToRecord(c.rec, mem)
			if err == nil {
				rec.Release()
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "arrowgo: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one containing %q", err, c.want)
			}
		})
	}
}

// TestFromArrayMalformed: arrow-go checks little when it makes data, and
// its arrays panic on what it does not check, so these are checked on
// the data.
func TestFromArrayMalformed(t *testing.T) {
	buf := func(b []byte) *memory.Buffer { return memory.NewBufferBytes(b) }
	listT := arrow.ListOf(i32)
	kid := array.NewData(i32, 2, []*memory.Buffer{nil, buf(make([]byte, 8))}, nil, 0, 0)
	defer kid.Release()
	for _, c := range []struct {
		name string
		d    *array.Data
		want string
	}{
		{"short values", array.NewData(i32, 3, []*memory.Buffer{nil, buf(make([]byte, 8))}, nil, 0, 0), "int32 array with a values buffer of 8 bytes for 3 values"},
		{"short at an offset", array.NewData(i32, 2, []*memory.Buffer{nil, buf(make([]byte, 8))}, nil, 0, 1), "int32 array with a values buffer of 8 bytes for 3 values"},
		{"short bitmap", array.NewData(i32, 9, []*memory.Buffer{buf([]byte{0}), buf(make([]byte, 36))}, nil, 9, 0), "int32 array with a validity buffer of 1 bytes for 9 values"},
		{"nulls without bitmap", array.NewData(i32, 2, []*memory.Buffer{nil, buf(make([]byte, 8))}, nil, 1, 0), "int32 array with 1 nulls and no validity bitmap"},
		{"more nulls than values", array.NewData(i32, 1, []*memory.Buffer{buf([]byte{0}), buf(make([]byte, 4))}, nil, 2, 0), "int32 array of 1 values with 2 nulls"},
		{"short offsets", array.NewData(str, 2, []*memory.Buffer{nil, buf(le[int32](0, 1)), buf([]byte("a"))}, nil, 0, 0), "utf8 array with an offsets buffer of 8 bytes for 2 values"},
		{"offsets past the data", array.NewData(str, 1, []*memory.Buffer{nil, buf(le[int32](0, 5)), buf([]byte("a"))}, nil, 0, 0), "utf8 array of values 0 to 5 of 1 bytes"},
		{"list past its child", array.NewData(listT, 1, []*memory.Buffer{nil, buf(le[int32](0, 3))}, []arrow.ArrayData{kid}, 0, 0), "list<item: int32, nullable> array of elements 0 to 3 of 2"},
		{"list without child", array.NewData(listT, 1, []*memory.Buffer{nil, buf(le[int32](0, 0))}, nil, 0, 0), `list<item: int32, nullable> array without its child "item"`},
		{"struct of a short child", array.NewData(arrow.StructOf(arrow.Field{Name: "x", Type: i32}), 2, []*memory.Buffer{nil}, []arrow.ArrayData{kid}, 0, 1), `field "x": 2 values for a struct of 2 at offset 1`},
		{"struct without children", array.NewData(arrow.StructOf(arrow.Field{Name: "x", Type: i32}), 0, []*memory.Buffer{nil}, nil, 0, 0), "struct<x: int32> array with 0 children"},
		{"fixed_size_list of a short child", array.NewData(arrow.FixedSizeListOf(2, i32), 2, []*memory.Buffer{nil}, []arrow.ArrayData{kid}, 0, 0), "array of 2 values at offset 0 with 2 elements"},
		{"dictionary without values", array.NewData(dictTy, 1, []*memory.Buffer{nil, buf(make([]byte, 2))}, nil, 0, 0), "array without a dictionary"},
		{"bad child", array.NewData(listT, 1, []*memory.Buffer{nil, buf(le[int32](0, 1))}, []arrow.ArrayData{array.NewData(i32, 1, []*memory.Buffer{nil, nil}, nil, 0, 0)}, 0, 0), `field "item": int32 array with a values buffer of 0 bytes for 1 values`},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer c.d.Release()
			ct, err := Type(c.d.DataType())
			if err != nil {
				t.Fatal(err)
			}
			_, err = fromData(c.d, ct, 0)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := FromArray(nil); err == nil {
		t.Error("FromArray(nil) did not fail")
	}
	if _, err := FromRecord(nil); err == nil {
		t.Error("FromRecord(nil) did not fail")
	}
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.BinaryTypes.StringView}}, nil), nil, 0)
	defer rec.Release()
	if _, err := FromRecord(rec); err == nil || err.Error() != `arrowgo: field "v": arrow type string_view has no columnar equivalent` {
		t.Errorf("FromRecord of a view: %v", err)
	}
}

// TestToArrayNeverPanics breaks the views of the test arrays in every way
// it can, one way and one place at a time (a length, offset or null
// count, a buffer cut short or dropped, an offset changed, a child or
// dictionary dropped), and checks that ToArray returns an error or an
// array, never panics, and leaks nothing.
func TestToArrayNeverPanics(t *testing.T) {
	for _, tc := range arrayCases {
		arr := fromJSON(t, tc.dt, tc.json)
		s := array.NewSlice(arr, 1, int64(arr.Len()))
		arr.Release()
		c, err := FromArray(s)
		if err != nil {
			t.Fatal(err)
		}
		nodes := len(walk(c))
		for node := range nodes {
			for m := range mutations {
				broken := clone(c)
				if !mutations[m](walk(broken)[node]) {
					continue
				}
				t.Run(fmt.Sprintf("%s/node %d/mutation %d", tc.dt, node, m), func(t *testing.T) {
					mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
					defer mem.AssertSize(t, 0)
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("panic: %v", r)
						}
					}()
					out, err := ToArray(broken, mem)
					if err == nil {
						// What converts must be an array arrow-go can use.
						_ = out.String()
						out.Release()
					}
				})
			}
		}
		s.Release()
	}
}

// walk lists the arrays of a's tree: a, its children's, its dictionary's.
func walk(a *columnar.Array) []*columnar.Array {
	out := []*columnar.Array{a}
	for _, c := range a.Children {
		out = append(out, walk(c)...)
	}
	if a.Dict != nil {
		out = append(out, walk(a.Dict)...)
	}
	return out
}

// clone copies a's tree of arrays, sharing the buffers' bytes.
func clone(a *columnar.Array) *columnar.Array {
	c := *a
	c.Buffers = append([][]byte(nil), a.Buffers...)
	c.Children = make([]*columnar.Array, len(a.Children))
	for k, ch := range a.Children {
		c.Children[k] = clone(ch)
	}
	if a.Dict != nil {
		c.Dict = clone(a.Dict)
	}
	return &c
}

// mutations break an array in place, reporting whether they applied.
var mutations = func() []func(a *columnar.Array) bool {
	ms := []func(a *columnar.Array) bool{
		func(a *columnar.Array) bool { a.Len++; return true },
		func(a *columnar.Array) bool { a.Len += 100; return true },
		func(a *columnar.Array) bool { a.Len = -a.Len - 1; return true },
		func(a *columnar.Array) bool { a.Offset++; return true },
		func(a *columnar.Array) bool { a.Offset = math.MaxInt - 1; return true },
		func(a *columnar.Array) bool { a.Nulls++; return true },
		func(a *columnar.Array) bool { a.Nulls--; return true },
		func(a *columnar.Array) bool { a.Nulls = a.Len; return true },
		func(a *columnar.Array) bool { a.Buffers = nil; return true },
		func(a *columnar.Array) bool { a.Children = nil; return len(a.Children) > 0 },
		func(a *columnar.Array) bool {
			ok := len(a.Children) > 0
			if ok {
				a.Children = a.Children[:len(a.Children)-1]
			}
			return ok
		},
		func(a *columnar.Array) bool { ok := a.Dict != nil; a.Dict = nil; return ok },
		func(a *columnar.Array) bool { a.Type = columnar.Int8Type; return true },
	}
	for i := range 3 {
		ms = append(ms,
			func(a *columnar.Array) bool {
				ok := i < len(a.Buffers) && len(a.Buffers[i]) > 0
				if ok {
					a.Buffers[i] = a.Buffers[i][:len(a.Buffers[i])/2]
				}
				return ok
			},
			func(a *columnar.Array) bool {
				ok := i < len(a.Buffers) && a.Buffers[i] != nil
				if ok {
					a.Buffers[i] = nil
				}
				return ok
			},
		)
	}
	// Offsets and indices changed, in a copy: the first, a middle and
	// the last to -1, a huge value, and 0.
	for _, at := range []int{0, 2, -1} {
		for _, v := range []int64{-1, 1 << 40, 0, 0x7f} {
			ms = append(ms, func(a *columnar.Array) bool {
				if len(a.Buffers) < 2 || len(a.Buffers[1]) < 8 || a.Len == 0 {
					return false
				}
				switch a.Type.ID {
				case columnar.String, columnar.Binary, columnar.LargeString, columnar.LargeBinary,
					columnar.List, columnar.LargeList, columnar.Map, columnar.Dictionary:
				default:
					return false
				}
				b := append([]byte(nil), a.Buffers[1]...)
				i := at
				if i < 0 {
					i = len(b) - 8
				}
				for k := range 8 {
					b[i+k] = byte(uint64(v) >> (8 * k))
				}
				a.Buffers[1] = b
				return true
			})
		}
	}
	return ms
}()
