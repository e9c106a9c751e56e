package arrowgo

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/quiver-ml/quiver/export/runtime/columnar"
)

// maxDepth bounds the nesting of types and arrays this package follows,
// as Arrow's IPC readers do, so that a type or array that contains itself
// is an error rather than a stack overflow.
const maxDepth = 64

var errDepth = fmt.Errorf("nested more than %d levels deep", maxDepth)

// Type returns the columnar type of an arrow-go data type, with its
// fields' names, nullability and metadata. It fails for a nil type and
// for the types columnar lacks (views, unions, run-end encoded, intervals,
// extension types), naming the type.
func Type(dt arrow.DataType) (*columnar.Type, error) {
	t, err := typeOf(dt, 0)
	return t, wrap(err)
}

// as is dt as its Go type T, or an error when dt has the ID of T's type
// but is implemented otherwise.
func as[T arrow.DataType](dt arrow.DataType) (T, error) {
	t, ok := dt.(T)
	if !ok {
		return t, fmt.Errorf("arrow type %s is a %T, not a %T", dt, dt, t)
	}
	return t, nil
}

func typeOf(dt arrow.DataType, depth int) (*columnar.Type, error) {
	if dt == nil {
		return nil, errors.New("nil arrow type")
	}
	if depth > maxDepth {
		return nil, errDepth
	}
	switch dt.ID() {
	case arrow.NULL:
		return columnar.NullType, nil
	case arrow.BOOL:
		return columnar.BoolType, nil
	case arrow.INT8:
		return columnar.Int8Type, nil
	case arrow.INT16:
		return columnar.Int16Type, nil
	case arrow.INT32:
		return columnar.Int32Type, nil
	case arrow.INT64:
		return columnar.Int64Type, nil
	case arrow.UINT8:
		return columnar.Uint8Type, nil
	case arrow.UINT16:
		return columnar.Uint16Type, nil
	case arrow.UINT32:
		return columnar.Uint32Type, nil
	case arrow.UINT64:
		return columnar.Uint64Type, nil
	case arrow.FLOAT16:
		return columnar.Float16Type, nil
	case arrow.FLOAT32:
		return columnar.Float32Type, nil
	case arrow.FLOAT64:
		return columnar.Float64Type, nil
	case arrow.STRING:
		return columnar.StringType, nil
	case arrow.LARGE_STRING:
		return columnar.LargeStringType, nil
	case arrow.BINARY:
		return columnar.BinaryType, nil
	case arrow.LARGE_BINARY:
		return columnar.LargeBinaryType, nil
	case arrow.DATE32:
		return columnar.Date32Type, nil
	case arrow.DATE64:
		return columnar.Date64Type, nil
	case arrow.FIXED_SIZE_BINARY:
		t, err := as[*arrow.FixedSizeBinaryType](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.FixedSizeBinary, Size: t.ByteWidth}, nil
	case arrow.TIME32:
		t, err := as[*arrow.Time32Type](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Time32, Unit: unitOf(t.Unit)}, nil
	case arrow.TIME64:
		t, err := as[*arrow.Time64Type](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Time64, Unit: unitOf(t.Unit)}, nil
	case arrow.TIMESTAMP:
		t, err := as[*arrow.TimestampType](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Timestamp, Unit: unitOf(t.Unit), TimeZone: t.TimeZone}, nil
	case arrow.DURATION:
		t, err := as[*arrow.DurationType](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Duration, Unit: unitOf(t.Unit)}, nil
	case arrow.DECIMAL128:
		t, err := as[*arrow.Decimal128Type](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Decimal128, Precision: t.Precision, Scale: t.Scale}, nil
	case arrow.DECIMAL256:
		t, err := as[*arrow.Decimal256Type](dt)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Decimal256, Precision: t.Precision, Scale: t.Scale}, nil
	case arrow.LIST:
		t, err := as[*arrow.ListType](dt)
		if err != nil {
			return nil, err
		}
		return nestedOf(columnar.List, 0, depth, t.ElemField())
	case arrow.LARGE_LIST:
		t, err := as[*arrow.LargeListType](dt)
		if err != nil {
			return nil, err
		}
		return nestedOf(columnar.LargeList, 0, depth, t.ElemField())
	case arrow.FIXED_SIZE_LIST:
		t, err := as[*arrow.FixedSizeListType](dt)
		if err != nil {
			return nil, err
		}
		return nestedOf(columnar.FixedSizeList, int(t.Len()), depth, t.ElemField())
	case arrow.STRUCT:
		t, err := as[*arrow.StructType](dt)
		if err != nil {
			return nil, err
		}
		return nestedOf(columnar.Struct, 0, depth, t.Fields()...)
	case arrow.MAP:
		t, err := as[*arrow.MapType](dt)
		if err != nil {
			return nil, err
		}
		// The entries field is a non-null struct of a non-null key and
		// a value, as arrow-go's ElemField says.
		ct, err := nestedOf(columnar.Map, 0, depth, t.ElemField())
		if err != nil {
			return nil, err
		}
		ct.KeysSorted = t.KeysSorted
		return ct, nil
	case arrow.DICTIONARY:
		t, err := as[*arrow.DictionaryType](dt)
		if err != nil {
			return nil, err
		}
		index, err := typeOf(t.IndexType, depth+1)
		if err != nil {
			return nil, err
		}
		if !index.IsInteger() {
			return nil, fmt.Errorf("dictionary index type %s is not an integer type", index)
		}
		value, err := typeOf(t.ValueType, depth+1)
		if err != nil {
			return nil, err
		}
		return &columnar.Type{ID: columnar.Dictionary, Index: index, Value: value, Ordered: t.Ordered}, nil
	}
	if ext, ok := dt.(arrow.ExtensionType); ok {
		return nil, fmt.Errorf("arrow extension type %s (%s) has no columnar equivalent", ext.ExtensionName(), dt)
	}
	return nil, fmt.Errorf("arrow type %s has no columnar equivalent", dt)
}

