package parquet_test

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// The package reads and writes columnar arrays; the tests build their
// data, and check what is read, with arrow-go, which also writes and
// reads Parquet independently. These helpers convert arrow-go arrays to
// columnar ones and compare the two value by value.

// simpleTypes are the columnar types of arrow-go's types without
// parameters.
var simpleTypes = map[arrow.Type]*columnar.Type{
	arrow.NULL: columnar.NullType, arrow.BOOL: columnar.BoolType,
	arrow.INT8: columnar.Int8Type, arrow.INT16: columnar.Int16Type, arrow.INT32: columnar.Int32Type, arrow.INT64: columnar.Int64Type,
	arrow.UINT8: columnar.Uint8Type, arrow.UINT16: columnar.Uint16Type, arrow.UINT32: columnar.Uint32Type, arrow.UINT64: columnar.Uint64Type,
	arrow.FLOAT32: columnar.Float32Type, arrow.FLOAT64: columnar.Float64Type,
	arrow.STRING: columnar.StringType, arrow.LARGE_STRING: columnar.LargeStringType,
	arrow.BINARY: columnar.BinaryType, arrow.LARGE_BINARY: columnar.LargeBinaryType,
	arrow.DATE32: columnar.Date32Type, arrow.DATE64: columnar.Date64Type,
}

// toColumnarType is the columnar type of an arrow-go type, for the types
// the tests use.
func toColumnarType(t arrow.DataType) *columnar.Type {
	if ct, ok := simpleTypes[t.ID()]; ok {
		return ct
	}
	switch t := t.(type) {
	case *arrow.TimestampType:
		return &columnar.Type{ID: columnar.Timestamp, Unit: columnar.TimeUnit(t.Unit), TimeZone: t.TimeZone}
	case *arrow.DictionaryType:
		return &columnar.Type{ID: columnar.Dictionary, Index: toColumnarType(t.IndexType), Value: toColumnarType(t.ValueType), Ordered: t.Ordered}
	case *arrow.ListType:
		return &columnar.Type{ID: columnar.List, Fields: []columnar.Field{toColumnarField(t.ElemField())}}
	case *arrow.LargeListType:
		return &columnar.Type{ID: columnar.LargeList, Fields: []columnar.Field{toColumnarField(t.ElemField())}}
	case *arrow.FixedSizeListType:
		return &columnar.Type{ID: columnar.FixedSizeList, Size: int(t.Len()), Fields: []columnar.Field{toColumnarField(t.ElemField())}}
	case *arrow.Decimal128Type:
		return &columnar.Type{ID: columnar.Decimal128, Precision: t.Precision, Scale: t.Scale}
	}
	panic("test cannot convert " + t.String())
}

func toColumnarField(f arrow.Field) columnar.Field {
	return columnar.Field{Name: f.Name, Type: toColumnarType(f.Type), Nullable: f.Nullable,
		Metadata: columnar.Metadata{Keys: f.Metadata.Keys(), Values: f.Metadata.Values()}}
}

func toColumnarSchema(s *arrow.Schema) *columnar.Schema {
	out := &columnar.Schema{Metadata: columnar.Metadata{Keys: s.Metadata().Keys(), Values: s.Metadata().Values()}}
	for _, f := range s.Fields() {
		out.Fields = append(out.Fields, toColumnarField(f))
	}
	return out
}

// toColumnar is a flat arrow-go array as a columnar one sharing its
// buffers, Offset included.
func toColumnar(a arrow.Array) *columnar.Array {
	d := a.Data()
	out := &columnar.Array{Type: toColumnarType(a.DataType()), Len: d.Len(), Offset: d.Offset(), Nulls: a.NullN()}
	for i, b := range d.Buffers() {
		switch {
		case b == nil || b.Bytes() == nil:
			if i > 0 {
				// arrow-go may leave out the buffers of an empty array.
				out.Buffers = append(out.Buffers, []byte{})
			} else {
				out.Buffers = append(out.Buffers, nil)
			}
		default:
			out.Buffers = append(out.Buffers, b.Bytes())
		}
	}
	if out.Nulls == 0 && len(out.Buffers) > 0 {
		out.Buffers[0] = nil
	}
	if dict, ok := a.(*array.Dictionary); ok {
		out.Dict = toColumnar(dict.Dictionary())
	}
	if l, ok := a.(array.ListLike); ok {
		out.Children = []*columnar.Array{toColumnar(l.ListValues())}
	}
	return out
}

