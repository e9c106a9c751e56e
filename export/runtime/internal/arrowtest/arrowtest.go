// Package arrowtest helps tests check columnar arrays against arrow-go
// ones: it converts arrow-go types, schemas, arrays and records to
// columnar, and compares columnar arrays and records with arrow-go's
// value by value.
//
// Only tests import it: it imports arrow-go and testing, which the
// runtime must not link.
//
// Its conversions are its own, not the arrowgo package's, so that they
// check arrowgo rather than repeat it, and so that arrowgo's tests, which
// are in package arrowgo, can use them without an import cycle.
package arrowtest

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// Type is the columnar type of an arrow-go type, with the fields' names,
// nullability and metadata. It panics on a type columnar does not have.
func Type(dt arrow.DataType) *columnar.Type {
	switch t := dt.(type) {
	case *arrow.NullType:
		return columnar.NullType
	case *arrow.BooleanType:
		return columnar.BoolType
	case *arrow.Int8Type:
		return columnar.Int8Type
	case *arrow.Int16Type:
		return columnar.Int16Type
	case *arrow.Int32Type:
		return columnar.Int32Type
	case *arrow.Int64Type:
		return columnar.Int64Type
	case *arrow.Uint8Type:
		return columnar.Uint8Type
	case *arrow.Uint16Type:
		return columnar.Uint16Type
	case *arrow.Uint32Type:
		return columnar.Uint32Type
	case *arrow.Uint64Type:
		return columnar.Uint64Type
	case *arrow.Float16Type:
		return columnar.Float16Type
	case *arrow.Float32Type:
		return columnar.Float32Type
	case *arrow.Float64Type:
		return columnar.Float64Type
	case *arrow.StringType:
		return columnar.StringType
	case *arrow.LargeStringType:
		return columnar.LargeStringType
	case *arrow.BinaryType:
		return columnar.BinaryType
	case *arrow.LargeBinaryType:
		return columnar.LargeBinaryType
	case *arrow.FixedSizeBinaryType:
		return &columnar.Type{ID: columnar.FixedSizeBinary, Size: t.ByteWidth}
	case *arrow.Date32Type:
		return columnar.Date32Type
	case *arrow.Date64Type:
		return columnar.Date64Type
	case *arrow.Time32Type:
		return &columnar.Type{ID: columnar.Time32, Unit: columnar.TimeUnit(t.Unit)}
	case *arrow.Time64Type:
		return &columnar.Type{ID: columnar.Time64, Unit: columnar.TimeUnit(t.Unit)}
	case *arrow.TimestampType:
		return &columnar.Type{ID: columnar.Timestamp, Unit: columnar.TimeUnit(t.Unit), TimeZone: t.TimeZone}
	case *arrow.DurationType:
		return &columnar.Type{ID: columnar.Duration, Unit: columnar.TimeUnit(t.Unit)}
	case *arrow.Decimal128Type:
		return &columnar.Type{ID: columnar.Decimal128, Precision: t.Precision, Scale: t.Scale}
	case *arrow.Decimal256Type:
		return &columnar.Type{ID: columnar.Decimal256, Precision: t.Precision, Scale: t.Scale}
	case *arrow.ListType:
		return &columnar.Type{ID: columnar.List, Fields: []columnar.Field{Field(t.ElemField())}}
	case *arrow.LargeListType:
		return &columnar.Type{ID: columnar.LargeList, Fields: []columnar.Field{Field(t.ElemField())}}
	case *arrow.FixedSizeListType:
		return &columnar.Type{ID: columnar.FixedSizeList, Size: int(t.Len()), Fields: []columnar.Field{Field(t.ElemField())}}
	case *arrow.MapType:
		return &columnar.Type{ID: columnar.Map, KeysSorted: t.KeysSorted, Fields: []columnar.Field{Field(t.ElemField())}}
	case *arrow.StructType:
		ct := &columnar.Type{ID: columnar.Struct}
		for _, f := range t.Fields() {
			ct.Fields = append(ct.Fields, Field(f))
		}
		return ct
	case *arrow.DictionaryType:
		return &columnar.Type{ID: columnar.Dictionary, Index: Type(t.IndexType), Value: Type(t.ValueType), Ordered: t.Ordered}
	}
	panic("arrowtest: no columnar type for " + dt.String())
}