// nestedOf is a nested columnar type of id and size over fields.
func nestedOf(id columnar.ID, size, depth int, fields ...arrow.Field) (*columnar.Type, error) {
	t := &columnar.Type{ID: id, Size: size, Fields: make([]columnar.Field, len(fields))}
	for i, f := range fields {
		ft, err := typeOf(f.Type, depth+1)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", f.Name, err)
		}
		t.Fields[i] = columnar.Field{Name: f.Name, Type: ft, Nullable: f.Nullable, Metadata: metadataOf(f.Metadata)}
	}
	return t, nil
}

// field is f as a columnar field.
func field(f arrow.Field) (columnar.Field, error) {
	t, err := typeOf(f.Type, 0)
	if err != nil {
		return columnar.Field{}, fmt.Errorf("field %q: %w", f.Name, err)
	}
	return columnar.Field{Name: f.Name, Type: t, Nullable: f.Nullable, Metadata: metadataOf(f.Metadata)}, nil
}

func unitOf(u arrow.TimeUnit) columnar.TimeUnit {
	switch u {
	case arrow.Second:
		return columnar.Second
	case arrow.Millisecond:
		return columnar.Millisecond
	case arrow.Microsecond:
		return columnar.Microsecond
	}
	return columnar.Nanosecond
}

// metadataOf copies md; no metadata is the zero Metadata.
func metadataOf(md arrow.Metadata) columnar.Metadata {
	if md.Len() == 0 {
		return columnar.Metadata{}
	}
	return columnar.Metadata{
		Keys:   append([]string(nil), md.Keys()...),
		Values: append([]string(nil), md.Values()...),
	}
}

// Schema returns the columnar schema of an arrow-go schema: its fields and
// metadata. It fails for a nil schema or a field of a type Type refuses,
// naming the field.
func Schema(s *arrow.Schema) (*columnar.Schema, error) {
	if s == nil {
		return nil, errors.New("arrowgo: nil arrow schema")
	}
	cs := &columnar.Schema{Fields: make([]columnar.Field, s.NumFields()), Metadata: metadataOf(s.Metadata())}
	for i, f := range s.Fields() {
		cf, err := field(f)
		if err != nil {
			return nil, wrap(err)
		}
		cs.Fields[i] = cf
	}
	return cs, nil
}