// toColumnarRecord is rec as a columnar record sharing its buffers.
func toColumnarRecord(rec arrow.Record) *columnar.Record {
	out := &columnar.Record{Schema: toColumnarSchema(rec.Schema()), Len: int(rec.NumRows())}
	for _, c := range rec.Columns() {
		out.Cols = append(out.Cols, toColumnar(c))
	}
	return out
}

// readAs is the type the package reads a column written from an array of
// type t as: dictionaries as their values, large strings as strings, and
// lists of every kind as list (their fields' names and nullability are
// not compared).
func readAs(t arrow.DataType) *columnar.Type {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	if t.ID() == arrow.LARGE_STRING {
		return columnar.StringType
	}
	if l, ok := t.(arrow.ListLikeType); ok {
		return &columnar.Type{ID: columnar.List, Fields: []columnar.Field{{Name: "element", Type: readAs(l.Elem()), Nullable: true}}}
	}
	return toColumnarType(t)
}

// checkArray checks that an array the reader built follows the columnar
// conventions: validity nil exactly when there are no nulls, the null
// count right, buffers long enough, values buffers 8-byte aligned, and
// string offsets in order within the data.
func checkArray(a *columnar.Array) error {
	if a.Type != nil && (a.Type.ID == columnar.List || a.Type.ID == columnar.LargeList) {
		return checkList(a)
	}
	if a.Type == nil || a.Len < 0 || a.Offset < 0 || a.Dict != nil || a.Children != nil {
		return fmt.Errorf("malformed array %+v", a)
	}
	want := 2
	if a.Type.ID == columnar.String {
		want = 3
	}
	if len(a.Buffers) != want {
		return fmt.Errorf("%s array of %d buffers", a.Type, len(a.Buffers))
	}
	end := a.Offset + a.Len
	if v := a.Buffers[0]; v == nil {
		if a.Nulls != 0 {
			return fmt.Errorf("%d nulls without a validity bitmap", a.Nulls)
		}
	} else {
		if a.Nulls == 0 {
			return fmt.Errorf("validity bitmap with no nulls")
		}
		if len(v) < columnar.BitmapBytes(end) {
			return fmt.Errorf("validity bitmap of %d bytes for %d values", len(v), end)
		}
		if n := a.Len - columnar.CountSet(v, a.Offset, a.Len); n != a.Nulls {
			return fmt.Errorf("%d nulls counted as %d", n, a.Nulls)
		}
	}
	vals := a.Buffers[1]
	if vals == nil {
		return fmt.Errorf("%s array without values", a.Type)
	}
	if len(vals) > 0 && uintptr(unsafe.Pointer(&vals[0]))%8 != 0 {
		return fmt.Errorf("%s values buffer at %p is not 8-byte aligned", a.Type, &vals[0])
	}
	switch id := a.Type.ID; {
	case id == columnar.Bool:
		if len(vals) < columnar.BitmapBytes(end) {
			return fmt.Errorf("%d bytes for %d booleans", len(vals), end)
		}
	case id == columnar.String:
		if len(vals) < 4*(end+1) {
			return fmt.Errorf("%d bytes for %d offsets", len(vals), end+1)
		}
		if a.Buffers[2] == nil {
			return fmt.Errorf("strings without a data buffer")
		}
		off := unsafe.Slice((*int32)(unsafe.Pointer(&vals[0])), end+1)[a.Offset:]
		for i := range a.Len {
			if off[i] < 0 || off[i] > off[i+1] {
				return fmt.Errorf("string offsets %d then %d", off[i], off[i+1])
			}
		}
		if int(off[a.Len]) > len(a.Buffers[2]) {
			return fmt.Errorf("string offset %d past %d bytes", off[a.Len], len(a.Buffers[2]))
		}
	case a.Type.ByteWidth() > 0:
		if len(vals) < end*a.Type.ByteWidth() {
			return fmt.Errorf("%d bytes for %d %s values", len(vals), end, a.Type)
		}
	default:
		return fmt.Errorf("the reader does not make %s arrays", a.Type)
	}
	return nil
}

