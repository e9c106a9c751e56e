package columnar

import (
	"fmt"
	"strings"
)

// ID names a type of the Arrow type system.
type ID uint8

// Types of this package: the Arrow types an exported scorer reads, writes
// or passes through.
const (
	Null ID = iota
	Bool
	Int8
	Int16
	Int32
	Int64
	Uint8
	Uint16
	Uint32
	Uint64
	Float16
	Float32
	Float64
	String      // utf8
	LargeString // large_utf8
	Binary
	LargeBinary
	FixedSizeBinary // Type.Size bytes per value
	Date32          // days since the epoch, int32
	Date64          // milliseconds since the epoch, int64
	Time32          // Type.Unit s or ms, int32
	Time64          // Type.Unit us or ns, int64
	Timestamp       // Type.Unit since the epoch, int64, in Type.TimeZone
	Duration        // Type.Unit, int64
	Decimal128      // Type.Precision and Type.Scale, 16 bytes per value
	Decimal256      // 32 bytes per value
	List            // Type.Fields[0] is the element
	LargeList
	FixedSizeList // Type.Size elements of Type.Fields[0]
	Struct        // Type.Fields
	Map           // Type.Fields[0] is a non-null struct of key and value
	Dictionary    // Type.Index codes into values of Type.Value
)

// TimeUnit is the unit of a time, timestamp or duration.
type TimeUnit uint8

// Time units.
const (
	Second TimeUnit = iota
	Millisecond
	Microsecond
	Nanosecond
)

// String returns the unit's abbreviation: s, ms, us or ns.
func (u TimeUnit) String() string {
	switch u {
	case Second:
		return "s"
	case Millisecond:
		return "ms"
	case Microsecond:
		return "us"
	case Nanosecond:
		return "ns"
	}
	return fmt.Sprintf("unit(%d)", u)
}

// Type is an Arrow data type. Only the fields its ID names are set.
type Type struct {
	ID ID
	// Unit is the unit of a Time32, Time64, Timestamp or Duration.
	Unit TimeUnit
	// TimeZone is a Timestamp's zone, "" for none.
	TimeZone string
	// Size is a FixedSizeBinary's byte width or a FixedSizeList's length.
	Size int
	// Precision and Scale are a decimal's.
	Precision, Scale int32
	// Fields are a List's, LargeList's, FixedSizeList's or Map's one child
	// and a Struct's children.
	Fields []Field
	// KeysSorted is a Map's flag.
	KeysSorted bool
	// Index and Value are a Dictionary's index (an integer type) and value
	// types; Ordered is its flag.
	Index, Value *Type
	Ordered      bool
}

// Types without parameters, to share.
var (
	NullType        = &Type{ID: Null}
	BoolType        = &Type{ID: Bool}
	Int8Type        = &Type{ID: Int8}
	Int16Type       = &Type{ID: Int16}
	Int32Type       = &Type{ID: Int32}
	Int64Type       = &Type{ID: Int64}
	Uint8Type       = &Type{ID: Uint8}
	Uint16Type      = &Type{ID: Uint16}
	Uint32Type      = &Type{ID: Uint32}
	Uint64Type      = &Type{ID: Uint64}
	Float16Type     = &Type{ID: Float16}
	Float32Type     = &Type{ID: Float32}
	Float64Type     = &Type{ID: Float64}
	StringType      = &Type{ID: String}
	LargeStringType = &Type{ID: LargeString}
	BinaryType      = &Type{ID: Binary}
	LargeBinaryType = &Type{ID: LargeBinary}
	Date32Type      = &Type{ID: Date32}
	Date64Type      = &Type{ID: Date64}
)

var names = [...]string{
	Null: "null", Bool: "bool",
	Int8: "int8", Int16: "int16", Int32: "int32", Int64: "int64",
	Uint8: "uint8", Uint16: "uint16", Uint32: "uint32", Uint64: "uint64",
	Float16: "float16", Float32: "float32", Float64: "float64",
	String: "utf8", LargeString: "large_utf8", Binary: "binary", LargeBinary: "large_binary",
	Date32: "date32", Date64: "date64",
}