// Metadata is m as columnar metadata: the zero Metadata when m is empty.
func Metadata(m arrow.Metadata) columnar.Metadata {
	if m.Len() == 0 {
		return columnar.Metadata{}
	}
	return columnar.Metadata{Keys: m.Keys(), Values: m.Values()}
}

// Field is f as a columnar field.
func Field(f arrow.Field) columnar.Field {
	return columnar.Field{Name: f.Name, Type: Type(f.Type), Nullable: f.Nullable, Metadata: Metadata(f.Metadata)}
}

// Schema is s as a columnar schema.
func Schema(s *arrow.Schema) *columnar.Schema {
	cs := &columnar.Schema{Metadata: Metadata(s.Metadata())}
	for _, f := range s.Fields() {
		cs.Fields = append(cs.Fields, Field(f))
	}
	return cs
}

// Columnar views arr as a columnar array sharing its buffers, Offset
// included: struct children sliced with the struct, the validity bitmap
// nil when no value is null. It fails t if the view is not valid.
func Columnar(t testing.TB, arr arrow.Array) *columnar.Array {
	t.Helper()
	a := view(arr.Data())
	if err := a.Validate(); err != nil {
		t.Fatalf("arrowtest: view of %s: %v", arr.DataType(), err)
	}
	return a
}

func view(d arrow.ArrayData) *columnar.Array {
	t := Type(d.DataType())
	// A slice's data may not know its null count; its array counts.
	a := &columnar.Array{Type: t, Len: d.Len(), Offset: d.Offset(), Nulls: array.MakeFromData(d).NullN()}
	if t.ID == columnar.Null {
		a.Nulls = a.Len
		return a
	}
	for _, b := range d.Buffers() {
		var bs []byte
		if b != nil {
			bs = b.Bytes()
		}
		a.Buffers = append(a.Buffers, bs)
	}
	if a.Nulls == 0 {
		a.Buffers[0] = nil
	}
	for _, c := range d.Children() {
		ca := view(c)
		if t.ID == columnar.Struct {
			ca = ca.Slice(d.Offset(), d.Offset()+d.Len())
		}
		a.Children = append(a.Children, ca)
	}
	if t.ID == columnar.Dictionary {
		a.Dict = view(d.Dictionary())
	}
	return a
}

// ColumnarRecord views rec as a columnar record sharing its buffers, as
// Columnar does its columns. It fails t if the record is not valid.
func ColumnarRecord(t testing.TB, rec arrow.Record) *columnar.Record {
	t.Helper()
	cr := &columnar.Record{Schema: Schema(rec.Schema()), Len: int(rec.NumRows())}
	for _, c := range rec.Columns() {
		cr.Cols = append(cr.Cols, view(c.Data()))
	}
	if err := cr.Validate(); err != nil {
		t.Fatalf("arrowtest: view of a record: %v", err)
	}
	return cr
}

// CompareSchema fails t unless got is want, field by field, with the
// same names, types, nullability and metadata at every depth.
func CompareSchema(t testing.TB, want *arrow.Schema, got *columnar.Schema) {
	t.Helper()
	if err := SchemaDiff(want, got); err != nil {
		t.Fatal(err)
	}
}

// SchemaDiff is CompareSchema's check, as an error.
func SchemaDiff(want *arrow.Schema, got *columnar.Schema) error {
	w := Schema(want)
	if len(w.Fields) != len(got.Fields) {
		return fmt.Errorf("%d fields, want %d", len(got.Fields), len(w.Fields))
	}
	for i := range w.Fields {
		if !reflect.DeepEqual(w.Fields[i], got.Fields[i]) {
			return fmt.Errorf("field %d is %v %v, want %v %v", i, got.Fields[i], got.Fields[i].Metadata, w.Fields[i], w.Fields[i].Metadata)
		}
	}
	if !reflect.DeepEqual(w.Metadata, got.Metadata) {
		return fmt.Errorf("schema metadata %v, want %v", got.Metadata, w.Metadata)
	}
	return nil
}

// CompareRecord fails t unless got is valid and holds want's values:
// as many rows and columns, and each column as Compare has it, named
// by the column. Messages start with path when it is not empty.
func CompareRecord(t testing.TB, path string, want arrow.Record, got *columnar.Record) {
	t.Helper()
	if err := RecordDiff(want, got); err != nil {
		if path != "" {
			t.Fatalf("%s: %v", path, err)
		}
		t.Fatal(err)
	}
}