// checkList checks an array of lists as checkArray does, offsets rising
// within the child, and the child as checkArray does.
func checkList(a *columnar.Array) error {
	if a.Len < 0 || a.Offset != 0 || a.Dict != nil || len(a.Children) != 1 || len(a.Buffers) != 2 || len(a.Type.Fields) != 1 {
		return fmt.Errorf("malformed list array %+v", a)
	}
	child := a.Children[0]
	if err := checkArray(child); err != nil {
		return fmt.Errorf("child: %w", err)
	}
	if !child.Type.Equal(a.Type.Fields[0].Type) {
		return fmt.Errorf("child of type %s in %s", child.Type, a.Type)
	}
	if v := a.Buffers[0]; v == nil {
		if a.Nulls != 0 {
			return fmt.Errorf("%d nulls without a validity bitmap", a.Nulls)
		}
	} else if a.Nulls == 0 || len(v) < columnar.BitmapBytes(a.Len) || a.Len-columnar.CountSet(v, 0, a.Len) != a.Nulls {
		return fmt.Errorf("validity bitmap of %d bytes for %d nulls in %d lists", len(v), a.Nulls, a.Len)
	}
	if !a.Type.Fields[0].Nullable && child.Nulls > 0 {
		return fmt.Errorf("%d nulls in a child that is not nullable", child.Nulls)
	}
	w := 4
	if a.Type.ID == columnar.LargeList {
		w = 8
	}
	offs := a.Buffers[1]
	if len(offs) < w*(a.Len+1) || len(offs) > 0 && uintptr(unsafe.Pointer(&offs[0]))%8 != 0 {
		return fmt.Errorf("offsets buffer of %d bytes for %d lists", len(offs), a.Len)
	}
	prev := 0
	for i := range a.Len {
		lo, hi := a.ListRange(i)
		if lo != prev || hi < lo || hi > child.Len || i == 0 && lo != 0 {
			return fmt.Errorf("list %d from %d to %d after %d, in %d values", i, lo, hi, prev, child.Len)
		}
		if a.IsNull(i) && hi != lo {
			return fmt.Errorf("null list %d holds %d values", i, hi-lo)
		}
		prev = hi
	}
	if prev != child.Len {
		return fmt.Errorf("lists end at %d of %d values", prev, child.Len)
	}
	return nil
}

// compareColumn checks that parts, concatenated, hold want's values,
// with the type the package reads want's as, value by value. Nulls must
// agree; NaN equals NaN.
func compareColumn(parts []*columnar.Array, want arrow.Array) error {
	typ := readAs(want.DataType())
	k := 0
	for _, p := range parts {
		if err := checkArray(p); err != nil {
			return err
		}
		if !p.Type.EqualIgnoringNames(typ) {
			return fmt.Errorf("type %s, want %s", p.Type, typ)
		}
		if k+p.Len > want.Len() {
			return fmt.Errorf("more than the %d values wanted", want.Len())
		}
		for i := range p.Len {
			switch {
			case p.IsNull(i) != want.IsNull(k):
				return fmt.Errorf("value %d: null is %v, want %v", k, p.IsNull(i), want.IsNull(k))
			case !p.IsNull(i) && !sameValue(p, i, want, k):
				return fmt.Errorf("value %d: %v, want %s", k, valueOf(p, i), want.ValueStr(k))
			}
			k++
		}
	}
	if k != want.Len() {
		return fmt.Errorf("%d values, want %d", k, want.Len())
	}
	return nil
}

