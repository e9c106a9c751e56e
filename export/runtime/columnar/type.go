package columnar

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
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
		elem := "?" // a malformed type without its child
		if len(t.Fields) > 0 {
			elem = t.Fields[0].String()
		}
		s := prefix + "<" + elem + ">"
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
		var kv *Type
		if len(t.Fields) > 0 {
			kv = t.Fields[0].Type
		}
		if kv != nil && len(kv.Fields) == 2 {
			return fmt.Sprintf("map<%s, %s>", kv.Fields[0].Type, kv.Fields[1].Type)
		}
		return "map<?>"
	case Dictionary:
		return fmt.Sprintf("dictionary<values=%s, indices=%s, ordered=%t>", t.Value, t.Index, t.Ordered)
	}
	return fmt.Sprintf("type(%d)", t.ID)
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

// Metadata is a list of key-value pairs, in order: Values[i] is Keys[i]'s
// value, so the two must have the same length (Schema.Validate checks).
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

// NumBuffers is the number of buffers, the validity bitmap first, that an
// array of a type of id has: 0 for Null, 1 for Struct and FixedSizeList,
// 3 for String, LargeString, Binary and LargeBinary, and 2 for the rest.
func (id ID) NumBuffers() int {
	switch id {
	case Null:
		return 0
	case Struct, FixedSizeList:
		return 1
	case String, Binary, LargeString, LargeBinary:
		return 3
	}
	return 2
}

// OffsetWidth is the size in bytes of the offsets in Buffers[1] of an
// array of t: 4 for String, Binary, List and Map, 8 for LargeString,
// LargeBinary and LargeList, and 0 for types without offsets.
func (t *Type) OffsetWidth() int {
	switch t.ID {
	case String, Binary, List, Map:
		return 4
	case LargeString, LargeBinary, LargeList:
		return 8
	}
	return 0
}

// Equal reports whether t and u are the same type, as arrow-go's
// arrow.TypeEqual with CheckMetadata says: the same ID, the same
// parameters (unit, time zone, size, precision, scale, the Map and
// Dictionary flags, index and value types), and fields equal as
// Field.Equal says. A nil type equals only nil.
func (t *Type) Equal(u *Type) bool { return t.equal(u, true) }

// EqualIgnoringNames reports whether t and u are the same type but for
// the names, nullability and metadata of their fields, at any depth:
// whether an array of one can stand for an array of the other.
func (t *Type) EqualIgnoringNames(u *Type) bool { return t.equal(u, false) }

func (t *Type) equal(u *Type, names bool) bool {
	switch {
	case t == u:
		return true
	case t == nil || u == nil:
		return false
	case t.ID != u.ID || t.Unit != u.Unit || t.TimeZone != u.TimeZone || t.Size != u.Size ||
		t.Precision != u.Precision || t.Scale != u.Scale || t.KeysSorted != u.KeysSorted || t.Ordered != u.Ordered ||
		len(t.Fields) != len(u.Fields) || !t.Index.equal(u.Index, names) || !t.Value.equal(u.Value, names):
		return false
	}
	for i, f := range t.Fields {
		g := u.Fields[i]
		if names && (f.Name != g.Name || f.Nullable != g.Nullable || !f.Metadata.Equal(g.Metadata)) || !f.Type.equal(g.Type, names) {
			return false
		}
	}
	return true
}

// Equal reports whether f and g have the same name, nullability, type
// (Type.Equal) and metadata (Metadata.Equal), as arrow-go's Field.Equal.
func (f Field) Equal(g Field) bool {
	return f.Name == g.Name && f.Nullable == g.Nullable && f.Type.Equal(g.Type) && f.Metadata.Equal(g.Metadata)
}