// RecordDiff is CompareRecord's check, as an error.
func RecordDiff(want arrow.Record, got *columnar.Record) error {
	if err := got.Validate(); err != nil {
		return err
	}
	if int(want.NumRows()) != got.Len || int(want.NumCols()) != len(got.Cols) {
		return fmt.Errorf("%d rows of %d columns, want %d of %d", got.Len, len(got.Cols), want.NumRows(), want.NumCols())
	}
	for i, c := range want.Columns() {
		if err := ArrayDiff(want.ColumnName(i), c, got.Cols[i]); err != nil {
			return err
		}
	}
	return nil
}

// Compare fails t unless got holds want's values: as many, as many
// nulls, the columnar type of want's (reflect.DeepEqual to Type's), and
// value by value the same nulls and the same values, to the bit for
// floats (NaN equals NaN of the same bits), down lists, structs and
// dictionaries (through their indices, whatever those are). Messages
// name the value by path: path[i] for value i, path.f for a struct's
// field f, path[] for list items, path<dict> for dictionary values.
func Compare(t testing.TB, path string, want arrow.Array, got *columnar.Array) {
	t.Helper()
	if err := ArrayDiff(path, want, got); err != nil {
		t.Fatal(err)
	}
}

// ArrayDiff is Compare's check, as an error.
func ArrayDiff(path string, want arrow.Array, got *columnar.Array) error {
	if want.Len() != got.Len {
		return fmt.Errorf("%s: %d values, want %d", path, got.Len, want.Len())
	}
	if want.NullN() != got.Nulls {
		return fmt.Errorf("%s: %d nulls, want %d", path, got.Nulls, want.NullN())
	}
	if wt := Type(want.DataType()); !reflect.DeepEqual(wt, got.Type) {
		return fmt.Errorf("%s: type %s, want %s", path, got.Type, wt)
	}
	for i := range want.Len() {
		if err := ValueDiff(path, want, i, got, i); err != nil {
			return err
		}
	}
	return nil
}