// sameValue reports whether value i of got equals value k of want.
func sameValue(got *columnar.Array, i int, want arrow.Array, k int) bool {
	switch w := want.(type) {
	case *array.Boolean:
		return got.Bool(i) == w.Value(k)
	case *array.Int8:
		return columnar.Values[int8](got)[i] == w.Value(k)
	case *array.Int16:
		return columnar.Values[int16](got)[i] == w.Value(k)
	case *array.Int32:
		return columnar.Values[int32](got)[i] == w.Value(k)
	case *array.Int64:
		return columnar.Values[int64](got)[i] == w.Value(k)
	case *array.Uint8:
		return columnar.Values[uint8](got)[i] == w.Value(k)
	case *array.Uint16:
		return columnar.Values[uint16](got)[i] == w.Value(k)
	case *array.Uint32:
		return columnar.Values[uint32](got)[i] == w.Value(k)
	case *array.Uint64:
		return columnar.Values[uint64](got)[i] == w.Value(k)
	case *array.Float32:
		g, v := columnar.Values[float32](got)[i], w.Value(k)
		return g == v || g != g && v != v
	case *array.Float64:
		g, v := columnar.Values[float64](got)[i], w.Value(k)
		return g == v || math.IsNaN(g) && math.IsNaN(v)
	case *array.Date32:
		return columnar.Values[int32](got)[i] == int32(w.Value(k))
	case *array.Timestamp:
		return columnar.Values[int64](got)[i] == int64(w.Value(k))
	case *array.String:
		return got.Str(i) == w.Value(k)
	case *array.LargeString:
		return got.Str(i) == w.Value(k)
	case *array.Dictionary:
		return got.Str(i) == w.Dictionary().ValueStr(w.GetValueIndex(k))
	case array.ListLike:
		lo, hi := got.ListRange(i)
		wlo, whi := w.ValueOffsets(k)
		if hi-lo != int(whi-wlo) {
			return false
		}
		child, wchild := got.Children[0], w.ListValues()
		for j := range hi - lo {
			g, v := lo+j, int(wlo)+j
			if child.IsNull(g) != wchild.IsNull(v) || !child.IsNull(g) && !sameValue(child, g, wchild, v) {
				return false
			}
		}
		return true
	}
	panic("test cannot compare " + want.DataType().String())
}

// valueOf is value i of a, for messages; touching it also checks it can
// be read.
func valueOf(a *columnar.Array, i int) any {
	switch a.Type.ID {
	case columnar.Bool:
		return a.Bool(i)
	case columnar.Int8:
		return columnar.Values[int8](a)[i]
	case columnar.Int16:
		return columnar.Values[int16](a)[i]
	case columnar.Int32, columnar.Date32:
		return columnar.Values[int32](a)[i]
	case columnar.Int64, columnar.Timestamp:
		return columnar.Values[int64](a)[i]
	case columnar.Uint8:
		return columnar.Values[uint8](a)[i]
	case columnar.Uint16:
		return columnar.Values[uint16](a)[i]
	case columnar.Uint32:
		return columnar.Values[uint32](a)[i]
	case columnar.Uint64:
		return columnar.Values[uint64](a)[i]
	case columnar.Float32:
		return columnar.Values[float32](a)[i]
	case columnar.Float64:
		return columnar.Values[float64](a)[i]
	case columnar.String:
		return a.Str(i)
	case columnar.List, columnar.LargeList:
		lo, hi := a.ListRange(i)
		var out []any
		for j := lo; j < hi; j++ {
			if a.Children[0].IsNull(j) {
				out = append(out, nil)
			} else {
				out = append(out, valueOf(a.Children[0], j))
			}
		}
		return out
	}
	panic("test cannot read " + a.Type.String())
}

// touch reads every value of a, as a user of the reader would.
func touch(a *columnar.Array) {
	for i := range a.Len {
		if !a.IsNull(i) {
			_ = valueOf(a, i)
		}
	}
}