// DataType returns the arrow-go data type of a columnar type, with its
// fields' names, nullability and metadata, except a Map's: arrow-go names
// a map's entries, key and value fields "entries", "key" and "value" and
// makes the key non-null whatever t says, keeping only the key's and
// value's metadata and the value's nullability.
//
// It fails, naming the type, when t is nil or malformed: an unknown ID or
// time unit, a unit a Time32 or Time64 cannot have, a negative size, a
// decimal precision outside 1 to 38 (Decimal128) or 76 (Decimal256), a
// list without exactly one field, a Map whose field is not a struct of
// two, a Dictionary whose index is not an integer type, a field without a
// type, metadata with more keys than values or the other way around, or
// nesting deeper than 64 levels.
func DataType(t *columnar.Type) (arrow.DataType, error) {
	dt, err := dataType(t, 0)
	return dt, wrap(err)
}

var arrowTypes = map[columnar.ID]arrow.DataType{
	columnar.Null:        arrow.Null,
	columnar.Bool:        arrow.FixedWidthTypes.Boolean,
	columnar.Int8:        arrow.PrimitiveTypes.Int8,
	columnar.Int16:       arrow.PrimitiveTypes.Int16,
	columnar.Int32:       arrow.PrimitiveTypes.Int32,
	columnar.Int64:       arrow.PrimitiveTypes.Int64,
	columnar.Uint8:       arrow.PrimitiveTypes.Uint8,
	columnar.Uint16:      arrow.PrimitiveTypes.Uint16,
	columnar.Uint32:      arrow.PrimitiveTypes.Uint32,
	columnar.Uint64:      arrow.PrimitiveTypes.Uint64,
	columnar.Float16:     arrow.FixedWidthTypes.Float16,
	columnar.Float32:     arrow.PrimitiveTypes.Float32,
	columnar.Float64:     arrow.PrimitiveTypes.Float64,
	columnar.String:      arrow.BinaryTypes.String,
	columnar.LargeString: arrow.BinaryTypes.LargeString,
	columnar.Binary:      arrow.BinaryTypes.Binary,
	columnar.LargeBinary: arrow.BinaryTypes.LargeBinary,
	columnar.Date32:      arrow.FixedWidthTypes.Date32,
	columnar.Date64:      arrow.FixedWidthTypes.Date64,
}

func dataType(t *columnar.Type, depth int) (arrow.DataType, error) {
	if t == nil {
		return nil, errors.New("nil columnar type")
	}
	if depth > maxDepth {
		return nil, errDepth
	}
	if dt, ok := arrowTypes[t.ID]; ok {
		return dt, nil
	}
	switch t.ID {
	case columnar.FixedSizeBinary:
		if t.Size < 0 || t.Size > math.MaxInt32 {
			return nil, fmt.Errorf("%s: byte width out of range", t)
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: t.Size}, nil
	case columnar.Time32, columnar.Time64, columnar.Timestamp, columnar.Duration:
		unit, err := arrowUnit(t)
		if err != nil {
			return nil, err
		}
		switch t.ID {
		case columnar.Time32:
			return &arrow.Time32Type{Unit: unit}, nil
		case columnar.Time64:
			return &arrow.Time64Type{Unit: unit}, nil
		case columnar.Timestamp:
			return &arrow.TimestampType{Unit: unit, TimeZone: t.TimeZone}, nil
		}
		return &arrow.DurationType{Unit: unit}, nil
	case columnar.Decimal128:
		if t.Precision < 1 || t.Precision > 38 {
			return nil, fmt.Errorf("%s: precision out of range 1 to 38", t)
		}
		return &arrow.Decimal128Type{Precision: t.Precision, Scale: t.Scale}, nil
	case columnar.Decimal256:
		if t.Precision < 1 || t.Precision > 76 {
			return nil, fmt.Errorf("%s: precision out of range 1 to 76", t)
		}
		return &arrow.Decimal256Type{Precision: t.Precision, Scale: t.Scale}, nil
	case columnar.List, columnar.LargeList, columnar.FixedSizeList, columnar.Map:
		if len(t.Fields) != 1 {
			return nil, fmt.Errorf("%s has %d fields, not 1", t, len(t.Fields))
		}
		f, err := arrowField(t.Fields[0], depth+1)
		if err != nil {
			return nil, err
		}
		switch t.ID {
		case columnar.List:
			return arrow.ListOfField(f), nil
		case columnar.LargeList:
			return arrow.LargeListOfField(f), nil
		case columnar.FixedSizeList:
			if t.Size < 0 || t.Size > math.MaxInt32 {
				return nil, fmt.Errorf("%s: size out of range", t)
			}
			return arrow.FixedSizeListOfField(int32(t.Size), f), nil
		}
		entries, ok := f.Type.(*arrow.StructType)
		if !ok || entries.NumFields() != 2 {
			return nil, fmt.Errorf("%s: entries of type %s, not a struct of key and value", t, f.Type)
		}
		key, item := entries.Field(0), entries.Field(1)
		m := arrow.MapOfWithMetadata(key.Type, key.Metadata, item.Type, item.Metadata)
		m.SetItemNullable(item.Nullable)
		m.KeysSorted = t.KeysSorted
		return m, nil
	case columnar.Struct:
		fs := make([]arrow.Field, len(t.Fields))
		for i, f := range t.Fields {
			af, err := arrowField(f, depth+1)
			if err != nil {
				return nil, err
			}
			fs[i] = af
		}
		return arrow.StructOf(fs...), nil
	case columnar.Dictionary:
		if t.Index == nil || !t.Index.IsInteger() {
			return nil, fmt.Errorf("%s: the index type is not an integer type", t)
		}
		index, err := dataType(t.Index, depth+1)
		if err != nil {
			return nil, err
		}
		value, err := dataType(t.Value, depth+1)
		if err != nil {
			return nil, err
		}
		return &arrow.DictionaryType{IndexType: index, ValueType: value, Ordered: t.Ordered}, nil
	}
	return nil, fmt.Errorf("unknown columnar type %s", t)
}