// ValueDiff compares value i of want with value j of got, as Compare
// compares each value.
func ValueDiff(path string, want arrow.Array, i int, got *columnar.Array, j int) error {
	// arrow-go says a null array's values are not null.
	wn, gn := want.IsNull(i) || want.DataType().ID() == arrow.NULL, got.IsNull(j)
	if wn != gn {
		return fmt.Errorf("%s[%d]: null %t, want %t", path, i, gn, wn)
	}
	if wn {
		return nil
	}
	var g, wv any
	switch w := want.(type) {
	case *array.Boolean:
		g, wv = got.Bool(j), w.Value(i)
	case *array.Int8:
		g, wv = columnar.Values[int8](got)[j], w.Value(i)
	case *array.Int16:
		g, wv = columnar.Values[int16](got)[j], w.Value(i)
	case *array.Int32:
		g, wv = columnar.Values[int32](got)[j], w.Value(i)
	case *array.Int64:
		g, wv = columnar.Values[int64](got)[j], w.Value(i)
	case *array.Uint8:
		g, wv = columnar.Values[uint8](got)[j], w.Value(i)
	case *array.Uint16:
		g, wv = columnar.Values[uint16](got)[j], w.Value(i)
	case *array.Uint32:
		g, wv = columnar.Values[uint32](got)[j], w.Value(i)
	case *array.Uint64:
		g, wv = columnar.Values[uint64](got)[j], w.Value(i)
	case *array.Float16:
		g, wv = columnar.Values[uint16](got)[j], w.Value(i).Uint16()
	case *array.Float32:
		g, wv = math.Float32bits(columnar.Values[float32](got)[j]), math.Float32bits(w.Value(i))
	case *array.Float64:
		g, wv = math.Float64bits(columnar.Values[float64](got)[j]), math.Float64bits(w.Value(i))
	case *array.String:
		g, wv = got.Str(j), w.Value(i)
	case *array.LargeString:
		g, wv = got.Str(j), w.Value(i)
	case *array.Binary:
		g, wv = string(got.Bytes(j)), string(w.Value(i))
	case *array.LargeBinary:
		g, wv = string(got.Bytes(j)), string(w.Value(i))
	case *array.FixedSizeBinary:
		g, wv = string(fixedBytes(got, j, got.Type.Size)), string(w.Value(i))
	case *array.Date32:
		g, wv = columnar.Values[int32](got)[j], int32(w.Value(i))
	case *array.Date64:
		g, wv = columnar.Values[int64](got)[j], int64(w.Value(i))
	case *array.Time32:
		g, wv = columnar.Values[int32](got)[j], int32(w.Value(i))
	case *array.Time64:
		g, wv = columnar.Values[int64](got)[j], int64(w.Value(i))
	case *array.Timestamp:
		g, wv = columnar.Values[int64](got)[j], int64(w.Value(i))
	case *array.Duration:
		g, wv = columnar.Values[int64](got)[j], int64(w.Value(i))
	case *array.Decimal128:
		b := fixedBytes(got, j, 16)
		v := w.Value(i)
		g, wv = [2]uint64{binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])}, [2]uint64{v.LowBits(), uint64(v.HighBits())}
	case *array.Decimal256:
		b := fixedBytes(got, j, 32)
		var words [4]uint64
		for k := range words {
			words[k] = binary.LittleEndian.Uint64(b[8*k:])
		}
		g, wv = words, w.Value(i).Array()
	case *array.List:
		lo, hi := w.ValueOffsets(i)
		return rangeDiff(path, w.ListValues(), int(lo), int(hi), got, j)
	case *array.LargeList:
		lo, hi := w.ValueOffsets(i)
		return rangeDiff(path, w.ListValues(), int(lo), int(hi), got, j)
	case *array.Map:
		lo, hi := w.ValueOffsets(i)
		return rangeDiff(path, w.ListValues(), int(lo), int(hi), got, j)
	case *array.FixedSizeList:
		lo, hi := w.ValueOffsets(i)
		size := got.Type.Size
		start := (got.Offset + j) * size
		if int(hi-lo) != size {
			return fmt.Errorf("%s[%d]: list of %d, want %d", path, i, size, hi-lo)
		}
		for k := range size {
			if err := ValueDiff(path+"[]", w.ListValues(), int(lo)+k, got.Children[0], start+k); err != nil {
				return err
			}
		}
		return nil
	case *array.Struct:
		for f := range w.NumField() {
			name := path + "." + w.DataType().(*arrow.StructType).Field(f).Name
			if err := ValueDiff(name, w.Field(f), i, got.Children[f], j); err != nil {
				return err
			}
		}
		return nil
	case *array.Dictionary:
		return ValueDiff(path+"<dict>", w.Dictionary(), w.GetValueIndex(i), got.Dict, got.Index(j))
	default:
		return fmt.Errorf("%s: no comparison for %T", path, want)
	}
	if !reflect.DeepEqual(g, wv) {
		switch want.DataType().ID() {
		case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
			// The bits, and what they are.
			return fmt.Errorf("%s[%d] = %#x (%s), want %#x (%s)", path, i, g, got.ValueString(j), wv, want.ValueStr(i))
		}
		return fmt.Errorf("%s[%d] = %v, want %v", path, i, g, wv)
	}
	return nil
}

// fixedBytes is value i of a, of w bytes.
func fixedBytes(a *columnar.Array, i, w int) []byte {
	return a.Buffers[1][(a.Offset+i)*w : (a.Offset+i+1)*w]
}

// rangeDiff compares want's values lo to hi−1 with the list at j of
// got.
func rangeDiff(path string, want arrow.Array, lo, hi int, got *columnar.Array, j int) error {
	glo, ghi := got.ListRange(j)
	if ghi-glo != hi-lo {
		return fmt.Errorf("%s[%d]: list of %d, want %d", path, j, ghi-glo, hi-lo)
	}
	for k := range hi - lo {
		if err := ValueDiff(path+"[]", want, lo+k, got.Children[0], glo+k); err != nil {
			return err
		}
	}
	return nil
}

// CheckAligned fails t unless every buffer of a, its children's and its
// dictionary's that is not empty starts 8-byte aligned.
func CheckAligned(t testing.TB, path string, a *columnar.Array) {
	t.Helper()
	if err := alignedDiff(path, a); err != nil {
		t.Fatal(err)
	}
}

func alignedDiff(path string, a *columnar.Array) error {
	for i, b := range a.Buffers {
		if len(b) > 0 && !columnar.IsAligned(b) {
			return fmt.Errorf("%s: buffer %d is not 8-aligned", path, i)
		}
	}
	for _, c := range a.Children {
		if err := alignedDiff(path+".child", c); err != nil {
			return err
		}
	}
	if a.Dict != nil {
		return alignedDiff(path+".dict", a.Dict)
	}
	return nil
}