// Equal reports whether m and n hold the same key-value pairs, in any
// order, as arrow-go's Metadata.Equal: the pairs are compared as a
// multiset, so the same pairs listed in another order are equal, and
// metadata whose Keys and Values differ in length equal nothing but
// identical metadata.
func (m Metadata) Equal(n Metadata) bool {
	switch {
	case slices.Equal(m.Keys, n.Keys) && slices.Equal(m.Values, n.Values):
		return true
	case len(m.Keys) != len(n.Keys) || len(m.Keys) != len(m.Values) || len(n.Keys) != len(n.Values):
		return false
	}
	return slices.Equal(m.sortedPairs(), n.sortedPairs())
}

func (m Metadata) sortedPairs() [][2]string {
	p := make([][2]string, len(m.Keys))
	for i := range p {
		p[i] = [2]string{m.Keys[i], m.Values[i]}
	}
	slices.SortFunc(p, func(x, y [2]string) int {
		if c := cmp.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return cmp.Compare(x[1], y[1])
	})
	return p
}

// Equal reports whether s and o have equal fields (Field.Equal), in
// order, as arrow-go's Schema.Equal: the schemas' own metadata is not
// compared. A nil schema equals only nil.
func (s *Schema) Equal(o *Schema) bool {
	switch {
	case s == o:
		return true
	case s == nil || o == nil || len(s.Fields) != len(o.Fields):
		return false
	}
	for i := range s.Fields {
		if !s.Fields[i].Equal(o.Fields[i]) {
			return false
		}
	}
	return true
}

// Validate checks that s is not nil, that every field has a type, that
// the list-like and dictionary types have their child and their index
// and value types, and that every metadata, the schema's and its
// fields' at any depth, has as many values as keys.
func (s *Schema) Validate() error {
	if s == nil {
		return errors.New("columnar: no schema")
	}
	if err := s.Metadata.validate(); err != nil {
		return fmt.Errorf("columnar: schema %w", err)
	}
	for _, f := range s.Fields {
		if err := f.validate(f.Name, 0); err != nil {
			return err
		}
	}
	return nil
}

func (f Field) validate(path string, depth int) error {
	if err := f.Metadata.validate(); err != nil {
		return fmt.Errorf("columnar: field %q: %w", path, err)
	}
	if err := f.Type.validate(depth); err != nil {
		return fmt.Errorf("columnar: field %q: %w", path, err)
	}
	for _, c := range f.Type.Fields {
		if err := c.validate(path+"."+c.Name, depth+1); err != nil {
			return err
		}
	}
	if f.Type.ID == Dictionary {
		return Field{Name: "dictionary", Type: f.Type.Value}.validate(path+".dictionary", depth+1)
	}
	return nil
}

// validate checks the parts of t, though not its fields' types, that
// reading an array of t needs.
func (t *Type) validate(depth int) error {
	switch {
	case depth >= maxDepth:
		return fmt.Errorf("types nested more than %d deep", maxDepth)
	case t == nil:
		return errors.New("no type")
	case t.ID > Dictionary:
		return fmt.Errorf("type %s is not one of columnar's", t)
	case (t.ID == List || t.ID == LargeList || t.ID == Map || t.ID == FixedSizeList) && len(t.Fields) != 1:
		return fmt.Errorf("%s has %d child fields, not 1", t, len(t.Fields))
	case (t.ID == FixedSizeList || t.ID == FixedSizeBinary) && t.Size < 0:
		return fmt.Errorf("%s has a negative size", t)
	case t.ID == Dictionary && (t.Index == nil || !t.Index.IsInteger() || t.Value == nil):
		return fmt.Errorf("%s: dictionary indices must be integers, and values have a type", t)
	}
	return nil
}

// validate checks that m has as many values as keys.
func (m Metadata) validate() error {
	if len(m.Keys) != len(m.Values) {
		return fmt.Errorf("metadata of %d keys and %d values", len(m.Keys), len(m.Values))
	}
	return nil
}

// maxDepth bounds the nesting of types and arrays Validate walks.
const maxDepth = 64