func arrowUnit(t *columnar.Type) (arrow.TimeUnit, error) {
	var u arrow.TimeUnit
	switch t.Unit {
	case columnar.Second:
		u = arrow.Second
	case columnar.Millisecond:
		u = arrow.Millisecond
	case columnar.Microsecond:
		u = arrow.Microsecond
	case columnar.Nanosecond:
		u = arrow.Nanosecond
	default:
		return 0, fmt.Errorf("%s: unknown time unit", t)
	}
	if t.ID == columnar.Time32 && u > arrow.Millisecond {
		return 0, fmt.Errorf("%s: a time32 is in s or ms", t)
	}
	if t.ID == columnar.Time64 && u < arrow.Microsecond {
		return 0, fmt.Errorf("%s: a time64 is in us or ns", t)
	}
	return u, nil
}

func arrowField(f columnar.Field, depth int) (arrow.Field, error) {
	dt, err := dataType(f.Type, depth)
	if err != nil {
		return arrow.Field{}, fmt.Errorf("field %q: %w", f.Name, err)
	}
	md, err := arrowMetadata(f.Metadata)
	if err != nil {
		return arrow.Field{}, fmt.Errorf("field %q %w", f.Name, err)
	}
	return arrow.Field{Name: f.Name, Type: dt, Nullable: f.Nullable, Metadata: md}, nil
}

func arrowMetadata(md columnar.Metadata) (arrow.Metadata, error) {
	if len(md.Keys) != len(md.Values) {
		return arrow.Metadata{}, fmt.Errorf("metadata of %d keys and %d values", len(md.Keys), len(md.Values))
	}
	return arrow.NewMetadata(md.Keys, md.Values), nil
}

// ArrowSchema returns the arrow-go schema of a columnar schema: its fields
// and metadata. It fails for a nil schema, metadata with more keys than
// values or the other way around, and a field DataType refuses, naming
// the field.
func ArrowSchema(s *columnar.Schema) (*arrow.Schema, error) {
	if s == nil {
		return nil, errors.New("arrowgo: nil columnar schema")
	}
	fs := make([]arrow.Field, len(s.Fields))
	for i, f := range s.Fields {
		af, err := arrowField(f, 0)
		if err != nil {
			return nil, wrap(err)
		}
		fs[i] = af
	}
	md, err := arrowMetadata(s.Metadata)
	if err != nil {
		return nil, fmt.Errorf("arrowgo: schema %w", err)
	}
	if md.Len() == 0 {
		return arrow.NewSchema(fs, nil), nil
	}
	return arrow.NewSchema(fs, &md), nil
}

// wrap prefixes this package's name to err, nil for nil. The unexported
// functions return errors without it, each adding its context.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("arrowgo: %w", err)
}