// String returns the type's name as Arrow writes it, such as "float64",
// "timestamp[us, tz=UTC]" or "dictionary<values=utf8, indices=int32, ordered=false>".
func (t *Type) String() string {
	if t == nil {
		return "<nil>"
	}
	if int(t.ID) < len(names) && names[t.ID] != "" {
		return names[t.ID]
	}
	switch t.ID {
	case FixedSizeBinary:
		return fmt.Sprintf("fixed_size_binary[%d]", t.Size)
	case Time32:
		return "time32[" + t.Unit.String() + "]"
	case Time64:
		return "time64[" + t.Unit.String() + "]"
	case Timestamp:
		if t.TimeZone != "" {
			return "timestamp[" + t.Unit.String() + ", tz=" + t.TimeZone + "]"
		}
		return "timestamp[" + t.Unit.String() + "]"
	case Duration:
		return "duration[" + t.Unit.String() + "]"
	case Decimal128:
		return fmt.Sprintf("decimal(%d, %d)", t.Precision, t.Scale)
	case Decimal256:
		return fmt.Sprintf("decimal256(%d, %d)", t.Precision, t.Scale)
	case List, LargeList, FixedSizeList:
		prefix := map[ID]string{List: "list", LargeList: "large_list", FixedSizeList: "fixed_size_list"}[t.ID]
		s := prefix + "<" + t.child().String() + ">"
		if t.ID == FixedSizeList {
			s += fmt.Sprintf("[%d]", t.Size)
		}
		return s
	case Struct:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = f.String()
		}
		return "struct<" + strings.Join(parts, ", ") + ">"
	case Map:
		kv := t.child().Type
		if kv != nil && len(kv.Fields) == 2 {
			return fmt.Sprintf("map<%s, %s>", kv.Fields[0].Type, kv.Fields[1].Type)
		}
		return "map<?>"
	case Dictionary:
		return fmt.Sprintf("dictionary<values=%s, indices=%s, ordered=%t>", t.Value, t.Index, t.Ordered)
	}
	return fmt.Sprintf("type(%d)", t.ID)
}

// child is a list or map type's one field; the zero Field when missing.
func (t *Type) child() Field {
	if len(t.Fields) == 0 {
		return Field{}
	}
	return t.Fields[0]
}

// ByteWidth is the size in bytes of a value of a fixed-width type (0 for
// Bool, whose values are bits, and for other types).
func (t *Type) ByteWidth() int {
	switch t.ID {
	case Int8, Uint8:
		return 1
	case Int16, Uint16, Float16:
		return 2
	case Int32, Uint32, Float32, Date32, Time32:
		return 4
	case Int64, Uint64, Float64, Date64, Time64, Timestamp, Duration:
		return 8
	case Decimal128:
		return 16
	case Decimal256:
		return 32
	case FixedSizeBinary:
		return t.Size
	case Dictionary:
		if t.Index != nil {
			return t.Index.ByteWidth()
		}
	}
	return 0
}

// IsInteger reports whether t is a signed or unsigned integer type.
func (t *Type) IsInteger() bool { return t.ID >= Int8 && t.ID <= Uint64 }

// Field is a named column or child of a nested type.
type Field struct {
	Name     string
	Type     *Type
	Nullable bool
	Metadata Metadata
}

// String describes the field as "name: type", with ", nullable" when
// it is.
func (f Field) String() string {
	s := f.Name + ": " + f.Type.String()
	if f.Nullable {
		s += ", nullable"
	}
	return s
}

// Metadata is a list of key-value pairs, in order.
type Metadata struct {
	Keys, Values []string
}

// Schema is the fields of a record and its metadata.
type Schema struct {
	Fields   []Field
	Metadata Metadata
}

// FieldIndex is the index of the first field named name, or -1.
func (s *Schema) FieldIndex(name string) int {
	for i, f := range s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}
